import type Docker from 'dockerode';

/** A variable of a container's environment as it was created; undefined when it has none of that name. */
export function containerEnvValue(inspect: Docker.ContainerInspectInfo, name: string): string | undefined {
  return inspect.Config.Env?.find((entry) => entry.startsWith(`${name}=`))?.slice(name.length + 1);
}

import type Docker from 'dockerode';
import { memberNetwork } from '../../core/groups/groupMembers';
import type { InstanceConfig, Resources } from '../../core/models';
import type { InstanceSecrets } from '../../core/provider';
import { dockerContainerName } from './dockerDescription';
import { containerLabels } from '../dockerEngine/dockerLabels';
import { dockerNetworkName } from './dockerNetworks';
import { passwordEnv, type PasswordDelivery } from './dockerPasswordFile';

export function containerName(config: InstanceConfig): string {
  return dockerContainerName(config.name);
}

export function volumeName(id: string, config: InstanceConfig): string {
  return `remote-swarm-${config.name}-${id}`;
}

/** CPU and memory limits; swap is capped at the memory limit so the limit means what it says. */
export function resourceLimits(resources: Resources): { NanoCpus: number; Memory: number; MemorySwap: number } {
  const memory = resources.memoryMB * 1024 * 1024;
  return { NanoCpus: Math.round(resources.cpuCores * 1e9), Memory: memory, MemorySwap: memory };
}

export interface ContainerSpecInput extends InstanceSecrets {
  id: string;
  config: InstanceConfig;
  volume: string;
  passwordDelivery: PasswordDelivery;
  extraLabels: Record<string, string>;
  /** The container's name when it is not the one the configuration gives: a recreate keeps the name the instance was made under. */
  containerName?: string;
}

/** The container of an instance. Its secretEnv values are environment; the labels record the configuration, which names them only. */
export function containerSpec({ id, config, volume, password, secretEnv = {}, passwordDelivery, extraLabels, containerName: name }: ContainerSpecInput): Docker.ContainerCreateOptions {
  const secrets = config.secretEnv.filter((name) => Object.hasOwn(secretEnv, name)).map((name) => [name, secretEnv[name]!]);
  const env = [...Object.entries(config.env), ...secrets].map(([key, value]) => `${key}=${value}`);
  if (password !== undefined) env.push(passwordEnv(password, passwordDelivery));
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of config.ports) {
    // An empty HostPort lets Docker pick a free port; the bound one is read back from the container list.
    (bindings[`${port.container}/${port.protocol}`] ??= []).push({ HostIp: port.hostIp, HostPort: port.host === undefined ? '' : String(port.host) });
  }
  // A group's member lives on its group's network alone, not also on the default bridge where every container meets.
  const group = memberNetwork(config);
  const networkMode = group && dockerNetworkName(group.network);
  return {
    name: name ?? containerName(config),
    Image: config.image,
    Cmd: config.command,
    Env: env,
    WorkingDir: config.workspacePath,
    Labels: containerLabels(id, config, volume, extraLabels),
    ExposedPorts: Object.fromEntries(Object.keys(bindings).map((key) => [key, {}])),
    HostConfig: {
      ...resourceLimits(config.resources),
      Mounts: [{ Type: 'volume', Source: volume, Target: config.workspacePath }],
      PortBindings: bindings,
      RestartPolicy: { Name: 'unless-stopped' },
      ...(networkMode ? { NetworkMode: networkMode } : {}),
    },
    ...(networkMode ? { NetworkingConfig: { EndpointsConfig: { [networkMode]: { Aliases: group.aliases } } } } : {}),
  };
}

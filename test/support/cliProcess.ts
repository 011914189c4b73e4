import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

/** The CLI's entry point, run from source with tsx as its own process. */
export const CLI = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
const CLI_ARGS = ['--import', 'tsx', CLI];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const environment = (stateDir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ ...process.env, REMOTE_SWARM_STATE_DIR: stateDir, ...env });

/** `remote-swarm <args>` over the state directory, to its end: what a user reads, and its exit code. */
export async function runCli(stateDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...CLI_ARGS, ...args], { env: environment(stateDir, env) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** `remote-swarm <args>` still running, for a test that talks to it or interrupts it. */
export function spawnCli(stateDir: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...CLI_ARGS, ...args], { env: environment(stateDir, {}) });
}

/** The CLI's instances carry no test label (it is the product, not a test provider): containers by name. */
export async function containersNamed(name: string): Promise<string[]> {
  const containers = await new Docker().listContainers({ all: true, filters: { name: [`remote-swarm-${name}`] } });
  return containers.map((container) => container.Names[0] ?? '');
}

/** Containers, volumes and group networks of a run's CLI instances and groups whose names start with `prefix`. */
export async function removeNamed(prefix: string): Promise<void> {
  const docker = new Docker();
  const containers = await docker.listContainers({ all: true, filters: { name: [`remote-swarm-${prefix}`] } });
  await Promise.all(containers.map((container) => docker.getContainer(container.Id).remove({ force: true })));
  const { Volumes } = await docker.listVolumes({ filters: { name: [`remote-swarm-${prefix}`] } });
  await Promise.all((Volumes ?? []).map((volume) => docker.getVolume(volume.Name).remove()));
  // After the containers: a network cannot go while a container is on it.
  const networks = await docker.listNetworks({ filters: { name: [`remote-swarm-group-${prefix}`] } });
  await Promise.all(networks.map((network) => docker.getNetwork(network.Id).remove()));
}

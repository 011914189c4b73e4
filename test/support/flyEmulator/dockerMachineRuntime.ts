import { createHash, randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { runExec } from '../../../src/providers/dockerEngine/dockerExec';
import { unprocessable } from './apiFailure';
import type { ExecOutcome, MachineRuntime, RuntimeMachine } from './machineRuntime';

const MiB = 1024 * 1024;

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** Ignores "no such thing" (404) and "already in that state" (304) from the engine. */
async function tolerateGoneOrUnchanged(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (statusCode(error) !== 404 && statusCode(error) !== 304) throw error;
  }
}

/**
 * Machines as local Docker containers, so a started machine really serves its internal port (published on a loopback
 * port) and exec really runs. Fly volumes become Docker volumes. An app's private network of its own becomes a Docker
 * network, where its machines answer to <app>.internal, so only machines of apps on the same network resolve each
 * other; machines of apps on the organization's default network stay on the default bridge, with no .internal names.
 * Everything carries `labels` for sweeping.
 */
export class DockerMachineRuntime implements MachineRuntime {
  private readonly volumes = new Set<string>();
  private readonly containers = new Set<string>();
  /** Docker networks by name, made when their first machine is; a concurrent create waits on the same one. */
  private readonly networks = new Map<string, Promise<void>>();
  /** Two emulators on one engine never share a Docker network. */
  private readonly networkPrefix = `fly-emulator-6pn-${randomBytes(4).toString('hex')}-`;

  constructor(
    private readonly labels: Record<string, string>,
    private readonly docker = new Docker(),
  ) {}

  async create({ id, config, env, network }: RuntimeMachine): Promise<void> {
    const mounts = config.mounts ?? [];
    for (const mount of mounts) {
      await this.docker.createVolume({ Name: volumeName(mount.volume), Labels: this.labels });
      this.volumes.add(mount.volume);
    }
    const ports = (config.services ?? []).flatMap((service) => (service.internal_port === undefined ? [] : [`${service.internal_port}/tcp`]));
    const dockerNetwork = network && (await this.ensureNetwork(network.name));
    try {
      await this.docker.createContainer({
        name: containerName(id),
        Image: config.image,
        Cmd: config.init?.cmd,
        Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
        Labels: this.labels,
        ExposedPorts: Object.fromEntries(ports.map((port) => [port, {}])),
        HostConfig: {
          Mounts: mounts.map((mount) => ({ Type: 'volume' as const, Source: volumeName(mount.volume), Target: mount.path })),
          PortBindings: Object.fromEntries(ports.map((port) => [port, [{ HostIp: '127.0.0.1', HostPort: '' }]])),
          Memory: (config.guest?.memory_mb ?? 256) * MiB,
          ...(dockerNetwork ? { NetworkMode: dockerNetwork } : {}),
        },
        ...(dockerNetwork && network ? { NetworkingConfig: { EndpointsConfig: { [dockerNetwork]: { Aliases: [network.host] } } } } : {}),
      });
    } catch (error) {
      if (statusCode(error) === 404) throw unprocessable(`failed to resolve image "${config.image}"`);
      throw error;
    }
    this.containers.add(id);
  }

  start(id: string): Promise<void> {
    return tolerateGoneOrUnchanged(this.container(id).start());
  }

  stop(id: string, signal: string, timeoutSeconds: number): Promise<void> {
    const container = this.container(id);
    return tolerateGoneOrUnchanged(signal === 'SIGKILL' ? container.kill() : container.stop({ t: timeoutSeconds }));
  }

  async restart(id: string, timeoutSeconds: number): Promise<void> {
    await this.container(id).restart({ t: timeoutSeconds });
  }

  async destroy(id: string): Promise<void> {
    await tolerateGoneOrUnchanged(this.container(id).remove({ force: true }));
    this.containers.delete(id);
  }

  async destroyVolume(volumeId: string): Promise<void> {
    await tolerateGoneOrUnchanged(this.docker.getVolume(volumeName(volumeId)).remove());
    this.volumes.delete(volumeId);
  }

  async exec(id: string, command: string[], timeoutSeconds: number): Promise<ExecOutcome> {
    const { stdout, stderr, exitCode } = await runExec(this.container(id), command, { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
    return { exit_code: exitCode, stdout, stderr };
  }

  async address(id: string, internalPort: number): Promise<string | undefined> {
    const inspect = await this.container(id).inspect();
    const port = inspect.NetworkSettings.Ports?.[`${internalPort}/tcp`]?.[0]?.HostPort;
    return port ? `http://127.0.0.1:${port}/` : undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.containers].map((id) => this.destroy(id)));
    await Promise.all([...this.volumes].map((volume) => this.destroyVolume(volume)));
    await Promise.all([...this.networks.keys()].map((name) => tolerateGoneOrUnchanged(this.docker.getNetwork(this.dockerNetworkName(name)).remove())));
  }

  /** Short and unique per emulated network (organization and name), whatever the name's length. */
  private dockerNetworkName(network: string): string {
    return `${this.networkPrefix}${createHash('sha256').update(network).digest('hex').slice(0, 16)}`;
  }

  /** The Docker network of a Fly network, made once. */
  private async ensureNetwork(name: string): Promise<string> {
    let made = this.networks.get(name);
    if (!made) {
      made = this.docker.createNetwork({ Name: this.dockerNetworkName(name), Driver: 'bridge', CheckDuplicate: true, Labels: this.labels }).then(() => undefined);
      this.networks.set(name, made);
      made.catch(() => this.networks.delete(name));
    }
    await made;
    return this.dockerNetworkName(name);
  }

  private container(id: string): Docker.Container {
    return this.docker.getContainer(containerName(id));
  }
}

function containerName(machineId: string): string {
  return `fly-emulator-${machineId}`;
}

function volumeName(volumeId: string): string {
  return `fly-emulator-${volumeId}`;
}

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
 * port) and exec really runs. Fly volumes become Docker volumes. Everything carries `labels` for sweeping.
 */
export class DockerMachineRuntime implements MachineRuntime {
  private readonly volumes = new Set<string>();
  private readonly containers = new Set<string>();

  constructor(
    private readonly labels: Record<string, string>,
    private readonly docker = new Docker(),
  ) {}

  async create({ id, config, env }: RuntimeMachine): Promise<void> {
    const mounts = config.mounts ?? [];
    for (const mount of mounts) {
      await this.docker.createVolume({ Name: volumeName(mount.volume), Labels: this.labels });
      this.volumes.add(mount.volume);
    }
    const ports = (config.services ?? []).flatMap((service) => (service.internal_port === undefined ? [] : [`${service.internal_port}/tcp`]));
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
        },
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

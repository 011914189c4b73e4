import type { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import Docker from 'dockerode';
import { errorMessage, SwarmError } from '../../core/errors';
import { silentLogger, type Logger } from '../../core/logger';
import type { InstanceConfig } from '../../core/models';
import { DEFAULT_IDE_IMAGE } from '../../core/templates';
import type {
  CreateInstanceRequest,
  DeleteOptions,
  ExecOptions,
  ExecResult,
  InstanceEndpoints,
  InstancePasswords,
  InstanceSecrets,
  LogOptions,
  OperationOptions,
  Provider,
  ProviderCapabilities,
  ProviderInstance,
  PrivateNetworks,
  ResourceUsage,
  ShellSession,
  StopOptions,
  TerminalSize,
} from '../../core/provider';
import { DOCKER_ENGINE_SETTINGS, describeHost, dockerOptionsForHost, isLocalEngine, isPlainHttpToAnotherMachine, publishedPortReach, type DockerTlsSettings } from '../dockerEngine/dockerConnection';
import { containerName, containerSpec, resourceLimits, volumeName, type ContainerSpecInput } from './dockerContainerSpec';
import { containerEnvValue } from './dockerEnv';
import { containerGone, engineUnavailable, toSwarmError } from '../dockerEngine/dockerErrors';
import { runExec } from '../dockerEngine/dockerExec';
import { ensureImage } from './dockerImages';
import { isRunning, toProviderInstance } from './dockerInstances';
import { passwordOf, putPasswordFile, type PasswordDelivery } from './dockerPasswordFile';
import { openDockerShell } from '../dockerEngine/dockerShell';
import { LABEL, decodeConfig, labelFilters, volumeLabels } from '../dockerEngine/dockerLabels';
import { demultiplex, followedLines } from '../dockerEngine/dockerLogs';
import { DockerNetworks } from './dockerNetworks';
import type { DockerProviderParts } from './dockerProviderParts';
import { DockerUsageSampler } from '../dockerEngine/dockerStats';
import { DockerWorkspaces } from './dockerWorkspaces';
import { UNCHANGING_CONTAINER_ACTIONS, WatchedListing } from '../dockerEngine/watchedListing';
import { DOCKER_PROVIDER_TYPE, DOCKER_DISPLAY_NAME, DOCKER_CAPABILITIES } from './dockerDescription';
export { DOCKER_PROVIDER_TYPE, DOCKER_DISPLAY_NAME, DOCKER_CAPABILITIES } from './dockerDescription';

const PING_TIMEOUT_MS = 10_000;
/** In the name of a container being replaced by a recreate, until it is removed. */
const REPLACED_SUFFIX = '-replaced-';
/** How often a listing also removes helper containers left behind (dockerWorkspaces.ts removeStaleHelpers). */
const HELPER_SWEEP_INTERVAL_MS = 10 * 60_000;

export interface DockerProviderOptions {
  /** DOCKER_HOST-style address (unix:///var/run/docker.sock, tcp://host:2375); default: DOCKER_HOST, else the default socket. */
  host?: string;
  /** TLS for a tcp:// or https:// engine; DOCKER_TLS_VERIFY and DOCKER_CERT_PATH count too. */
  tls?: DockerTlsSettings;
  /** Where to warn about an engine reached unprotected. */
  log?: Logger;
  /** A ready client (e.g. one whose API calls a benchmark counts); `host` is then only used in messages. */
  docker?: Docker;
  /** The image for instances whose template names none. */
  defaultImage?: string;
  /** Added to every container and volume it creates and required of every container it lists: scopes the provider (tests use remote-swarm.test=1). */
  extraLabels?: Record<string, string>;
  /** How long a graceful stop waits before Docker kills the container. */
  stopTimeoutSeconds?: number;
  /** How the code-server password reaches containers (dockerPasswordFile.ts); default: env on this machine's own engine, else a file. */
  passwordDelivery?: PasswordDelivery;
}

/** Instances as containers on one Docker engine, each with a named volume holding its workspace. */
export class DockerProvider implements Provider {
  readonly type = DOCKER_PROVIDER_TYPE;
  readonly displayName = DOCKER_DISPLAY_NAME;
  readonly defaultImage: string;
  private readonly docker: Docker;
  private readonly host: string;
  private readonly hostSetting: string | undefined;
  private readonly extraLabels: Record<string, string>;
  private readonly stopTimeoutSeconds: number;
  private readonly passwordDelivery: PasswordDelivery;
  private readonly log: Logger;
  private readonly usageSampler = new DockerUsageSampler();
  /** Our containers as listed, served again until the engine's events say they changed. */
  private readonly listing: WatchedListing<ProviderInstance[]>;
  readonly workspaces = new DockerWorkspaces(() => this.parts());
  /** When listing last swept helpers left behind (this machine's clock, ms). */
  private helpersSweptAt = -Infinity;
  readonly networks: PrivateNetworks = new DockerNetworks(() => this.parts());
  readonly passwords: InstancePasswords = {
    recover: (id) => this.withContainer(id, 'Reading the password of', undefined, async (container) => passwordOf(container, await container.inspect())),
    // The container is made anew around its workspace volume: a container's environment and files are fixed at create.
    reset: (id, password, options = {}) =>
      this.withContainer(id, 'Changing the password of', options.signal, async (container, info) => {
        const config = decodeConfig(info.Labels);
        if (!config) throw new SwarmError('CONFLICT', `The container of instance ${id} records no configuration to make it anew with; recreate the instance instead.`);
        return this.changing(this.recreate(id, container, info, config, { ...options, password }));
      }),
  };

  constructor(options: DockerProviderOptions = {}) {
    const connection = options.docker ? undefined : dockerOptionsForHost(options.host, options.tls);
    this.docker = options.docker ?? new Docker(connection);
    this.host = describeHost(options.host);
    if (isPlainHttpToAnotherMachine(connection)) {
      options.log?.warn(
        `The Docker engine at ${this.host} is reached over plain HTTP: anyone on the network between can read what is sent to it, instance passwords included, ` +
          `and use the engine. Turn on TLS (${DOCKER_ENGINE_SETTINGS.tlsVerify}, ${DOCKER_ENGINE_SETTINGS.certPath}) or reach it as ssh://.`,
      );
    }
    this.hostSetting = options.host;
    this.log = options.log ?? silentLogger;
    this.defaultImage = options.defaultImage ?? DEFAULT_IDE_IMAGE;
    this.extraLabels = options.extraLabels ?? {};
    this.stopTimeoutSeconds = options.stopTimeoutSeconds ?? 10;
    this.passwordDelivery = options.passwordDelivery ?? (isLocalEngine(options.host) ? 'env' : 'file');
    this.listing = new WatchedListing(this.docker, {
      list: async () => (await this.list()).map((container) => this.toProviderInstance(container)),
      filters: { type: ['container'], label: [LABEL.instance, ...labelFilters(this.extraLabels)] },
      unchangingActions: UNCHANGING_CONTAINER_ACTIONS,
    });
  }

  getCapabilities(): ProviderCapabilities {
    return { ...DOCKER_CAPABILITIES };
  }

  async initialize(): Promise<void> {
    const timeout = AbortSignal.timeout(PING_TIMEOUT_MS);
    // @types/dockerode omits ping's options; dockerode 4 accepts { abortSignal }.
    const ping = this.docker.ping.bind(this.docker) as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    try {
      await ping({ abortSignal: timeout });
    } catch (error) {
      if (timeout.aborted) throw engineUnavailable(this.host, `no answer within ${PING_TIMEOUT_MS / 1000} s`, error);
      throw this.toSwarmError(error, 'Connecting to Docker');
    }
  }

  createInstance(request: CreateInstanceRequest, options: OperationOptions = {}): Promise<ProviderInstance> {
    return this.changing(this.create(request, options));
  }

  private async create({ id, config, password, secretEnv }: CreateInstanceRequest, options: OperationOptions): Promise<ProviderInstance> {
    const { signal, onProgress } = options;
    const volume = volumeName(id, config);
    let container: Docker.Container | undefined;
    let createdVolume = false;
    try {
      signal?.throwIfAborted();
      onProgress?.(`Checking image ${config.image}`);
      await ensureImage(this.docker, config.image, options);
      // A volume kept from an earlier instance is reused, and never removed if this create fails.
      if (!(await this.volumeExists(volume))) {
        onProgress?.(`Creating workspace volume ${volume}`);
        await this.docker.createVolume({ Name: volume, Labels: volumeLabels(id, config, this.extraLabels) });
        createdVolume = true;
      }
      signal?.throwIfAborted();
      onProgress?.(`Creating container ${containerName(config)}`);
      container = await this.makeContainer({ id, config, volume, password, secretEnv }, signal);
      onProgress?.(`Starting container ${containerName(config)}`);
      signal?.throwIfAborted();
      await container.start();
      return await this.current(id);
    } catch (error) {
      await container?.remove({ force: true }).catch(() => undefined);
      if (createdVolume) await this.docker.getVolume(volume).remove().catch(() => undefined);
      throw this.toSwarmError(error, `Creating "${config.name}"`, signal);
    }
  }

  async getInstance(id: string): Promise<ProviderInstance | undefined> {
    try {
      const [container] = await this.list(id);
      return container && this.toProviderInstance(container);
    } catch (error) {
      throw this.toSwarmError(error, `Looking up instance ${id}`);
    }
  }

  async listInstances(): Promise<ProviderInstance[]> {
    this.sweepHelpersWhenDue();
    try {
      return [...(await this.listing.current())];
    } catch (error) {
      throw this.toSwarmError(error, 'Listing Docker containers');
    }
  }

  startInstance(id: string, options: OperationOptions = {}): Promise<ProviderInstance> {
    return this.changing(
      this.withContainer(id, 'Starting', options.signal, async (container, info) => {
        if (!isRunning(info)) await container.start();
        return this.current(id);
      }),
    );
  }

  stopInstance(id: string, { force = false, signal }: StopOptions & OperationOptions = {}): Promise<ProviderInstance> {
    return this.changing(
      this.withContainer(id, 'Stopping', signal, async (container, info) => {
        if (isRunning(info)) await (force ? container.kill() : container.stop({ t: this.stopTimeoutSeconds }));
        return this.current(id);
      }),
    );
  }

  restartInstance(id: string, options: OperationOptions = {}): Promise<ProviderInstance> {
    return this.changing(
      this.withContainer(id, 'Restarting', options.signal, async (container) => {
        await container.restart({ t: this.stopTimeoutSeconds });
        return this.current(id);
      }),
    );
  }

  /** Removes the container and, unless kept, the workspace volume: also when the container was removed elsewhere. */
  deleteInstance(id: string, options: DeleteOptions & OperationOptions): Promise<void> {
    return this.changing(this.delete(id, options));
  }

  private async delete(id: string, { keepWorkspace, signal, onProgress }: DeleteOptions & OperationOptions): Promise<void> {
    try {
      const containers = await this.listAll(`${LABEL.instance}=${id}`);
      for (const container of containers) {
        onProgress?.(`Removing container ${container.Names[0]?.replace(/^\//, '') ?? container.Id}`);
        await this.docker.getContainer(container.Id).remove({ force: true });
        this.usageSampler.forget(container.Id);
      }
      const volumes = keepWorkspace ? [] : ((await this.docker.listVolumes({ filters: { label: labelFilters({ ...this.extraLabels, [LABEL.instance]: id }) } })).Volumes ?? []);
      for (const volume of volumes) onProgress?.(`Removing workspace volume ${volume.Name}`);
      await Promise.all(volumes.map((volume) => this.docker.getVolume(volume.Name).remove()));
      if (containers.length === 0) throw containerGone(id);
    } catch (error) {
      throw this.toSwarmError(error, `Deleting instance ${id}`, signal);
    }
  }

  updateInstance(id: string, config: InstanceConfig, options: OperationOptions & InstanceSecrets = {}): Promise<ProviderInstance> {
    return this.changing(
      this.withContainer(id, 'Updating', options.signal, async (container, info) => {
        const current = decodeConfig(info.Labels);
        const sameConfig = current !== undefined && isDeepStrictEqual(withoutResources(current), withoutResources(config));
        if (sameConfig && !(await secretEnvChanged(container, options.secretEnv))) {
          // Labels cannot change on a live container, so the config label keeps the resources of the last (re)create:
          // the limits are always applied rather than compared with it.
          await container.update(resourceLimits(config.resources));
          return this.current(id);
        }
        return this.recreate(id, container, info, config, options);
      }),
    );
  }

  getInstanceLogs(id: string, { tail, since, timestamps = false }: LogOptions = {}): Promise<string> {
    return this.withContainer(id, 'Reading the logs of', undefined, async (container) => {
      const raw = await container.logs({
        stdout: true,
        stderr: true,
        follow: false,
        timestamps,
        ...(tail === undefined ? {} : { tail }),
        ...(since === undefined ? {} : { since: Math.floor(since.getTime() / 1000) }),
      });
      return demultiplex(raw).all;
    });
  }

  followInstanceLogs(id: string, { tail, signal }: { tail?: number; signal: AbortSignal }): Promise<Readable> {
    return this.withContainer(id, 'Following the logs of', signal, async (container) => {
      const raw = await container.logs({ stdout: true, stderr: true, follow: true, ...(tail === undefined ? {} : { tail }) });
      return followedLines(this.docker, raw, signal);
    });
  }

  executeCommand(id: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.withContainer(id, `Running ${argv[0] ?? 'a command'} in`, options.signal, (container) => runExec(container, argv, options));
  }

  openShell(id: string, size: TerminalSize): Promise<ShellSession> {
    return this.withContainer(id, 'Opening a shell in', undefined, (container) => openDockerShell(container, size));
  }

  getInstanceStats(id: string): Promise<ResourceUsage | undefined> {
    return this.withContainer(id, 'Reading the resource use of', undefined, async (container, info) =>
      isRunning(info) ? this.usageSampler.usage(info.Id, await container.stats({ stream: false, 'one-shot': true })) : undefined,
    );
  }

  /** The IDE URL, sshd's published port as reached from here, and the container for Dev Containers (on a non-default engine, its address). */
  getEndpoints(id: string): Promise<InstanceEndpoints> {
    return this.withContainer(id, 'Describing', undefined, async (_container, info) => {
      const instance = this.toProviderInstance(info);
      const sshPort = instance.ports.find((port) => port.purpose === 'ssh' && port.host !== undefined);
      const reach = sshPort && publishedPortReach(this.hostSetting, sshPort.hostIp, sshPort.host!);
      return {
        ...(instance.urls.ide === undefined ? {} : { ide: instance.urls.ide }),
        ...(reach === undefined ? {} : { ssh: { ...reach, kind: 'provisioned' as const } }),
        container: { name: info.Names[0]?.replace(/^\//, '') ?? info.Id, ...(this.hostSetting === undefined ? {} : { engineHost: this.hostSetting }) },
      };
    });
  }

  dispose(): void {
    this.listing.dispose();
  }

  /**
   * Replaces the container, keeping its volume: the old one is stopped and set aside under another name (freeing the name
   * and host ports), and comes back if the new one cannot be created or started.
   */
  private async recreate(
    id: string,
    old: Docker.Container,
    info: Docker.ContainerInfo,
    config: InstanceConfig,
    options: OperationOptions & InstanceSecrets,
  ): Promise<ProviderInstance> {
    await ensureImage(this.docker, config.image, options);
    options.signal?.throwIfAborted();
    const wasRunning = isRunning(info);
    const oldName = info.Names[0]?.replace(/^\//, '') ?? containerName(config);
    // Secrets not passed again are kept from the old container, so the IDE stays reachable with what the user has.
    const inspect = await old.inspect();
    const password = options.password ?? (await passwordOf(old, inspect));
    const secretEnv = { ...keptSecretEnv(inspect, config.secretEnv), ...options.secretEnv };
    if (wasRunning) await old.stop({ t: this.stopTimeoutSeconds });
    await old.rename({ name: `${oldName}${REPLACED_SUFFIX}${Date.now()}` });
    let replacement: Docker.Container | undefined;
    try {
      const volume = info.Labels[LABEL.volume] ?? volumeName(id, config);
      // Under the name it had: a migration renames instances in the registry only, and the configuration's name may
      // be another container's (the kept source's).
      replacement = await this.makeContainer({ id, config, volume, password, secretEnv, containerName: oldName }, options.signal);
      if (wasRunning) await replacement.start();
    } catch (error) {
      await replacement?.remove({ force: true }).catch(() => undefined);
      await old.rename({ name: oldName });
      if (wasRunning) await old.start();
      throw error;
    }
    // The replacement runs: an old container that will not go is left to list and delete, which handle every
    // container of the instance, and must not fail an update that took effect.
    await old.remove({ force: true }).catch((error: unknown) => {
      this.log.warn(`The container "${oldName}" was replaced, but removing the old one failed (${errorMessage(error)}); deleting the instance removes it.`);
    });
    return this.current(id);
  }

  /** At most every ten minutes, beside a listing and without delaying it: helpers of a process killed mid-way go. */
  private sweepHelpersWhenDue(): void {
    const now = Date.now();
    if (now - this.helpersSweptAt < HELPER_SWEEP_INTERVAL_MS) return;
    this.helpersSweptAt = now;
    this.workspaces.removeStaleHelpers(now).catch((error: unknown) => this.log.warn(`Removing helper containers left behind failed: ${errorMessage(error)}`));
  }

  /** One container per instance, the one that serves it, where a failed recreate left an old one beside it. */
  private async list(id?: string): Promise<Docker.ContainerInfo[]> {
    const instance = id === undefined ? LABEL.instance : `${LABEL.instance}=${id}`;
    return servingContainers(await this.listAll(instance));
  }

  /** Every container carrying the label, replaced ones included. */
  private listAll(instanceLabel: string): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: [instanceLabel, ...labelFilters(this.extraLabels)] } });
  }

  private async current(id: string): Promise<ProviderInstance> {
    const [container] = await this.list(id);
    if (!container) throw containerGone(id);
    return this.toProviderInstance(container);
  }

  private toProviderInstance(container: Docker.ContainerInfo): ProviderInstance {
    return toProviderInstance(container, this.hostSetting);
  }

  /** Creates (does not start) an instance's container, its password where this engine gets it (env, or a file put in before start). */
  private async makeContainer(input: Omit<ContainerSpecInput, 'passwordDelivery' | 'extraLabels'>, signal: AbortSignal | undefined): Promise<Docker.Container> {
    const container = await this.docker.createContainer(containerSpec({ ...input, passwordDelivery: this.passwordDelivery, extraLabels: this.extraLabels }));
    try {
      if (input.password !== undefined && this.passwordDelivery === 'file') await putPasswordFile(container, input.password, signal);
    } catch (error) {
      await container.remove({ force: true }).catch(() => undefined);
      throw error;
    }
    return container;
  }

  /** An operation that changes containers: whatever its outcome, the next listing asks the engine. */
  private changing<T>(operation: Promise<T>): Promise<T> {
    return operation.finally(() => this.listing.invalidate());
  }

  /** Runs an operation on an instance's container; a missing container is INSTANCE_NOT_FOUND, any failure a SwarmError. */
  private async withContainer<T>(
    id: string,
    verb: string,
    signal: AbortSignal | undefined,
    work: (container: Docker.Container, info: Docker.ContainerInfo) => Promise<T>,
  ): Promise<T> {
    let action = `${verb} instance ${id}`;
    try {
      const [info] = await this.list(id);
      if (!info) throw containerGone(id);
      action = `${verb} "${info.Labels[LABEL.name] ?? id}"`;
      return await work(this.docker.getContainer(info.Id), info);
    } catch (error) {
      throw this.toSwarmError(error, action, signal);
    }
  }

  private async volumeExists(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).inspect();
      return true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      throw error;
    }
  }

  private toSwarmError(error: unknown, action: string, signal?: AbortSignal) {
    return toSwarmError(error, { action, host: this.host, signal });
  }

  /** What the workspaces and networks extensions use of the provider. */
  private parts(): DockerProviderParts {
    return {
      docker: this.docker,
      extraLabels: this.extraLabels,
      withContainer: (id, verb, signal, work) => this.withContainer(id, verb, signal, work),
      toSwarmError: (error, action, signal) => this.toSwarmError(error, action, signal),
    };
  }
}

function withoutResources(config: InstanceConfig): unknown {
  // Through JSON so that an absent optional field and one set to undefined compare equal.
  return JSON.parse(JSON.stringify({ ...config, resources: undefined }));
}

/** Whether a container was given other values than these (a rotated secret): env is fixed at create, so it must be recreated. */
async function secretEnvChanged(container: Docker.Container, values: Readonly<Record<string, string>> = {}): Promise<boolean> {
  if (Object.keys(values).length === 0) return false;
  const inspect = await container.inspect();
  return Object.entries(values).some(([name, value]) => containerEnvValue(inspect, name) !== value);
}

/** The secretEnv values the old container was given, for a recreate that is not given them again. */
function keptSecretEnv(inspect: Docker.ContainerInspectInfo, names: readonly string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = containerEnvValue(inspect, name);
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

/**
 * Of the containers carrying one instance's label, the one that serves it: a running one first, then the newest
 * (a replaced container is older than its replacement).
 */
function servingContainers(containers: readonly Docker.ContainerInfo[]): Docker.ContainerInfo[] {
  const byInstance = new Map<string, Docker.ContainerInfo>();
  for (const container of containers) {
    const id = container.Labels[LABEL.instance] ?? container.Id;
    const chosen = byInstance.get(id);
    if (!chosen || serves(container, chosen)) byInstance.set(id, container);
  }
  return [...byInstance.values()];
}

function serves(candidate: Docker.ContainerInfo, chosen: Docker.ContainerInfo): boolean {
  const running = (container: Docker.ContainerInfo) => container.State === 'running';
  if (running(candidate) !== running(chosen)) return running(candidate);
  if (candidate.Created !== chosen.Created) return candidate.Created > chosen.Created;
  const replaced = (container: Docker.ContainerInfo) => container.Names.some((name) => name.includes(REPLACED_SUFFIX));
  return replaced(chosen) && !replaced(candidate);
}

import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import { SwarmError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { InstanceConfig } from '../../core/models';
import { parseOrThrow } from '../../core/validation';
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
  ResourceUsage,
  ShellSession,
  StopOptions,
  TerminalSize,
} from '../../core/provider';
import { describeHost, dockerOptionsForHost, isPlainHttpToAnotherMachine, type DockerTlsSettings, type EngineSettingNames } from '../dockerEngine/dockerConnection';
import { engineUnavailable, imageNotFound, toSwarmError } from '../dockerEngine/dockerErrors';
import { runExec } from '../dockerEngine/dockerExec';
import { LABEL, decodeConfig, labelFilters } from '../dockerEngine/dockerLabels';
import { demultiplex, followedLines } from '../dockerEngine/dockerLogs';
import { openDockerShell } from '../dockerEngine/dockerShell';
import { DockerUsageSampler } from '../dockerEngine/dockerStats';
import { SWARM_CAPABILITIES, SWARM_DISPLAY_NAME, SWARM_PROVIDER_TYPE } from './swarmDescription';
import { currentTask, toProviderInstance } from './swarmInstances';
import { SwarmNetworks } from './swarmNetworks';
import { NodeEngines } from './swarmNodeEngines';
import { SwarmNodes } from './swarmNodes';
import { createPasswordSecret, passwordInConfig } from './swarmPassword';
import { CODE_SERVER_CONFIG_PATH, NODE_LABEL, pinsToNode, serviceSpec, workspaceVolumeName, type ServiceSettings } from './swarmServiceSpec';
import { swarmInstanceOptionsSchema } from './swarmOptions';
import type { TraefikSettings } from './swarmTraefik';
import type { SwarmNode, SwarmTask } from './swarmTypes';

export { SWARM_CAPABILITIES, SWARM_DISPLAY_NAME, SWARM_PROVIDER_TYPE } from './swarmDescription';

/** The settings that name the manager, for errors that point at them. */
export const SWARM_ENGINE_SETTINGS: Readonly<EngineSettingNames> = { host: 'swarm.host', tlsVerify: 'swarm.tlsVerify', certPath: 'swarm.certPath' };

const PING_TIMEOUT_MS = 10_000;
const POLL_MS = 100;
/** How long node facts (addresses, hostnames) are reused between lists: they change when a node joins, leaves or is drained. */
const NODE_CACHE_MS = 15_000;
/** Engine messages of a task that cannot start because its image is not on the node and cannot be pulled. */
const MISSING_IMAGE = /no such image|pull access denied|manifest unknown|not found: manifest|repository does not exist|failed to resolve reference/i;

export interface SwarmProviderOptions {
  /** A swarm manager's engine: unix://, tcp:// (with `tls`), ssh://; default DOCKER_HOST, else the default socket. */
  host?: string;
  tls?: DockerTlsSettings;
  log?: Logger;
  /** A ready client for the manager (e.g. one whose API calls a benchmark counts). */
  docker?: Docker;
  /** Node hostname (or id) → its engine's address, for exec, terminals, stats and removing node-local volumes. */
  nodeEngines?: Record<string, string>;
  publishMode?: ServiceSettings['publishMode'];
  volumeDriver?: string;
  network?: string;
  traefik?: TraefikSettings;
  /** On everything it creates and required of everything it lists (tests scope a run with them). */
  extraLabels?: Record<string, string>;
  stopGraceSeconds?: number;
  /** How long create, start and restart wait for the task to run. */
  startTimeoutMs?: number;
}

/**
 * Instances as Swarm services on a manager's engine, one replica each, with a workspace volume on the node its task
 * runs on (or the configured volume driver's), the code-server password as a Docker secret file, and published ports
 * or Traefik labels to reach it. What the manager's API cannot do (exec, terminals, stats, removing a node-local
 * volume) goes to the engine of the task's node (swarmNodeEngines.ts).
 */
export class SwarmProvider implements Provider {
  readonly type = SWARM_PROVIDER_TYPE;
  readonly displayName = SWARM_DISPLAY_NAME;
  private readonly docker: Docker;
  private readonly host: string;
  private readonly hostSetting: string | undefined;
  private readonly settings: ServiceSettings;
  private readonly startTimeoutMs: number;
  private readonly log: Logger | undefined;
  private readonly engines: NodeEngines;
  private readonly usageSampler = new DockerUsageSampler();
  private managerNodeId: Promise<string> | undefined;
  private nodeCache: { at: number; nodes: Promise<Map<string, SwarmNode>> } | undefined;

  readonly networks = new SwarmNetworks(() => ({
    docker: this.docker,
    extraLabels: this.settings.extraLabels,
    updateServiceNetworks: (id, change) =>
      this.withService(id, 'Changing the networks of', undefined, (service) =>
        this.updateSpec(service.ID, (spec) => {
          const template = spec.TaskTemplate as Docker.ContainerTaskSpec;
          template.Networks = change(template.Networks ?? []);
        }),
      ),
    toSwarmError: (error, action) => this.toSwarmError(error, action),
  }));

  readonly nodes = new SwarmNodes(() => ({
    docker: this.docker,
    extraLabels: this.settings.extraLabels,
    forgetNodes: () => (this.nodeCache = undefined),
    toSwarmError: (error, action) => this.toSwarmError(error, action),
  }));

  readonly passwords: InstancePasswords = {
    // Docker secrets cannot be read back through the API: the file is read where the task runs.
    recover: async (id) => {
      const read = await this.executeCommand(id, ['cat', CODE_SERVER_CONFIG_PATH]);
      return read.exitCode === 0 ? passwordInConfig(read.stdout) : undefined;
    },
    reset: (id, password, options = {}) =>
      this.withService(id, 'Changing the password of', options.signal, async (service, tasks) => {
        const config = decodeConfig(service.Spec?.Labels ?? {});
        if (!config) throw new SwarmError('CONFLICT', `The service of instance ${id} records no configuration; recreate the instance instead.`);
        const old = passwordSecretOf(service);
        const secret = await createPasswordSecret(this.docker, id, config, password, this.settings.extraLabels);
        try {
          await this.updateSpec(service.ID, (spec) => {
            const container = (spec.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec!;
            container.Secrets = (container.Secrets ?? []).filter((ref) => ref.File?.Name !== CODE_SERVER_CONFIG_PATH);
            container.Secrets.push({ SecretID: secret.id, SecretName: secret.name, File: { ...old?.File, Name: CODE_SERVER_CONFIG_PATH, Mode: 0o400 } });
            container.Env = [...(container.Env ?? []).filter((entry) => !entry.startsWith('CODE_SERVER_CONFIG=')), `CODE_SERVER_CONFIG=${CODE_SERVER_CONFIG_PATH}`];
          });
        } catch (error) {
          await this.docker.getSecret(secret.id).remove().catch(() => undefined);
          throw error;
        }
        const replaced = currentTask(tasks)?.ID;
        const instance = await this.waitFor(id, (candidate) => candidate.status === 'running' && candidate.metadata.taskId !== replaced, options.signal);
        if (old?.SecretID) await this.docker.getSecret(old.SecretID).remove().catch(() => undefined);
        return instance;
      }),
  };

  constructor(options: SwarmProviderOptions = {}) {
    const connection = options.docker ? undefined : dockerOptionsForHost(options.host, options.tls, process.env, SWARM_ENGINE_SETTINGS);
    this.docker = options.docker ?? new Docker(connection);
    this.host = describeHost(options.host);
    this.hostSetting = options.host;
    this.log = options.log;
    if (isPlainHttpToAnotherMachine(connection)) {
      this.log?.warn(
        `The swarm manager at ${this.host} is reached over plain HTTP: anyone on the network between can read what is sent to it and use the swarm. ` +
          `Turn on TLS (${SWARM_ENGINE_SETTINGS.tlsVerify}, ${SWARM_ENGINE_SETTINGS.certPath}) or reach it as ssh://.`,
      );
    }
    this.settings = {
      publishMode: options.publishMode ?? 'host',
      volumeDriver: options.volumeDriver ?? 'local',
      ...(options.network ? { network: options.network } : {}),
      ...(options.traefik ? { traefik: options.traefik } : {}),
      extraLabels: options.extraLabels ?? {},
      stopGraceSeconds: options.stopGraceSeconds ?? 10,
    };
    this.startTimeoutMs = options.startTimeoutMs ?? 120_000;
    this.engines = new NodeEngines(this.docker, () => this.ownNodeId(), {
      managerHost: options.host,
      tls: options.tls ?? {},
      nodeEngines: options.nodeEngines ?? {},
      settingNames: SWARM_ENGINE_SETTINGS,
    });
  }

  getCapabilities(): ProviderCapabilities {
    return { ...SWARM_CAPABILITIES };
  }

  /** The engine answers and is a manager of an active swarm. */
  async initialize(): Promise<void> {
    const timeout = AbortSignal.timeout(PING_TIMEOUT_MS);
    const ping = this.docker.ping.bind(this.docker) as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    try {
      await ping({ abortSignal: timeout });
      await this.ownNodeId();
    } catch (error) {
      this.managerNodeId = undefined;
      if (timeout.aborted) throw engineUnavailable(this.host, `no answer within ${PING_TIMEOUT_MS / 1000} s`, error, SWARM_ENGINE_SETTINGS);
      throw this.toSwarmError(error, 'Connecting to the swarm manager');
    }
  }

  async createInstance({ id, config, password, secretEnv }: CreateInstanceRequest, options: OperationOptions = {}): Promise<ProviderInstance> {
    const { signal, onProgress } = options;
    const volume = workspaceVolumeName(id, config);
    let secret: { id: string; name: string } | undefined;
    let serviceId: string | undefined;
    try {
      signal?.throwIfAborted();
      // The controller checks options against the registration; a provider used on its own checks them here.
      parseOrThrow(swarmInstanceOptionsSchema, config.options, 'options');
      this.warnAboutExposure(config);
      if (password !== undefined) secret = await createPasswordSecret(this.docker, id, config, password, this.settings.extraLabels);
      onProgress?.(`Creating service for ${config.name}`);
      serviceId = (await this.docker.createService(serviceSpec({ id, config, volume, ...(secret ? { passwordSecret: secret } : {}), secretEnv, running: true, settings: this.settings }))).id;
      onProgress?.(`Waiting for ${config.name} to be scheduled and started`);
      const running = await this.waitFor(id, (instance) => instance.status === 'running', signal, config);
      if (!pinsToNode(config, this.settings) || running.metadata.nodeId === undefined) return running;
      // Placement alone changed: Swarm keeps the running task where it is.
      await this.updateSpec(serviceId, (spec) => pinSpec(spec, running.metadata.nodeId!));
      return (await this.getInstance(id)) ?? running;
    } catch (error) {
      if (serviceId) await this.removeEverything(id, { keepWorkspace: false }).catch((cleanup: unknown) => this.log?.warn(`Cleaning up after a failed create of "${config.name}": ${String(cleanup)}`));
      else if (secret) await this.docker.getSecret(secret.id).remove().catch(() => undefined);
      throw this.toSwarmError(error, `Creating "${config.name}"`, signal);
    }
  }

  async getInstance(id: string): Promise<ProviderInstance | undefined> {
    try {
      return (await this.view(id))[0];
    } catch (error) {
      throw this.toSwarmError(error, `Looking up instance ${id}`);
    }
  }

  async listInstances(): Promise<ProviderInstance[]> {
    try {
      return await this.view();
    } catch (error) {
      throw this.toSwarmError(error, 'Listing the swarm\'s services');
    }
  }

  startInstance(id: string, options: OperationOptions = {}): Promise<ProviderInstance> {
    return this.withService(id, 'Starting', options.signal, async (service) => {
      if (replicas(service) === 0) await this.updateSpec(service.ID, (spec) => (spec.Mode = { Replicated: { Replicas: 1 } }));
      return this.waitFor(id, (instance) => instance.status === 'running', options.signal);
    });
  }

  /** Scales the service to no replicas: the task's container stops after the grace period; the volume stays. */
  stopInstance(id: string, { signal }: StopOptions & OperationOptions = {}): Promise<ProviderInstance> {
    return this.withService(id, 'Stopping', signal, async (service) => {
      if (replicas(service) !== 0) await this.updateSpec(service.ID, (spec) => (spec.Mode = { Replicated: { Replicas: 0 } }));
      return this.waitFor(id, (instance) => instance.status === 'stopped', signal);
    });
  }

  /** A forced update: Swarm replaces the task (on the same node when pinned). */
  restartInstance(id: string, options: OperationOptions = {}): Promise<ProviderInstance> {
    return this.withService(id, 'Restarting', options.signal, async (service, tasks) => {
      const replaced = currentTask(tasks)?.ID;
      await this.updateSpec(service.ID, (spec) => {
        const template = spec.TaskTemplate as Docker.ContainerTaskSpec;
        template.ForceUpdate = (template.ForceUpdate ?? 0) + 1;
        spec.Mode = { Replicated: { Replicas: 1 } };
      });
      return this.waitFor(id, (instance) => instance.status === 'running' && instance.metadata.taskId !== replaced, options.signal);
    });
  }

  async deleteInstance(id: string, { keepWorkspace, signal }: DeleteOptions & OperationOptions): Promise<void> {
    try {
      const found = await this.removeEverything(id, { keepWorkspace });
      if (!found) throw new SwarmError('INSTANCE_NOT_FOUND', `The service of instance "${id}" no longer exists; it was removed outside Remote Swarm.`, { details: { instance: id } });
    } catch (error) {
      throw this.toSwarmError(error, `Deleting instance ${id}`, signal);
    }
  }

  /** Applies the configuration as a service update (Swarm replaces the task around the same volume and password secret). */
  updateInstance(id: string, config: InstanceConfig, options: OperationOptions & InstanceSecrets = {}): Promise<ProviderInstance> {
    return this.withService(id, 'Updating', options.signal, async (service, tasks) => {
      const container = (service.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec;
      const oldEnv = new Map((container?.Env ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
      const secretEnv = Object.fromEntries(config.secretEnv.flatMap((name) => (oldEnv.has(name) ? [[name, oldEnv.get(name)!]] : [])));
      const previous = passwordSecretOf(service);
      let secret = previous?.SecretID && previous.SecretName ? { id: previous.SecretID, name: previous.SecretName } : undefined;
      if (options.password !== undefined) secret = await createPasswordSecret(this.docker, id, config, options.password, this.settings.extraLabels);
      const volume = service.Spec?.Labels?.[LABEL.volume] ?? workspaceVolumeName(id, config);
      const pinned = service.Spec?.Labels?.[NODE_LABEL];
      const running = replicas(service) > 0;
      const next = serviceSpec({
        id,
        config,
        volume,
        ...(secret ? { passwordSecret: secret } : {}),
        secretEnv: { ...secretEnv, ...options.secretEnv },
        ...(pinned && pinsToNode(config, this.settings) ? { pinnedNode: pinned } : {}),
        running,
        forceUpdate: (service.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ForceUpdate ?? 0,
        settings: this.settings,
      });
      await this.docker.getService(service.ID).update({ version: service.Version?.Index, ...next });
      if (options.password !== undefined && previous?.SecretID) await this.docker.getSecret(previous.SecretID).remove().catch(() => undefined);
      const replaced = currentTask(tasks)?.ID;
      return this.waitFor(id, (instance) => (running ? instance.status === 'running' && instance.metadata.taskId !== replaced : instance.status === 'stopped'), options.signal);
    });
  }

  getInstanceLogs(id: string, { tail, since, timestamps = false }: LogOptions = {}): Promise<string> {
    return this.withService(id, 'Reading the logs of', undefined, async (service) => {
      const raw = (await this.docker.getService(service.ID).logs({
        stdout: true,
        stderr: true,
        follow: false,
        timestamps,
        ...(tail === undefined ? {} : { tail }),
        ...(since === undefined ? {} : { since: Math.floor(since.getTime() / 1000) }),
      })) as unknown as Buffer;
      return demultiplex(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).all;
    });
  }

  followInstanceLogs(id: string, { tail, signal }: { tail?: number; signal: AbortSignal }): Promise<Readable> {
    return this.withService(id, 'Following the logs of', signal, async (service) => {
      const raw = await this.docker.getService(service.ID).logs({ stdout: true, stderr: true, follow: true, ...(tail === undefined ? {} : { tail }) });
      return followedLines(this.docker, raw, signal);
    });
  }

  executeCommand(id: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.withTaskContainer(id, `Running ${argv[0] ?? 'a command'} in`, options.signal, (container) => runExec(container, argv, options));
  }

  openShell(id: string, size: TerminalSize): Promise<ShellSession> {
    return this.withTaskContainer(id, 'Opening a shell in', undefined, (container) => openDockerShell(container, size));
  }

  /** Undefined when the instance does not run; else its container's use, read on the node it runs on. */
  getInstanceStats(id: string): Promise<ResourceUsage | undefined> {
    return this.withTaskContainer(
      id,
      'Reading the resource use of',
      undefined,
      async (container) => this.usageSampler.usage(container.id, await container.stats({ stream: false, 'one-shot': true })),
      () => undefined,
    );
  }

  /** The IDE (published port or Traefik) and sshd's published port, on the node's address or through the routing mesh. */
  async getEndpoints(id: string): Promise<InstanceEndpoints> {
    const instance = await this.getInstance(id);
    if (!instance) throw notFound(id);
    const ssh = instance.urls.ssh === undefined ? undefined : new URL(instance.urls.ssh);
    return {
      ...(instance.urls.ide === undefined ? {} : { ide: instance.urls.ide }),
      ...(ssh ? { ssh: { host: ssh.hostname.replace(/^\[|\]$/g, ''), port: Number(ssh.port), kind: 'provisioned' as const } } : {}),
    };
  }

  dispose(): void {
    // Nothing to release: each API call is its own HTTP request.
  }

  /** Every instance (or one): one services call, one tasks call, and the nodes (cached) for addresses and hostnames. */
  private async view(id?: string): Promise<ProviderInstance[]> {
    const filter = [id === undefined ? LABEL.instance : `${LABEL.instance}=${id}`, ...labelFilters(this.settings.extraLabels)];
    const [services, tasks, nodes] = await Promise.all([
      this.docker.listServices({ filters: { label: filter } }),
      this.docker.listTasks({ filters: { label: filter } }) as Promise<SwarmTask[]>,
      this.nodeMap(),
    ]);
    const byService = new Map<string, SwarmTask[]>();
    for (const task of tasks) byService.set(task.ServiceID, [...(byService.get(task.ServiceID) ?? []), task]);
    const viewSettings = { publishMode: this.settings.publishMode, ...(this.settings.traefik ? { traefik: this.settings.traefik } : {}), managerHost: this.hostSetting };
    return services.map((service) => toProviderInstance(service, byService.get(service.ID) ?? [], nodes, viewSettings));
  }

  private nodeMap(): Promise<Map<string, SwarmNode>> {
    const now = Date.now();
    if (!this.nodeCache || now - this.nodeCache.at > NODE_CACHE_MS) {
      const nodes = (this.docker.listNodes() as Promise<SwarmNode[]>).then((list) => new Map(list.map((node) => [node.ID, node])));
      nodes.catch(() => (this.nodeCache = undefined));
      this.nodeCache = { at: now, nodes };
    }
    return this.nodeCache.nodes;
  }

  private ownNodeId(): Promise<string> {
    this.managerNodeId ??= this.docker.info().then((info: { Swarm?: { NodeID?: string; LocalNodeState?: string; ControlAvailable?: boolean } }) => {
      if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable || !info.Swarm.NodeID) {
        throw new SwarmError(
          'PROVIDER_UNAVAILABLE',
          `The Docker engine at ${this.host} is not a manager of a swarm (its swarm state: ${info.Swarm?.LocalNodeState ?? 'none'}). ` +
            `Point ${SWARM_ENGINE_SETTINGS.host} at a manager, or make this engine one with "docker swarm init".`,
          { details: { host: this.host }, remedy: { kind: 'setting', setting: SWARM_ENGINE_SETTINGS.host } },
        );
      }
      return info.Swarm.NodeID;
    });
    this.managerNodeId.catch(() => (this.managerNodeId = undefined));
    return this.managerNodeId;
  }

  /** Polls the instance until `done`, a task failure (as an error saying why) or the start timeout. */
  private async waitFor(id: string, done: (instance: ProviderInstance) => boolean, signal: AbortSignal | undefined, config?: InstanceConfig): Promise<ProviderInstance> {
    const deadline = Date.now() + this.startTimeoutMs;
    for (;;) {
      signal?.throwIfAborted();
      const instance = await this.getInstance(id);
      if (!instance) throw notFound(id);
      if (done(instance)) return instance;
      const failure = instance.metadata.taskError;
      if (instance.status === 'error' && failure) throw taskFailure(failure, config ?? instance.config);
      // A missing image is refused again on every retry: the first refusal ends the wait.
      const rejection = instance.metadata.lastRejection;
      if (instance.status !== 'running' && rejection && MISSING_IMAGE.test(rejection)) throw taskFailure(rejection, config ?? instance.config);
      if (Date.now() > deadline) {
        throw new SwarmError('OPERATION_FAILED', `"${instance.name}" is ${instance.status} after ${Math.round(this.startTimeoutMs / 1000)} s${failure ? `: ${failure}` : ''}.`, {
          details: { instance: id, taskState: instance.metadata.taskState ?? '' },
        });
      }
      await delay(POLL_MS, undefined, signal ? { signal } : undefined);
    }
  }

  /**
   * Removes the service and its password secrets, then (unless kept) its workspace volume on every node, once its tasks
   * are gone: a task being rejected or scheduled as the service goes may still make the volume on some node.
   */
  private async removeEverything(id: string, { keepWorkspace }: DeleteOptions): Promise<boolean> {
    const scope = [`${LABEL.instance}=${id}`, ...labelFilters(this.settings.extraLabels)];
    const [service] = await this.docker.listServices({ filters: { label: scope } });
    if (service) await this.docker.getService(service.ID).remove().catch(ignoreGone);
    const secrets = (await this.docker.listSecrets({ filters: { label: scope } })) as { ID: string }[];
    await Promise.all(secrets.map((secret) => this.docker.getSecret(secret.ID).remove().catch(ignoreGone)));
    const ranOn = new Set<string>();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const tasks = (await this.docker.listTasks({ filters: { label: scope } })) as SwarmTask[];
      for (const task of tasks) {
        if (task.NodeID) ranOn.add(task.NodeID);
        if (task.Status.ContainerStatus?.ContainerID) this.usageSampler.forget(task.Status.ContainerStatus.ContainerID);
      }
      if (tasks.length === 0 || Date.now() > deadline) break;
      await delay(POLL_MS);
    }
    if (!keepWorkspace) {
      const nodes = [...(await this.freshNodeMap()).values()];
      await Promise.all(nodes.map((node) => this.removeVolumesOn(node, scope, ranOn.has(node.ID))));
    }
    return service !== undefined;
  }

  /** The instance's volumes on one node; a node whose engine cannot be reached is reported only if a task of it ran there. */
  private async removeVolumesOn(node: SwarmNode, scope: string[], ranThere: boolean): Promise<void> {
    const hostname = node.Description?.Hostname ?? node.ID;
    let engine: Docker;
    try {
      engine = await this.engines.forNode(node);
    } catch (error) {
      if (ranThere) this.log?.warn(`The workspace volume of a deleted instance stays on node "${hostname}": ${String((error as Error).message)}`);
      return;
    }
    const volumes = (await engine.listVolumes({ filters: { label: scope } })).Volumes ?? [];
    await Promise.all(volumes.map((volume) => removeOnceUnused(engine.getVolume(volume.Name))));
  }

  private async freshNodeMap(): Promise<Map<string, SwarmNode>> {
    this.nodeCache = undefined;
    return this.nodeMap();
  }

  private async withService<T>(id: string, verb: string, signal: AbortSignal | undefined, work: (service: Docker.Service, tasks: SwarmTask[]) => Promise<T>): Promise<T> {
    let action = `${verb} instance ${id}`;
    try {
      const scope = [`${LABEL.instance}=${id}`, ...labelFilters(this.settings.extraLabels)];
      const [[service], tasks] = await Promise.all([this.docker.listServices({ filters: { label: scope } }), this.docker.listTasks({ filters: { label: scope } }) as Promise<SwarmTask[]>]);
      if (!service) throw notFound(id);
      action = `${verb} "${service.Spec?.Labels?.[LABEL.name] ?? id}"`;
      return await work(service, tasks);
    } catch (error) {
      throw this.toSwarmError(error, action, signal);
    }
  }

  /** Work on the container of the instance's running task, through the engine of the node it runs on; `notRunning` answers otherwise. */
  private withTaskContainer<T>(
    id: string,
    verb: string,
    signal: AbortSignal | undefined,
    work: (container: Docker.Container) => Promise<T>,
    notRunning?: () => T,
  ): Promise<T> {
    return this.withService(id, verb, signal, async (service, tasks) => {
      const task = currentTask(tasks);
      const containerId = task?.Status.ContainerStatus?.ContainerID;
      if (!task || task.Status.State !== 'running' || !containerId || !task.NodeID) {
        if (notRunning) return notRunning();
        throw new SwarmError('CONFLICT', `"${service.Spec?.Labels?.[LABEL.name] ?? id}" is not running. Start it first.`, { details: { instance: id } });
      }
      const node = (await this.nodeMap()).get(task.NodeID) ?? (await this.freshNodeMap()).get(task.NodeID);
      if (!node) throw new SwarmError('OPERATION_FAILED', `The node of "${id}"'s task (${task.NodeID}) is not in the swarm.`);
      const engine = await this.engines.forNode(node);
      return work(engine.getContainer(containerId));
    });
  }

  /** Changes the service's current spec (read afresh, so the update carries its latest version). */
  private async updateSpec(serviceId: string, change: (spec: Docker.ServiceSpec) => void): Promise<void> {
    const handle = this.docker.getService(serviceId);
    const current = (await handle.inspect()) as Docker.Service;
    const spec = structuredClone(current.Spec ?? {});
    change(spec);
    await handle.update({ version: current.Version?.Index, ...spec });
  }

  /** Swarm publishes a port on every address of the node (host mode) or of every node (ingress): it cannot bind one address. */
  private warnAboutExposure(config: InstanceConfig): void {
    const loopback = config.ports.filter((port) => port.hostIp === '127.0.0.1' || port.hostIp === '::1');
    if (loopback.length > 0) {
      this.log?.warn(
        `Swarm publishes ports on every address of a node, not on ${loopback[0]!.hostIp}: ` +
          `port${loopback.length > 1 ? 's' : ''} ${loopback.map((port) => port.container).join(', ')} of "${config.name}" will be reachable from the node's network.`,
      );
    }
  }

  private toSwarmError(error: unknown, action: string, signal?: AbortSignal): SwarmError {
    return toSwarmError(error, { action, host: this.host, signal, settings: SWARM_ENGINE_SETTINGS });
  }
}

function replicas(service: Docker.Service): number {
  return service.Spec?.Mode?.Replicated?.Replicas ?? 0;
}

function passwordSecretOf(service: Docker.Service): Docker.SecretReference | undefined {
  return (service.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec?.Secrets?.find((ref) => ref.File?.Name === CODE_SERVER_CONFIG_PATH);
}

/** Pins the service to a node: its workspace volume is there. */
function pinSpec(spec: Docker.ServiceSpec, nodeId: string): void {
  const template = spec.TaskTemplate as Docker.ContainerTaskSpec;
  const constraints = (template.Placement?.Constraints ?? []).filter((constraint) => !constraint.startsWith('node.id=='));
  template.Placement = { ...template.Placement, Constraints: [...constraints, `node.id==${nodeId}`] };
  spec.Labels = { ...spec.Labels, [NODE_LABEL]: nodeId };
}

function notFound(id: string): SwarmError {
  return new SwarmError('INSTANCE_NOT_FOUND', `The service of instance "${id}" no longer exists; it was removed outside Remote Swarm.`, { details: { instance: id } });
}

/** Why a task could not run, as an error naming the configuration field to change where one is to blame. */
function taskFailure(message: string, config: InstanceConfig | undefined): SwarmError {
  if (MISSING_IMAGE.test(message)) return imageNotFound(config?.image ?? 'the image', `${message}; every node that may run the instance needs it, or a registry it can pull from`);
  if (/range of cpus|nanocpus/i.test(message)) return new SwarmError('RESOURCE_LIMIT_EXCEEDED', `resources.cpuCores: ${message}`, { details: { field: 'resources.cpuCores' } });
  if (/insufficient resources/i.test(message)) {
    return new SwarmError('RESOURCE_LIMIT_EXCEEDED', `No node has the resources the instance reserves (options.reserveCpuCores, options.reserveMemoryMB): ${message}`, {
      details: { field: 'options.reserveCpuCores' },
    });
  }
  if (/no suitable node/i.test(message)) {
    return new SwarmError('OPERATION_FAILED', `No node matches the instance's placement (options.constraints): ${message}`, { details: { field: 'options.constraints' } });
  }
  return new SwarmError('OPERATION_FAILED', `The instance's task failed: ${message}`);
}

/** A volume goes once the task's container has: the node removes the container a moment after its task left the list. */
async function removeOnceUnused(volume: Docker.Volume, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await volume.remove();
      return;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) return;
      if (status !== 409 || Date.now() > deadline) throw error;
    }
    await delay(POLL_MS);
  }
}

function ignoreGone(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode !== 404) throw error;
}

import type { Duplex, Readable } from 'node:stream';
import type * as z from 'zod';
import type { Clock } from './clock';
import type { InstancePricing } from './cost/pricing';
import { SwarmError } from './errors';
import type { Logger } from './logger';
import type { InstanceConfig, InstanceStatus, PortMapping, Resources } from './models';
import type { KeyValueStore, SecretStore } from './stores';

/** What a provider can do; the UI hides what it cannot. */
export interface ProviderCapabilities {
  stop: boolean;
  forceStop: boolean;
  restart: boolean;
  /** CPU and memory changed without recreating the instance. */
  liveResourceUpdate: boolean;
  /** Image, env or ports changed by recreating the instance while keeping its workspace. */
  recreateUpdate: boolean;
  logs: boolean;
  exec: boolean;
  /** Delete can keep the workspace volume for a later instance. */
  keepWorkspaceOnDelete: boolean;
  /** Create can be cancelled midway (e.g. during an image pull). */
  cancellableCreate: boolean;
  /** Dev Containers "attach to running container" works for its instances. */
  attachContainer: boolean;
  /** openShell gives an interactive shell with a TTY (the integrated terminal). */
  shell: boolean;
  /** Create makes new infrastructure (a container, a machine). False: create registers an existing host and delete only forgets it. */
  provisions: boolean;
  /** getEndpoints says how to reach an instance from this machine (IDE URL, SSH, container). */
  endpoints: boolean;
  /** `workspaces`: a workspace exported and imported as a tar stream (migration, backups). */
  workspaceTransfer: boolean;
  /** `networks`: private networks with DNS aliases between instances (groups). */
  privateNetworks: boolean;
  /** `passwords`: the code-server password read back from the infrastructure and replaced by a new one. */
  passwordReset: boolean;
  /** `nodes`: the machines of a cluster its instances are scheduled on, which can be drained and activated. */
  nodes?: boolean;
  /**
   * Every published port is reachable on all addresses of the machine running the instance, whatever its hostIp (Docker
   * Swarm cannot bind one address): the core asks the user's consent for any published port, as for one beyond loopback.
   */
  publishesOnAllAddresses?: boolean;
}

/** Progress and cancellation for long operations. */
export interface OperationOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface CreateInstanceRequest {
  /** The registry id; the provider labels what it creates with it. */
  id: string;
  config: InstanceConfig;
  /** code-server password, when config.auth.type is "password". */
  password?: string;
  /** The values of config.secretEnv, by name: given to the instance as environment, never recorded with the config. */
  secretEnv?: Record<string, string>;
}

/** What an update may need again when it recreates the instance: the password and the secretEnv values it knows. */
export type InstanceSecrets = Pick<CreateInstanceRequest, 'password' | 'secretEnv'>;

/** What the infrastructure says about one instance. Providers are the truth about what runs. */
export interface ProviderInstance {
  id: string;
  name: string;
  status: InstanceStatus;
  urls: { ide?: string; ssh?: string };
  /** Ports as actually bound on the host. */
  ports: PortMapping[];
  /** The configuration recovered from the infrastructure (labels, metadata), for adopting instances made elsewhere. */
  config?: InstanceConfig;
  createdAt?: string;
  /** Provider-specific facts worth showing or keeping (container id, volume name, ...). */
  metadata: Record<string, string>;
}

export interface DeleteOptions {
  /** Keep the workspace volume. */
  keepWorkspace: boolean;
}

export interface StopOptions {
  force?: boolean;
}

export interface LogOptions {
  /** Number of lines from the end. */
  tail?: number;
  /** Only lines after this time. */
  since?: Date;
  timestamps?: boolean;
}

export interface ExecOptions {
  env?: Record<string, string>;
  workdir?: string;
  signal?: AbortSignal;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What a running instance uses, where its provider can tell (Docker: docker stats). */
export interface ResourceUsage {
  /** Percent of one CPU (200 = two CPUs busy), over the time since the previous reading; undefined on the first. */
  cpuPercent?: number;
  memoryBytes: number;
  memoryLimitBytes?: number;
}

/** A terminal's size in character cells. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** How an interactive shell ended: it exited, it was killed by a signal, or the connection to it was lost. */
export type ShellEnd = { kind: 'exited'; exitCode: number } | { kind: 'killed'; signal: string } | { kind: 'lost'; reason: string };

/** An interactive shell with a TTY inside an instance: what the integrated terminal attaches to. */
export interface ShellSession {
  /** Write what the user types; read what the shell prints (a TTY merges stdout and stderr). */
  readonly stream: Duplex;
  resize(size: TerminalSize): Promise<void>;
  /** Settles once, when the shell has ended; never rejects. */
  readonly ended: Promise<ShellEnd>;
  /** Ends the session from this side, e.g. when its terminal is closed. */
  close(): void;
}

export interface Provider {
  readonly type: string;
  readonly displayName: string;
  getCapabilities(): ProviderCapabilities;
  /** Checks the infrastructure can be reached; throws PROVIDER_UNAVAILABLE with what to check when it cannot. */
  initialize(): Promise<void>;
  /** Creates and starts an instance. A failure leaves nothing behind. */
  createInstance(request: CreateInstanceRequest, options?: OperationOptions): Promise<ProviderInstance>;
  getInstance(id: string): Promise<ProviderInstance | undefined>;
  /** Every instance of ours this provider can see, in as few API calls as it can (Docker: one). */
  listInstances(): Promise<ProviderInstance[]>;
  startInstance(id: string, options?: OperationOptions): Promise<ProviderInstance>;
  stopInstance(id: string, options?: StopOptions & OperationOptions): Promise<ProviderInstance>;
  restartInstance(id: string, options?: OperationOptions): Promise<ProviderInstance>;
  deleteInstance(id: string, options: DeleteOptions & OperationOptions): Promise<void>;
  /**
   * Applies a new configuration; the password and the secretEnv values are passed again for a recreate. A value not
   * passed is kept from the instance as it is where the provider can (Docker: the old container; Fly: app secrets).
   */
  updateInstance(id: string, config: InstanceConfig, options?: OperationOptions & InstanceSecrets): Promise<ProviderInstance>;
  getInstanceLogs(id: string, options?: LogOptions): Promise<string>;
  /** The log from `tail` lines back, then each line as it is written, until `signal` aborts or the instance stops (where logs can be followed). */
  followInstanceLogs?(id: string, options: { tail?: number; signal: AbortSignal }): Promise<Readable>;
  /** Runs an argv array (never a shell string) inside the instance. */
  executeCommand(id: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts an interactive login shell with a TTY of the given size (capability `shell`). */
  openShell(id: string, size: TerminalSize): Promise<ShellSession>;
  /** CPU and memory in use by a running instance (undefined when it does not run); providers that cannot tell leave it out. */
  getInstanceStats?(id: string): Promise<ResourceUsage | undefined>;
  /** How to reach the instance from this machine (capability `endpoints`). */
  getEndpoints?(id: string): Promise<InstanceEndpoints>;
  /** Workspace export and import (capability `workspaceTransfer`). */
  readonly workspaces?: WorkspaceTransfer;
  /** Private networks between instances (capability `privateNetworks`). */
  readonly networks?: PrivateNetworks;
  /** The code-server password as the infrastructure holds it (capability `passwordReset`). */
  readonly passwords?: InstancePasswords;
  /** The cluster's machines (capability `nodes`). */
  readonly nodes?: ClusterNodes;
  dispose(): void;
}

/**
 * How a front end reaches an instance: each picks what it needs (a browser tab the IDE URL, Remote-SSH the SSH
 * endpoint, Dev Containers the container), so none assumes a port published on this machine.
 */
export interface InstanceEndpoints {
  /** code-server, as a URL this machine can open. */
  ide?: string;
  ssh?: SshEndpointDescription;
  /** A container Dev Containers can attach to. */
  container?: ContainerReference;
}

export interface SshEndpointDescription {
  host: string;
  port: number;
  /** The user to log in as, when the provider knows it (an existing host); otherwise it is asked of the instance. */
  user?: string;
  /** The user's own private key for an existing host; absent: the ssh-agent, or a key Remote Swarm authorizes. */
  identityFile?: string;
  /** An argv whose stdin and stdout are the connection (ssh's ProxyCommand), when host:port is not reachable directly. */
  proxyCommand?: readonly string[];
  /**
   * existing-host: the user's own machine and login; its host key is verified when connecting. provisioned: an instance
   * Remote Swarm made; its host keys are read and a key of Remote Swarm's own is authorized through the provider's exec.
   */
  kind: 'existing-host' | 'provisioned';
}

export interface ContainerReference {
  /** The container's name on its engine. */
  name: string;
  /** The engine, when it is not the local default (DOCKER_HOST syntax: unix://, tcp://, ssh://). */
  engineHost?: string;
}

export interface ExportOptions extends OperationOptions {
  /**
   * Only these entries (relative to the workspace folder, e.g. "src/main.ts"; a folder with what it holds), named as
   * in a whole export; one that does not exist is left out. A provider that cannot choose exports everything, which
   * is never wrong, only slower: a migration reads back what it changed to verify it.
   */
  paths?: readonly string[];
}

/** A workspace as a tar stream of the workspace folder's contents (paths relative to it), for migration and backups. */
export interface WorkspaceTransfer {
  /** Streams the workspace out; the instance may be running or stopped. */
  exportWorkspace(id: string, options?: ExportOptions): Promise<Readable>;
  /**
   * Unpacks an archive into the workspace folder, over what is there; resolves once all of it is written. On failure
   * the archive is destroyed and what was already unpacked stays: a caller that must not lose data imports into a new
   * instance (migration keeps its source until the copy is verified).
   */
  importWorkspace(id: string, archive: Readable, options?: OperationOptions): Promise<void>;
  /**
   * Runs a command over the workspace of a stopped instance, whose own exec cannot (a helper beside it, the workspace
   * read-only); a migration lists a stopped source's workspace with it rather than reading all of it. Providers whose
   * exec works on a stopped instance leave it out.
   */
  execStopped?(id: string, argv: readonly string[], options?: OperationOptions): Promise<ExecResult>;
  /**
   * Copies entries of one of this provider's instances' workspace into another's, without the bytes passing through
   * this process: what a provider offers when its instances share a place that can do the copy itself (one Docker
   * engine). The result is as importing the source's export: entries unpacked over the target's, owned by the target
   * folder's owner, modes, times, symlinks, hard links and empty folders kept. Nothing is hashed: a caller that must
   * know what it copied copies from a stopped source and lists that source. Resolves once all is written; a cancel
   * stops the copy, and what was written stays.
   */
  copyBetween?(sourceId: string, targetId: string, options?: CopyBetweenOptions): Promise<void>;
}

export interface CopyBetweenOptions extends OperationOptions {
  /** Only these entries (relative to the workspace folder; a folder with what it holds); all of it without. */
  paths?: readonly string[];
  /** Bytes copied so far, now and then while the copy runs and once at its end, as near as the provider can tell. */
  onBytes?: (bytes: number) => void;
}

/**
 * An instance's code-server password where the infrastructure keeps it: recovered for an instance adopted without one
 * (made by another front end, or before a reinstall), and replaced on request.
 */
export interface InstancePasswords {
  /** The password the instance runs with, read from where its provider put it; undefined where there is none. */
  recover(id: string): Promise<string | undefined>;
  /** Makes the instance run with `password` from now on, keeping its workspace. */
  reset(id: string, password: string, options?: OperationOptions): Promise<ProviderInstance>;
}

export interface PrivateNetwork {
  /** The provider's id for it. */
  id: string;
  name: string;
  labels: Record<string, string>;
}

/** Networks that only their member instances share, where members find each other by DNS alias. */
export interface PrivateNetworks {
  /** Makes the network, labelled as Remote Swarm's; CONFLICT when one of that name exists. */
  createNetwork(name: string, labels?: Record<string, string>): Promise<PrivateNetwork>;
  listNetworks(): Promise<PrivateNetwork[]>;
  /** Joins a running or stopped instance to the network, reachable there by each alias. */
  connectInstance(network: string, id: string, aliases: readonly string[]): Promise<void>;
  disconnectInstance(network: string, id: string): Promise<void>;
  /** Removes the network; its members must have left it. A network that is gone already is not an error. */
  deleteNetwork(name: string): Promise<void>;
  /**
   * The host names a group's members reach each other by, where they are not the aliases of memberNetwork (a Fly.io
   * app's `<app>.internal`): the coordinator by its instance id, which a group chooses before the coordinator exists.
   */
  memberHosts?(group: string, coordinatorId: string | undefined): MemberHosts;
}

/** What a group's members are told to reach each other by (REMOTE_SWARM_COORDINATOR, REMOTE_SWARM_WORKERS). */
export interface MemberHosts {
  /** The coordinator's host name; unknown for a group that has lost its coordinator. */
  coordinator?: string;
  /** One name that resolves to every worker and follows scaling, where the provider has one. */
  workers?: string;
}

/** Whether a node takes new instances (active), keeps what it runs (pause), or hands its instances to other nodes (drain). */
export type NodeAvailability = 'active' | 'pause' | 'drain';

/** One machine of a cluster, as its scheduler sees it. */
export interface ClusterNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  availability: NodeAvailability;
  /** The scheduler's word for its health: "ready", "down", "unknown", "disconnected". */
  state: string;
  /** The address other nodes and this machine reach it at, where known. */
  address?: string;
  engineVersion?: string;
  cpuCores?: number;
  memoryBytes?: number;
  labels: Record<string, string>;
  /** The ids of the instances running or starting on it. */
  instances: string[];
}

/** The machines of a cluster (capability `nodes`): listed with the instances on each, drained and activated. */
export interface ClusterNodes {
  listNodes(): Promise<ClusterNode[]>;
  /** Drain moves the node's instances elsewhere (where their placement allows); active takes new ones again. */
  setAvailability(nodeId: string, availability: NodeAvailability): Promise<ClusterNode>;
}

/** What a provider is given by the front end that runs it. */
export interface ProviderContext {
  /** Persistent state (VS Code globalState, the CLI's state file) for providers that keep lists of their own. */
  state: KeyValueStore;
  secrets: SecretStore;
  log: Logger;
  clock: Clock;
  /** This user's owner id, the same in every front end (installationId.ts), for marking what a provider makes on shared infrastructure. */
  ownerId: () => string;
}

export type ProviderConstructor = (settings: Record<string, unknown>, context: ProviderContext) => Provider | Promise<Provider>;

/** A secret a provider reads (an API token), so that each front end can offer to set it. */
export interface ProviderSecret {
  /** The SecretStore key. */
  key: string;
  /** e.g. "Fly.io API token". */
  label: string;
  /** Where to get one, e.g. "a token from `fly tokens create org`". */
  hint: string;
}

/** Provider-specific options of an instance (config.options), declared and validated by the provider. */
export interface InstanceOptionsDeclaration {
  /** Validates config.options at create; its messages name the option. */
  schema: z.ZodType<Record<string, unknown>>;
  /** For front ends that render a form: each option's name and what it means. */
  fields: readonly { name: string; description: string; required: boolean }[];
}

/** What a provider type declares when it registers: the UI reads capabilities before any provider is started. */
export interface ProviderRegistration {
  type: string;
  displayName: string;
  capabilities: ProviderCapabilities;
  /** What an instance costs per hour, for the cost meter; a provider without one is free unless the user sets a price. */
  pricing?: InstancePricing;
  /** The nearest resources it offers to those asked for (Fly.io: its machine sizes), for a migration's plan; as asked where absent. */
  fitResources?: (requested: Resources) => Resources;
  instanceOptions?: InstanceOptionsDeclaration;
  secrets?: readonly ProviderSecret[];
  create: ProviderConstructor;
}

export type ProviderDescription = Omit<ProviderRegistration, 'create'>;

/** Providers register by type: a new provider is one new folder plus one registration line. */
export class ProviderFactory {
  private readonly registrations = new Map<string, ProviderRegistration>();

  register(registration: ProviderRegistration): void {
    if (this.registrations.has(registration.type)) throw new Error(`Provider type "${registration.type}" is already registered`);
    this.registrations.set(registration.type, registration);
  }

  types(): ProviderDescription[] {
    return [...this.registrations.values()].map(({ create: _create, ...description }) => description);
  }

  describe(type: string): ProviderDescription | undefined {
    return this.types().find((description) => description.type === type);
  }

  has(type: string): boolean {
    return this.registrations.has(type);
  }

  async create(type: string, settings: Record<string, unknown>, context: ProviderContext): Promise<Provider> {
    const registration = this.registrations.get(type);
    if (!registration) {
      const known = [...this.registrations.keys()].join(', ');
      throw new SwarmError('PROVIDER_NOT_REGISTERED', `provider: "${type}" is not a known provider type; use one of: ${known}`, { details: { field: 'provider' } });
    }
    return registration.create(settings, context);
  }
}

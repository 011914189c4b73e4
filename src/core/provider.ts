import type { Duplex } from 'node:stream';
import type { InstancePricing } from './cost/pricing';
import { SwarmError } from './errors';
import type { InstanceConfig, InstanceStatus, PortMapping } from './models';

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
}

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
  /** Applies a new configuration; `password` is passed again when the instance must be recreated. */
  updateInstance(id: string, config: InstanceConfig, options?: OperationOptions & { password?: string }): Promise<ProviderInstance>;
  getInstanceLogs(id: string, options?: LogOptions): Promise<string>;
  /** Runs an argv array (never a shell string) inside the instance. */
  executeCommand(id: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Starts an interactive login shell with a TTY of the given size (capability `shell`). */
  openShell(id: string, size: TerminalSize): Promise<ShellSession>;
  /** CPU and memory in use by a running instance (undefined when it does not run); providers that cannot tell leave it out. */
  getInstanceStats?(id: string): Promise<ResourceUsage | undefined>;
  dispose(): void;
}

export type ProviderConstructor = (settings: Record<string, unknown>) => Provider;

/** What a provider type declares when it registers: the UI reads capabilities before any provider is started. */
export interface ProviderRegistration {
  type: string;
  displayName: string;
  capabilities: ProviderCapabilities;
  /** What an instance costs per hour, for the cost meter; a provider without one is free unless the user sets a price. */
  pricing?: InstancePricing;
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
    return [...this.registrations.values()].map(({ type, displayName, capabilities, pricing }) => ({ type, displayName, capabilities, pricing }));
  }

  describe(type: string): ProviderDescription | undefined {
    return this.types().find((description) => description.type === type);
  }

  has(type: string): boolean {
    return this.registrations.has(type);
  }

  create(type: string, settings: Record<string, unknown> = {}): Provider {
    const registration = this.registrations.get(type);
    if (!registration) {
      const known = [...this.registrations.keys()].join(', ');
      throw new SwarmError('PROVIDER_NOT_REGISTERED', `provider: "${type}" is not a known provider type; use one of: ${known}`, { details: { field: 'provider' } });
    }
    return registration.create(settings);
  }
}

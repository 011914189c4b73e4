import { FLY_API_GRAPHQL, FLY_API_HOSTNAME } from 'fly-admin/dist/client';
import type { CreateMachineRequest, StopMachineRequest, UpdateMachineRequest, WaitMachineRequest } from 'fly-admin/dist/lib/machine';
import type { AllocateIPAddressInput } from 'fly-admin/dist/lib/network';
import { systemClock, type Clock } from '../../core/clock';
import { silentLogger, type Logger } from '../../core/logger';
import { FLY_RATE_LIMITS, FlyRateLimiter, type RateLimitTable } from './flyRateLimiter';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './flyRetry';
import { FlyAdminTransport, type FlyEndpoints } from './flyTransport';
import type {
  CreateMachineOptions,
  CreateVolumeOptions,
  ExtendVolumeResult,
  FlyApp,
  FlyAppSummary,
  FlyExecResult,
  FlyIpAddress,
  FlyIpType,
  FlyMachine,
  FlyOrganization,
  FlyRegion,
  FlyVolume,
  StopMachineOptions,
  UpdateMachineOptions,
  WaitMachineOptions,
} from './flyTypes';

export const DEFAULT_FLY_ENDPOINTS: FlyEndpoints = { apiUrl: FLY_API_HOSTNAME, graphqlUrl: FLY_API_GRAPHQL };

export interface FlyClientOptions extends Partial<FlyEndpoints> {
  token: string;
  logger?: Logger;
  clock?: Clock;
  retry?: Partial<RetryPolicy>;
  rateLimits?: RateLimitTable;
  /** The HTTP client; tests wrap it to count or observe requests. */
  fetch?: typeof fetch;
  /** Per request, except /wait which gets its own timeout plus this margin. */
  requestTimeoutMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** The rate-limited actions: one budget per action and per machine, app or organization. */
export type FlyAction =
  | 'apps.list'
  | 'app.get'
  | 'apps.create'
  | 'app.delete'
  | 'machines.list'
  | 'machines.create'
  | 'machine.get'
  | 'machine.update'
  | 'machine.start'
  | 'machine.stop'
  | 'machine.restart'
  | 'machine.delete'
  | 'machine.wait'
  | 'machine.exec'
  | 'volumes.list'
  | 'volumes.create'
  | 'volume.get'
  | 'volume.extend'
  | 'volume.delete'
  | 'ips.list'
  | 'ips.allocate'
  | 'ips.release'
  | 'secrets.set'
  | 'organization.get'
  | 'regions.list';

interface CallSpec extends CallOptions {
  action: FlyAction;
  /** What the action's rate limit is counted per: a machine, an app or an organization. */
  scope: string;
  /** Whether sending twice does no harm (see withRetry). */
  idempotent: boolean;
  timeoutMs?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Typed access to Fly's Machines API and the GraphQL operations fly-admin offers. Every call waits for its rate-limit
 * slot, is retried per the policy when the failure is retryable, and fails with a FlyError.
 *
 * fly-admin declares machine states, signals and restart policies as TypeScript enums; on the wire they are the same
 * strings as this module's literal types, so requests and machine results are cast at the calls below.
 */
export class FlyClient {
  readonly endpoints: FlyEndpoints;
  private readonly limiter: FlyRateLimiter;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly fetch: typeof fetch;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: FlyClientOptions) {
    this.endpoints = { apiUrl: options.apiUrl ?? DEFAULT_FLY_ENDPOINTS.apiUrl, graphqlUrl: options.graphqlUrl ?? DEFAULT_FLY_ENDPOINTS.graphqlUrl };
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.limiter = new FlyRateLimiter(options.rateLimits ?? FLY_RATE_LIMITS, this.clock);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  // Apps

  async listApps(org: string, options?: CallOptions): Promise<FlyAppSummary[]> {
    const { apps } = await this.call({ ...options, action: 'apps.list', scope: org, idempotent: true }, (admin) => admin.App.listApps(org));
    return apps.map(({ name, machine_count }) => ({ name, machine_count }));
  }

  getApp(name: string, options?: CallOptions): Promise<FlyApp> {
    return this.call({ ...options, action: 'app.get', scope: name, idempotent: true }, (admin) => admin.App.getApp(name));
  }

  createApp(name: string, org: string, options?: CallOptions): Promise<void> {
    return this.call({ ...options, action: 'apps.create', scope: org, idempotent: false }, (admin) => admin.App.createApp({ app_name: name, org_slug: org }));
  }

  /** Deletes the app with everything in it: machines, volumes and IP addresses. */
  deleteApp(name: string, options?: CallOptions): Promise<void> {
    return this.call({ ...options, action: 'app.delete', scope: name, idempotent: true }, (admin) => admin.App.deleteApp(name));
  }

  // Machines

  listMachines(app: string, options?: CallOptions): Promise<FlyMachine[]> {
    return this.call({ ...options, action: 'machines.list', scope: app, idempotent: true }, (admin) => admin.Machine.listMachines(app) as Promise<unknown> as Promise<FlyMachine[]>);
  }

  getMachine(app: string, machineId: string, options?: CallOptions): Promise<FlyMachine> {
    return this.call(
      { ...options, action: 'machine.get', scope: `${app}/${machineId}`, idempotent: true },
      (admin) => admin.Machine.getMachine({ app_name: app, machine_id: machineId }) as Promise<unknown> as Promise<FlyMachine>,
    );
  }

  createMachine(app: string, machine: CreateMachineOptions, options?: CallOptions): Promise<FlyMachine> {
    const request = { app_name: app, name: machine.name, region: machine.region, config: machine.config, skip_launch: machine.skipLaunch } as unknown as CreateMachineRequest;
    return this.call({ ...options, action: 'machines.create', scope: app, idempotent: false }, (admin) => admin.Machine.createMachine(request) as Promise<unknown> as Promise<FlyMachine>);
  }

  updateMachine(app: string, machineId: string, update: UpdateMachineOptions, options?: CallOptions): Promise<FlyMachine> {
    const request = {
      app_name: app,
      machine_id: machineId,
      config: update.config,
      current_version: update.currentVersion,
      skip_launch: update.skipLaunch,
    } as unknown as UpdateMachineRequest;
    return this.call(
      { ...options, action: 'machine.update', scope: `${app}/${machineId}`, idempotent: false },
      (admin) => admin.Machine.updateMachine(request) as Promise<unknown> as Promise<FlyMachine>,
    );
  }

  async startMachine(app: string, machineId: string, options?: CallOptions): Promise<void> {
    await this.call({ ...options, action: 'machine.start', scope: `${app}/${machineId}`, idempotent: false }, (admin) => admin.Machine.startMachine({ app_name: app, machine_id: machineId }));
  }

  async stopMachine(app: string, machineId: string, stop: StopMachineOptions = {}, options?: CallOptions): Promise<void> {
    const request = {
      app_name: app,
      machine_id: machineId,
      ...(stop.signal === undefined ? {} : { signal: stop.signal }),
      ...(stop.timeoutSeconds === undefined ? {} : { timeout: `${stop.timeoutSeconds}s` }),
    } as StopMachineRequest;
    await this.call({ ...options, action: 'machine.stop', scope: `${app}/${machineId}`, idempotent: false }, (admin) => admin.Machine.stopMachine(request));
  }

  async restartMachine(app: string, machineId: string, timeoutSeconds?: number, options?: CallOptions): Promise<void> {
    const request = { app_name: app, machine_id: machineId, ...(timeoutSeconds === undefined ? {} : { timeout: `${timeoutSeconds}s` }) };
    await this.call({ ...options, action: 'machine.restart', scope: `${app}/${machineId}`, idempotent: false }, (admin) => admin.Machine.restartMachine(request));
  }

  async deleteMachine(app: string, machineId: string, force = false, options?: CallOptions): Promise<void> {
    await this.call(
      { ...options, action: 'machine.delete', scope: `${app}/${machineId}`, idempotent: true },
      (admin) => admin.Machine.deleteMachine({ app_name: app, machine_id: machineId, force }),
    );
  }

  /** One /wait request: resolves when the machine is in the state, fails with a `timeout` FlyError (408) when not within the timeout. */
  async waitMachine(app: string, machineId: string, wait: WaitMachineOptions, options?: CallOptions): Promise<void> {
    const request = {
      app_name: app,
      machine_id: machineId,
      state: wait.state,
      timeout: String(wait.timeoutSeconds),
      ...(wait.instanceId === undefined ? {} : { instance_id: wait.instanceId }),
    } as WaitMachineRequest;
    await this.call(
      { ...options, action: 'machine.wait', scope: `${app}/${machineId}`, idempotent: true, timeoutMs: wait.timeoutSeconds * 1000 + this.requestTimeoutMs },
      (admin) => admin.Machine.waitMachine(request),
    );
  }

  /** Runs an argv array in a started machine (fly-admin has no method for it; its transport does the request). */
  exec(app: string, machineId: string, command: readonly string[], timeoutSeconds: number, options?: CallOptions): Promise<FlyExecResult> {
    return this.call(
      { ...options, action: 'machine.exec', scope: `${app}/${machineId}`, idempotent: false, timeoutMs: timeoutSeconds * 1000 + this.requestTimeoutMs },
      (admin) => admin.restOrThrow<unknown, FlyExecResult>(`apps/${app}/machines/${machineId}/exec`, 'POST', { command: [...command], timeout: timeoutSeconds }),
    );
  }

  // Volumes

  listVolumes(app: string, options?: CallOptions): Promise<FlyVolume[]> {
    return this.call({ ...options, action: 'volumes.list', scope: app, idempotent: true }, (admin) => admin.Volume.listVolumes(app));
  }

  getVolume(app: string, volumeId: string, options?: CallOptions): Promise<FlyVolume> {
    return this.call({ ...options, action: 'volume.get', scope: app, idempotent: true }, (admin) => admin.Volume.getVolume({ app_name: app, volume_id: volumeId }));
  }

  createVolume(app: string, volume: CreateVolumeOptions, options?: CallOptions): Promise<FlyVolume> {
    return this.call(
      { ...options, action: 'volumes.create', scope: app, idempotent: false },
      (admin) => admin.Volume.createVolume({ app_name: app, name: volume.name, region: volume.region, size_gb: volume.sizeGb, encrypted: volume.encrypted }),
    );
  }

  extendVolume(app: string, volumeId: string, sizeGb: number, options?: CallOptions): Promise<ExtendVolumeResult> {
    return this.call(
      { ...options, action: 'volume.extend', scope: app, idempotent: false },
      (admin) => admin.Volume.extendVolume({ app_name: app, volume_id: volumeId, size_gb: sizeGb }),
    );
  }

  /** Fly keeps a deleted volume soft-deleted for 24 hours. */
  deleteVolume(app: string, volumeId: string, options?: CallOptions): Promise<FlyVolume> {
    return this.call({ ...options, action: 'volume.delete', scope: app, idempotent: true }, (admin) => admin.Volume.deleteVolume({ app_name: app, volume_id: volumeId }));
  }

  // IP addresses, secrets, organization and regions: GraphQL

  async listIpAddresses(app: string, options?: CallOptions): Promise<FlyIpAddress[]> {
    const detailed = await this.call({ ...options, action: 'ips.list', scope: app, idempotent: true }, (admin) => admin.App.getAppDetailed(app));
    return detailed.ipAddresses as FlyIpAddress[];
  }

  /** Fly answers a shared IPv4 allocation without an address (the app then shares its region's IPv4): undefined then. */
  async allocateIpAddress(app: string, type: FlyIpType, options?: CallOptions): Promise<FlyIpAddress | undefined> {
    const input = { appId: app, type } as AllocateIPAddressInput;
    const { allocateIpAddress } = await this.call({ ...options, action: 'ips.allocate', scope: app, idempotent: false }, (admin) => admin.Network.allocateIpAddress(input));
    return allocateIpAddress.ipAddress ?? undefined;
  }

  async releaseIpAddress(app: string, address: string, options?: CallOptions): Promise<void> {
    await this.call({ ...options, action: 'ips.release', scope: app, idempotent: true }, (admin) => admin.Network.releaseIpAddress({ appId: app, ip: address }));
  }

  /** Sets app secrets; machines see them as environment variables from their next start. */
  async setSecrets(app: string, secrets: Record<string, string>, options?: CallOptions): Promise<void> {
    const input = { appId: app, secrets: Object.entries(secrets).map(([key, value]) => ({ key, value })) };
    await this.call({ ...options, action: 'secrets.set', scope: app, idempotent: true }, (admin) => admin.Secret.setSecrets(input));
  }

  /** Undefined when the token sees no organization with that slug. */
  async getOrganization(slug: string, options?: CallOptions): Promise<FlyOrganization | undefined> {
    const { organization } = await this.call({ ...options, action: 'organization.get', scope: slug, idempotent: true }, (admin) => admin.Organization.getOrganization(slug));
    return organization ?? undefined;
  }

  async listRegions(options?: CallOptions): Promise<FlyRegion[]> {
    const { platform } = await this.call({ ...options, action: 'regions.list', scope: 'platform', idempotent: true }, (admin) => admin.Regions.getRegions());
    return platform.regions.map(({ code, name }) => ({ code, name }));
  }

  private call<T>(spec: CallSpec, send: (admin: FlyAdminTransport) => Promise<T>): Promise<T> {
    const { action, scope, idempotent, signal } = spec;
    return withRetry(
      async () => {
        await this.limiter.acquire(action, scope, signal);
        const timeout = AbortSignal.timeout(spec.timeoutMs ?? this.requestTimeoutMs);
        const admin = new FlyAdminTransport({
          ...this.endpoints,
          token: this.options.token,
          fetch: this.fetch,
          logger: this.logger,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
          cancelled: () => signal?.aborted ?? false,
        });
        return send(admin);
      },
      { policy: this.retry, clock: this.clock, logger: this.logger, description: `${action} ${scope}`, idempotent, signal },
    );
  }
}

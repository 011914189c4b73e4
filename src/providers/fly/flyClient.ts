import { FLY_API_GRAPHQL, FLY_API_HOSTNAME } from 'fly-admin/dist/client';
import type { CreateMachineRequest, StopMachineRequest, UpdateMachineRequest, WaitMachineRequest } from 'fly-admin/dist/lib/machine';
import type { AllocateIPAddressInput } from 'fly-admin/dist/lib/network';
import { systemClock, type Clock } from '../../core/clock';
import { silentLogger, type Logger } from '../../core/logger';
import { APP_NETWORKS_QUERY, APPS_WITH_MACHINES_QUERY, appNetworksPage, appsPage, type AppNetworksAnswer, type AppsWithMachinesAnswer } from './flyAppsQuery';
import { collectPages, DEFAULT_PAGE_SIZES, pageQuery, type FlyPage, type FlyPageSizes } from './flyPages';
import { FLY_RATE_LIMITS, FlyRateLimiter, type RateLimitTable } from './flyRateLimiter';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './flyRetry';
import { FlyAdminTransport, type FlyEndpoints } from './flyTransport';
import type {
  CreateMachineOptions,
  CreateVolumeOptions,
  ExtendVolumeResult,
  FlyApp,
  FlyAppMachines,
  FlyAppNetwork,
  FlyAppSummary,
  FlyExecResult,
  FlyIpAddress,
  FlyIpType,
  FlyMachine,
  FlyOrganization,
  FlyRegion,
  FlyVolume,
  FlyWaitResult,
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
  /** Items per page of the paged lists; tests make them small to see paging. */
  pageSizes?: Partial<FlyPageSizes>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** The rate-limited actions: one budget per action and per machine, app or organization. */
export type FlyAction =
  | 'apps.list'
  | 'apps.machines.list'
  | 'apps.networks.list'
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
  private readonly pageSizes: FlyPageSizes;

  constructor(private readonly options: FlyClientOptions) {
    this.endpoints = { apiUrl: options.apiUrl ?? DEFAULT_FLY_ENDPOINTS.apiUrl, graphqlUrl: options.graphqlUrl ?? DEFAULT_FLY_ENDPOINTS.graphqlUrl };
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.limiter = new FlyRateLimiter(options.rateLimits ?? FLY_RATE_LIMITS, this.clock);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.pageSizes = { ...DEFAULT_PAGE_SIZES, ...options.pageSizes };
  }

  // Apps

  /** Every page: the spec's apps list names the next page's cursor in its body (`next_cursor`). */
  listApps(org: string, options?: CallOptions): Promise<FlyAppSummary[]> {
    return collectPages(async (cursor) => {
      const path = `apps?${pageQuery(this.pageSizes.apps, cursor, { org_slug: org })}`;
      const { apps, next_cursor } = await this.call({ ...options, action: 'apps.list', scope: org, idempotent: true }, (admin) =>
        admin.restOrThrow<never, { apps: FlyAppSummary[]; next_cursor?: string }>(path),
      );
      return { items: apps.map(({ name, machine_count }) => ({ name, machine_count })), ...(next_cursor ? { nextCursor: next_cursor } : {}) };
    });
  }

  /**
   * The organization's apps with their machines over GraphQL, a page of apps per request: one request for as many
   * apps as a page holds, where REST needs one per app. An app the query could not answer for comes without machines.
   */
  listAppsWithMachines(org: string, options?: CallOptions): Promise<FlyAppMachines[]> {
    const { appsWithMachines: first, machinesPerApp } = this.pageSizes;
    return collectPages(async (after) => {
      const variables = { slug: org, first, machinesPerApp, ...(after === undefined ? {} : { after }) };
      const answer = await this.call({ ...options, action: 'apps.machines.list', scope: org, idempotent: true }, (admin) =>
        admin.gqlPostOrThrow<unknown, AppsWithMachinesAnswer>({ query: APPS_WITH_MACHINES_QUERY, variables }),
      );
      return appsPage(answer, org);
    });
  }

  getApp(name: string, options?: CallOptions): Promise<FlyApp> {
    return this.call({ ...options, action: 'app.get', scope: name, idempotent: true }, (admin) => admin.App.getApp(name));
  }

  /** Every page of the organization's apps with the private network each was created on (GraphQL: App.network). */
  listAppNetworks(org: string, options?: CallOptions): Promise<FlyAppNetwork[]> {
    return collectPages(async (after) => {
      const variables = { slug: org, first: this.pageSizes.appsWithMachines, ...(after === undefined ? {} : { after }) };
      const answer = await this.call({ ...options, action: 'apps.networks.list', scope: org, idempotent: true }, (admin) =>
        admin.gqlPostOrThrow<unknown, AppNetworksAnswer>({ query: APP_NETWORKS_QUERY, variables }),
      );
      return appNetworksPage(answer, org);
    });
  }

  /** `network`: the private network the app's machines join, fixed for the app's life; none: the organization's default. */
  createApp(name: string, org: string, { network, ...options }: CallOptions & { network?: string } = {}): Promise<void> {
    return this.call({ ...options, action: 'apps.create', scope: org, idempotent: false }, (admin) =>
      admin.App.createApp({ app_name: name, org_slug: org, ...(network === undefined ? {} : { network }) }),
    );
  }

  /** Deletes the app with everything in it: machines, volumes and IP addresses. */
  deleteApp(name: string, options?: CallOptions): Promise<void> {
    return this.call({ ...options, action: 'app.delete', scope: name, idempotent: true }, (admin) => admin.App.deleteApp(name));
  }

  // Machines

  /** Every page (`fly-next-cursor`). */
  listMachines(app: string, options?: CallOptions): Promise<FlyMachine[]> {
    return collectPages((cursor) => this.headerPage<FlyMachine>('machines.list', app, `apps/${app}/machines?${pageQuery(this.pageSizes.machines, cursor)}`, options));
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

  /** The spec takes the graceful timeout as a query parameter (fly-admin would send it in the body, where Fly ignores it). */
  async restartMachine(app: string, machineId: string, timeoutSeconds?: number, options?: CallOptions): Promise<void> {
    const query = timeoutSeconds === undefined ? '' : `?${new URLSearchParams({ timeout: `${timeoutSeconds}s` })}`;
    await this.call({ ...options, action: 'machine.restart', scope: `${app}/${machineId}`, idempotent: false }, (admin) =>
      admin.restOrThrow(`apps/${app}/machines/${machineId}/restart${query}`, 'POST'),
    );
  }

  /** `force` kills a running machine first (the spec's parameter; fly-admin would send `kill`, which Fly ignores). */
  async deleteMachine(app: string, machineId: string, force = false, options?: CallOptions): Promise<void> {
    await this.call({ ...options, action: 'machine.delete', scope: `${app}/${machineId}`, idempotent: true }, (admin) =>
      admin.restOrThrow(`apps/${app}/machines/${machineId}${force ? '?force=true' : ''}`, 'DELETE'),
    );
  }

  /**
   * One /wait request: resolves with the state reached once the machine is in one of the states, fails with a
   * `timeout` FlyError (408) when not within the timeout.
   */
  async waitMachine(app: string, machineId: string, wait: WaitMachineOptions, options?: CallOptions): Promise<FlyWaitResult> {
    const request = {
      app_name: app,
      machine_id: machineId,
      state: wait.states.join(','),
      timeout: String(wait.timeoutSeconds),
      ...(wait.instanceId === undefined ? {} : { instance_id: wait.instanceId }),
    } as WaitMachineRequest;
    const answer: unknown = await this.call(
      { ...options, action: 'machine.wait', scope: `${app}/${machineId}`, idempotent: true, timeoutMs: wait.timeoutSeconds * 1000 + this.requestTimeoutMs },
      (admin) => admin.Machine.waitMachine(request),
    );
    const state = (answer as FlyWaitResult | undefined)?.state;
    return typeof state === 'string' ? { state } : {};
  }

  /** Runs an argv array in a started machine (fly-admin has no method for it; its transport does the request). */
  exec(app: string, machineId: string, command: readonly string[], timeoutSeconds: number, options?: CallOptions): Promise<FlyExecResult> {
    return this.call(
      { ...options, action: 'machine.exec', scope: `${app}/${machineId}`, idempotent: false, timeoutMs: timeoutSeconds * 1000 + this.requestTimeoutMs },
      (admin) => admin.restOrThrow<unknown, FlyExecResult>(`apps/${app}/machines/${machineId}/exec`, 'POST', { command: [...command], timeout: timeoutSeconds }),
    );
  }

  // Volumes

  /** Every page (`fly-next-cursor`). */
  listVolumes(app: string, options?: CallOptions): Promise<FlyVolume[]> {
    return collectPages((cursor) => this.headerPage<FlyVolume>('volumes.list', app, `apps/${app}/volumes?${pageQuery(this.pageSizes.volumes, cursor)}`, options));
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

  /** One page of a REST list whose next cursor comes in the `fly-next-cursor` header. */
  private async headerPage<T>(action: FlyAction, app: string, path: string, options: CallOptions | undefined): Promise<FlyPage<T>> {
    const { body, headers } = await this.call({ ...options, action, scope: app, idempotent: true }, (admin) => admin.restWithHeaders<never, T[]>(path));
    const nextCursor = headers.get('fly-next-cursor');
    return { items: body, ...(nextCursor ? { nextCursor } : {}) };
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

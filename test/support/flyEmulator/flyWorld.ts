import { randomBytes } from 'node:crypto';
import { GraphqlFailure, badRequest, notFound, preconditionFailed, unprocessable } from './apiFailure';
import type { MachineRuntime } from './machineRuntime';
import { MachineFleet, type EmulatedMachine } from './machineFleet';
import { connection } from './pages';
import { NEAREST_REGION, REGIONS, isRegion } from './regions';

export interface EmulatedVolume {
  id: string;
  name: string;
  region: string;
  zone: string;
  size_gb: number;
  encrypted: boolean;
  /** Deleted volumes stay soft-deleted (pending_destroy) for 24 hours on Fly. */
  state: 'created' | 'pending_destroy';
  attached_machine_id: string | null;
  created_at: string;
}

export interface EmulatedIp {
  id: string;
  address: string;
  type: 'v4' | 'v6' | 'shared_v4' | 'private_v6';
  region: string;
  createdAt: string;
}

export interface EmulatedApp {
  id: string;
  name: string;
  org: string;
  /** The private network it was created on (CreateAppRequest.network), or the organization's default. */
  network: string;
  createdAt: string;
  secrets: Map<string, string>;
  ips: EmulatedIp[];
  machines: Map<string, EmulatedMachine>;
  volumes: Map<string, EmulatedVolume>;
}

export interface Inventory {
  apps: string[];
  /** Machines not destroyed. */
  machines: number;
  /** Volumes not deleted. */
  volumes: number;
  ips: number;
}

/** Fly app names: lower-case letters, digits and dashes (they become <app>.fly.dev). */
const APP_NAME = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;
/** The network of an app created without one. */
export const DEFAULT_NETWORK = 'default';
/**
 * Fly documents no rules for network names ("some-arbitrary-name"); the emulator takes what is safe as a DNS label and
 * refuses the rest, so a client that passes here sends nothing Fly could read differently.
 */
const NETWORK_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Fly volume names: lower-case letters, digits and underscores, at most 30 characters. */
const VOLUME_NAME = /^[a-z0-9_]{1,30}$/;
const MAX_VOLUME_GB = 500;

const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');
const nowIso = () => new Date().toISOString();

/** The state of the emulated Fly organization(s): apps with their machines, volumes, IP addresses and secrets. */
export class FlyWorld {
  private readonly apps = new Map<string, EmulatedApp>();
  /** App names taken by someone else on Fly (app names are global). */
  private readonly takenNames = new Set<string>();
  readonly machines: MachineFleet;

  constructor(
    readonly orgs: readonly string[],
    readonly runtime: MachineRuntime,
  ) {
    this.machines = new MachineFleet(this, runtime);
  }

  reserveAppName(name: string): void {
    this.takenNames.add(name);
  }

  requireApp(name: string): EmulatedApp {
    const app = this.apps.get(name);
    if (!app) throw notFound('app');
    return app;
  }

  requireOrg(slug: string | undefined): string {
    if (slug === undefined || slug === '') throw badRequest('org_slug is required');
    if (!this.orgs.includes(slug)) throw notFound('organization');
    return slug;
  }

  requireRegion(region: string | undefined): string {
    const code = region ?? NEAREST_REGION;
    if (!isRegion(code)) throw unprocessable(`invalid region "${code}"; see platform { regions } for the valid ones`);
    return code;
  }

  inventory(): Inventory {
    const apps = [...this.apps.values()];
    return {
      apps: apps.map((app) => app.name),
      machines: apps.flatMap((app) => [...app.machines.values()]).filter((machine) => machine.state !== 'destroyed').length,
      volumes: apps.flatMap((app) => [...app.volumes.values()]).filter((volume) => volume.state === 'created').length,
      ips: apps.flatMap((app) => app.ips).length,
    };
  }

  // Apps (REST)

  listApps(org: string | undefined) {
    const slug = this.requireOrg(org);
    return this.appsOf(slug).map((app) => ({ id: app.id, name: app.name, machine_count: this.machines.liveCount(app), network: app.network }));
  }

  private appsOf(org: string): EmulatedApp[] {
    return [...this.apps.values()].filter((app) => app.org === org);
  }

  getApp(name: string) {
    const app = this.requireApp(name);
    return { id: app.id, name: app.name, organization: { name: app.org, slug: app.org }, status: this.machines.liveCount(app) > 0 ? 'deployed' : 'pending' };
  }

  /** fly-admin sends `app_name`; the newest spec also accepts `name`. `network` puts the app on a private network of its own. */
  createApp(body: { app_name?: string; name?: string; org_slug?: string; network?: string }): void {
    const name = body.app_name ?? body.name;
    const org = this.requireOrg(body.org_slug);
    if (name === undefined || !APP_NAME.test(name)) throw unprocessable(`invalid app name "${name ?? ''}": use lower-case letters, digits and dashes`);
    const network = body.network ?? DEFAULT_NETWORK;
    if (!NETWORK_NAME.test(network)) throw unprocessable(`invalid network "${network}": use at most 63 lower-case letters, digits and inner dashes`);
    if (this.apps.has(name) || this.takenNames.has(name)) throw unprocessable('Validation failed: Name has already been taken', 'name_taken');
    this.apps.set(name, { id: name, name, org, network, createdAt: nowIso(), secrets: new Map(), ips: [], machines: new Map(), volumes: new Map() });
  }

  /** Deleting an app destroys its machines and volumes and releases its IP addresses. */
  async deleteApp(name: string): Promise<void> {
    const app = this.requireApp(name);
    this.apps.delete(name);
    await this.machines.destroyAll(app);
    await Promise.all([...app.volumes.keys()].map((id) => this.runtime.destroyVolume(id)));
  }

  // Volumes (REST)

  listVolumes(appName: string): EmulatedVolume[] {
    return [...this.requireApp(appName).volumes.values()];
  }

  requireVolume(app: EmulatedApp, id: string): EmulatedVolume {
    const volume = app.volumes.get(id);
    if (!volume) throw notFound('volume');
    return volume;
  }

  createVolume(appName: string, body: { name?: string; region?: string; size_gb?: number; encrypted?: boolean }): EmulatedVolume {
    const app = this.requireApp(appName);
    if (body.name === undefined || !VOLUME_NAME.test(body.name)) throw unprocessable(`invalid volume name "${body.name ?? ''}": use at most 30 lower-case letters, digits and underscores`);
    if (body.region === undefined) throw unprocessable('region is required');
    const region = this.requireRegion(body.region);
    const size = body.size_gb ?? 1;
    if (size < 1 || size > MAX_VOLUME_GB) throw unprocessable(`size_gb must be between 1 and ${MAX_VOLUME_GB}`);
    const volume: EmulatedVolume = {
      id: `vol_${randomHex(8)}`,
      name: body.name,
      region,
      zone: randomHex(2),
      size_gb: size,
      encrypted: body.encrypted ?? true,
      state: 'created',
      attached_machine_id: null,
      created_at: nowIso(),
    };
    app.volumes.set(volume.id, volume);
    return volume;
  }

  extendVolume(appName: string, id: string, body: { size_gb?: number }) {
    const app = this.requireApp(appName);
    const volume = this.requireVolume(app, id);
    const size = body.size_gb ?? 0;
    if (size <= volume.size_gb) throw unprocessable(`size_gb must be larger than the current ${volume.size_gb} GB: volumes cannot shrink`);
    if (size > MAX_VOLUME_GB) throw unprocessable(`size_gb must be at most ${MAX_VOLUME_GB}`);
    volume.size_gb = size;
    const attached = volume.attached_machine_id === null ? undefined : app.machines.get(volume.attached_machine_id);
    if (attached) this.machines.refreshMounts(app, attached);
    return { needs_restart: attached?.state === 'started', volume };
  }

  async deleteVolume(appName: string, id: string): Promise<EmulatedVolume> {
    const app = this.requireApp(appName);
    const volume = this.requireVolume(app, id);
    const attached = volume.attached_machine_id === null ? undefined : app.machines.get(volume.attached_machine_id);
    if (attached && attached.state !== 'destroyed') throw preconditionFailed(`volume ${id} is attached to machine ${attached.id}; destroy the machine first`);
    volume.state = 'pending_destroy';
    await this.runtime.destroyVolume(id);
    return volume;
  }

  // GraphQL: IP addresses, secrets, organization, regions

  private graphqlApp(name: unknown): EmulatedApp {
    const app = typeof name === 'string' ? this.apps.get(name) : undefined;
    if (!app) throw new GraphqlFailure('Could not find App', 'NOT_FOUND');
    return app;
  }

  appDetailed(name: unknown) {
    const app = this.graphqlApp(name);
    return {
      app: {
        name: app.name,
        status: this.getApp(app.name).status,
        organization: { name: app.org, slug: app.org },
        ipAddresses: { nodes: app.ips.map(({ type, region, address }) => ({ type, region, address })) },
      },
    };
  }

  /** Fly answers a shared IPv4 allocation with `ipAddress: null`; the app then shares an address. */
  allocateIp(input: { appId?: unknown; type?: unknown; region?: unknown }) {
    const app = this.graphqlApp(input.appId);
    const type = input.type;
    if (type !== 'v4' && type !== 'v6' && type !== 'shared_v4' && type !== 'private_v6') {
      throw new GraphqlFailure(`Variable $input of type AllocateIPAddressInput! was provided invalid value for type (Expected "${String(type)}" to be one of: private_v6, shared_v4, v4, v6)`);
    }
    if (type === 'shared_v4' && app.ips.some((ip) => ip.type === 'shared_v4')) return { allocateIpAddress: { ipAddress: null } };
    const ip: EmulatedIp = { id: `ip_${randomHex(6)}`, address: newAddress(type), type, region: typeof input.region === 'string' ? input.region : 'global', createdAt: nowIso() };
    app.ips.push(ip);
    return { allocateIpAddress: { ipAddress: type === 'shared_v4' ? null : ip } };
  }

  releaseIp(input: { appId?: unknown; ip?: unknown; ipAddressId?: unknown }) {
    const app = this.graphqlApp(input.appId);
    const index = app.ips.findIndex((ip) => ip.address === input.ip || ip.id === input.ipAddressId);
    if (index === -1) throw new GraphqlFailure('Could not find IPAddress', 'NOT_FOUND');
    app.ips.splice(index, 1);
    return { releaseIpAddress: { app: { name: app.name } } };
  }

  setSecrets(input: { appId?: unknown; secrets?: unknown; replaceAll?: unknown }) {
    const app = this.graphqlApp(input.appId);
    if (!Array.isArray(input.secrets) || input.secrets.some((s) => typeof s?.key !== 'string' || typeof s?.value !== 'string')) {
      throw new GraphqlFailure('secrets must be a list of { key, value } strings', 'BAD_USER_INPUT');
    }
    if (input.replaceAll === true) app.secrets.clear();
    for (const { key, value } of input.secrets as { key: string; value: string }[]) app.secrets.set(key, value);
    return { setSecrets: { release: release('Secrets set') } };
  }

  unsetSecrets(input: { appId?: unknown; keys?: unknown }) {
    const app = this.graphqlApp(input.appId);
    for (const key of Array.isArray(input.keys) ? input.keys : []) app.secrets.delete(String(key));
    return { unsetSecrets: { release: release('Secrets unset') } };
  }

  /**
   * An organization as GraphQL resolves it: its apps (Organization.apps) and their machines (App.machines, destroyed
   * ones too unless `active`), paged by `first`/`after`. Null when the token sees no such organization.
   */
  organizationGraph(slug: string) {
    if (!this.orgs.includes(slug)) return null;
    type Paging = { first?: number | null; after?: string | null };
    const machineNode = (machine: EmulatedMachine) => ({
      id: machine.id,
      name: machine.name,
      state: machine.state,
      region: machine.region,
      instanceId: machine.instance_id,
      config: machine.config,
      createdAt: machine.created_at,
      updatedAt: machine.updated_at,
    });
    const appNode = (app: EmulatedApp) => ({
      id: app.id,
      name: app.name,
      network: app.network,
      machines: ({ first, after, active }: Paging & { active?: boolean | null }) => {
        const machines = [...app.machines.values()].filter((machine) => !active || machine.state === 'started' || machine.state === 'stopped');
        return connection(machines.map(machineNode), first, after);
      },
    });
    return { id: `org_${slug}`, slug, name: slug, apps: ({ first, after }: Paging) => connection(this.appsOf(slug).map(appNode), first, after) };
  }

  organization(slug: unknown) {
    if (typeof slug !== 'string' || !this.orgs.includes(slug)) throw new GraphqlFailure('Could not find Organization', 'NOT_FOUND');
    return { organization: { id: `org_${slug}`, slug, name: slug, type: 'PERSONAL', viewerRole: 'admin' } };
  }

  regions() {
    return {
      platform: {
        requestRegion: NEAREST_REGION,
        regions: REGIONS.map((region) => ({ ...region, gatewayAvailable: true, requiresPaidPlan: false })),
      },
    };
  }
}

function newAddress(type: EmulatedIp['type']): string {
  const byte = () => randomBytes(1)[0]!;
  if (type === 'v4') return `137.66.${byte()}.${byte()}`;
  if (type === 'shared_v4') return `66.241.124.${byte()}`;
  if (type === 'private_v6') return `fdaa:0:1:a7b::${randomHex(2)}`;
  return `2a09:8280:1::${randomHex(2)}:${randomHex(2)}`;
}

function release(reason: string) {
  return { id: randomHex(6), version: '1', reason, description: reason, user: { id: 'emulator', email: 'emulator@example.com', name: 'Emulator' }, evaluationId: randomHex(6), createdAt: nowIso() };
}

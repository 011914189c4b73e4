import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiFailure, badRequest, conflict, notFound, preconditionFailed, unprocessable } from './apiFailure';
import { DEFAULT_NETWORK, type EmulatedApp, type FlyWorld } from './flyWorld';
import { checkGuest, type Guest } from './guestRules';
import type { MachineRuntime, RuntimeMachine, RuntimeMachineConfig } from './machineRuntime';

export type MachineState =
  | 'created'
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'restarting'
  | 'updating'
  | 'replacing'
  | 'destroying'
  | 'destroyed'
  | 'failed';

/** What happened to a machine, as the Machines API lists it (newest spec: MachineEvent). */
export interface MachineEvent {
  id: string;
  type: string;
  status: string;
  source: 'user' | 'flyd';
  timestamp: number;
  request?: Record<string, unknown>;
}

export interface MachineConfig extends RuntimeMachineConfig {
  guest?: Guest & RuntimeMachineConfig['guest'];
  env?: Record<string, string>;
  metadata?: Record<string, string>;
  mounts?: { volume: string; path: string; size_gb?: number; name?: string }[];
  [field: string]: unknown;
}

export interface EmulatedMachine {
  id: string;
  name: string;
  region: string;
  state: MachineState;
  instance_id: string;
  private_ip: string;
  config: MachineConfig;
  created_at: string;
  updated_at: string;
  /** Counts transitions, so a slow one that finishes late does not overwrite a newer state. */
  transition: number;
  /** Every version (instance_id) it has had, the current one last. */
  versions: string[];
  /** Newest first. */
  events: MachineEvent[];
}

/** The newest spec's wait states; `settled` is any state a machine rests in. */
const WAIT_STATES = ['started', 'stopped', 'suspended', 'destroyed', 'failed', 'settled'];
const SETTLED: ReadonlySet<string> = new Set(['created', 'started', 'stopped', 'suspended', 'failed', 'destroyed']);
const EVENTS_KEPT = 20;
const MAX_WAIT_SECONDS = 60;
const STARTABLE: ReadonlySet<MachineState> = new Set(['created', 'stopped', 'failed']);
const DESTROYABLE_WITHOUT_FORCE: ReadonlySet<MachineState> = new Set(['created', 'stopped', 'failed']);

const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');
const nowIso = () => new Date().toISOString();

/** "30s", "1m", "500ms" or a bare number of seconds, as Go durations come in stop and restart requests. */
function durationSeconds(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const match = /^(\d+)(ms|s|m)?$/.exec(String(value));
  if (!match) throw badRequest(`invalid duration "${String(value)}"`);
  const amount = Number(match[1]);
  return match[2] === 'ms' ? amount / 1000 : match[2] === 'm' ? amount * 60 : amount;
}

function imageRef(image: string) {
  const [repository = image, tag = 'latest'] = image.split(/:(?=[^/]+$)/);
  return { registry: 'docker.io', repository, tag, digest: `sha256:${randomHex(32)}`, labels: {} };
}

/**
 * Machines and their state machine: create goes to `created` (skip_launch) or `starting` → `started`; stop `started`
 * → `stopping` → `stopped`; start from `stopped`/`created`/`failed`; transitions finish in the background and
 * release whoever waits on /wait. Refusals carry Fly's statuses: 404, 408, 409 (version), 412 (state), 422.
 */
export class MachineFleet {
  private readonly waiters = new Map<string, Set<{ done: () => boolean; reached: () => void }>>();
  private readonly background = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  /** Reasons the next launches fail with, in order. */
  private readonly launchFailures: string[] = [];

  constructor(
    private readonly world: FlyWorld,
    private readonly runtime: MachineRuntime,
  ) {}

  /** The next launch (a create's, a start, an update's or a restart) fails with this reason, as a missing image would. */
  failNextLaunch(reason: string): void {
    this.launchFailures.push(reason);
  }

  liveCount(app: EmulatedApp): number {
    return [...app.machines.values()].filter((machine) => machine.state !== 'destroyed').length;
  }

  list(appName: string, includeDeleted: boolean) {
    const machines = [...this.world.requireApp(appName).machines.values()];
    return machines.filter((machine) => includeDeleted || machine.state !== 'destroyed').map(view);
  }

  get(appName: string, id: string) {
    return view(this.requireMachine(appName, id).machine);
  }

  async create(appName: string, body: { name?: string; region?: string; config?: MachineConfig; skip_launch?: boolean }) {
    const app = this.world.requireApp(appName);
    const config = requireConfig(body.config);
    const region = this.world.requireRegion(body.region);
    const at = nowIso();
    const version = newVersion();
    const machine: EmulatedMachine = {
      id: randomHex(7),
      name: body.name ?? `machine-${randomHex(3)}`,
      region,
      state: 'created',
      instance_id: version,
      private_ip: `fdaa:0:1:a7b:${randomHex(2)}::${randomHex(2)}`,
      config,
      created_at: at,
      updated_at: at,
      transition: 0,
      versions: [version],
      events: [],
    };
    this.checkMounts(app, machine, config);
    await this.runtime.create(this.runtimeMachine(app, machine.id, config));
    this.attachMounts(app, machine);
    app.machines.set(machine.id, machine);
    this.record(machine, 'launch', 'created', 'user');
    if (body.skip_launch !== true) this.launch(machine, 'starting', () => this.runtime.start(machine.id));
    return view(machine);
  }

  /** Replaces the config and the version; a started machine restarts with it, a stopped one stays stopped with skip_launch. */
  async update(appName: string, id: string, body: { config?: MachineConfig; current_version?: string; skip_launch?: boolean }) {
    const { app, machine } = this.requireMachine(appName, id);
    if (!STARTABLE.has(machine.state) && machine.state !== 'started') throw preconditionFailed(`unable to update machine in state '${machine.state}'`);
    if (body.current_version !== undefined && body.current_version !== machine.instance_id) {
      throw conflict(`machine ${id} is at version ${machine.instance_id}, not current_version ${body.current_version}`);
    }
    const config = requireConfig(body.config);
    this.checkMounts(app, machine, config);
    const launch = machine.state === 'started' || body.skip_launch !== true;
    this.detachMounts(app, machine);
    machine.config = config;
    machine.instance_id = newVersion();
    machine.versions.push(machine.instance_id);
    this.attachMounts(app, machine);
    const replace = async () => {
      await this.runtime.destroy(id);
      await this.runtime.create(this.runtimeMachine(app, id, config));
      if (launch) await this.runtime.start(id);
    };
    if (launch) this.launch(machine, 'replacing', replace);
    else await replace();
    return view(machine);
  }

  start(appName: string, id: string) {
    const { machine } = this.requireMachine(appName, id);
    const previous = machine.state;
    if (!STARTABLE.has(previous)) throw preconditionFailed(`unable to start machine from current state: '${previous}'`);
    this.launch(machine, 'starting', () => this.runtime.start(id));
    return { previous_state: previous };
  }

  stop(appName: string, id: string, body: { signal?: string; timeout?: string }) {
    const { machine } = this.requireMachine(appName, id);
    if (machine.state !== 'started') throw preconditionFailed(`unable to stop machine from current state: '${machine.state}'`);
    const timeout = durationSeconds(body.timeout, 30);
    this.transition(machine, 'stopping', 'stopped', () => this.runtime.stop(id, body.signal ?? 'SIGTERM', timeout));
    return { ok: true };
  }

  /** `timeout` comes in the query, as the spec has it; Fly ignores a body. */
  restart(appName: string, id: string, timeout: string | undefined) {
    const { machine } = this.requireMachine(appName, id);
    if (machine.state !== 'started') throw preconditionFailed(`unable to restart machine from current state: '${machine.state}'`);
    const seconds = durationSeconds(timeout, 30);
    this.launch(machine, 'restarting', () => this.runtime.restart(id, seconds));
    return { ok: true };
  }

  /** `force` (the spec's query parameter) destroys a running machine; anything else, such as fly-admin's `kill`, is ignored. */
  async delete(appName: string, id: string, force: boolean) {
    const { app, machine } = this.requireMachine(appName, id);
    if (!force && !DESTROYABLE_WITHOUT_FORCE.has(machine.state)) {
      throw preconditionFailed(`unable to destroy machine, not currently stopped (state: '${machine.state}'); stop it first or use force`);
    }
    await this.destroy(app, machine);
    return { ok: true };
  }

  async destroyAll(app: EmulatedApp): Promise<void> {
    await Promise.all([...app.machines.values()].filter((machine) => machine.state !== 'destroyed').map((machine) => this.destroy(app, machine)));
  }

  /**
   * Blocks until the machine is in one of the states (`state`, repeated or comma-separated) or answers 408 after
   * `timeout` seconds (at most 60). `instance_id` (or the newest spec's `version`) waits on that version of the machine:
   * one it has never had is refused, an earlier one never reaches a state again. Fly needs it to wait for `stopped`.
   */
  async wait(appName: string, id: string, query: URLSearchParams) {
    const states = waitStates(query);
    const timeout = Number(query.get('timeout') ?? MAX_WAIT_SECONDS);
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_WAIT_SECONDS) throw badRequest(`invalid timeout "${query.get('timeout')}": whole seconds from 1 to ${MAX_WAIT_SECONDS}`);
    const { machine } = this.requireMachine(appName, id, true);
    const version = query.get('version') ?? query.get('instance_id') ?? undefined;
    if (version === undefined && states.includes('stopped')) throw badRequest('instance_id required when waiting for stopped machine');
    if (version !== undefined && !machine.versions.includes(version)) throw badRequest(`invalid instance_id "${version}": machine ${id} has no such version`);
    const reached = () => (version === undefined || version === machine.instance_id) && states.some((state) => inState(machine.state, state));
    if (!reached() && !(await this.reaches(machine, reached, timeout * 1000))) {
      throw new ApiFailure(408, `deadline_exceeded: machine did not reach state "${states.join('" or "')}" within ${timeout}s, currently ${machine.state}`);
    }
    return { ok: true, state: machine.state, version: machine.instance_id, event_id: machine.events[0]?.id };
  }

  async exec(appName: string, id: string, body: { command?: string[]; cmd?: string; timeout?: number }) {
    const { machine } = this.requireMachine(appName, id);
    const command = body.command ?? body.cmd?.split(/\s+/).filter(Boolean);
    if (!command || command.length === 0) throw badRequest('command is required');
    if (machine.state !== 'started') throw preconditionFailed(`unable to exec in machine in state '${machine.state}'`);
    return this.runtime.exec(id, command, body.timeout ?? 30);
  }

  /** The address a started machine of the app serves a service on (its first unless given), when the runtime really runs it. */
  async address(appName: string, internalPort?: number): Promise<string | undefined> {
    const machine = [...this.world.requireApp(appName).machines.values()].find((candidate) => candidate.state === 'started');
    const port = internalPort ?? machine?.config.services?.[0]?.internal_port;
    return machine && port !== undefined ? this.runtime.address(machine.id, port) : undefined;
  }

  refreshMounts(app: EmulatedApp, machine: EmulatedMachine): void {
    for (const mount of machine.config.mounts ?? []) {
      const volume = app.volumes.get(mount.volume);
      if (volume) Object.assign(mount, { size_gb: volume.size_gb, name: volume.name });
    }
  }

  /** Stops pending /wait requests and lets background transitions finish. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.background]);
  }

  private requireMachine(appName: string, id: string, includeDestroyed = false): { app: EmulatedApp; machine: EmulatedMachine } {
    const app = this.world.requireApp(appName);
    const machine = app.machines.get(id);
    if (!machine || (!includeDestroyed && machine.state === 'destroyed')) throw notFound('machine');
    return { app, machine };
  }

  private async destroy(app: EmulatedApp, machine: EmulatedMachine): Promise<void> {
    machine.transition += 1;
    this.setState(machine, 'destroying');
    await this.runtime.destroy(machine.id);
    this.detachMounts(app, machine);
    this.record(machine, 'destroy', 'destroyed', 'user');
    this.setState(machine, 'destroyed');
  }

  /** A transition to `started` that fails, as a launch does, when a failure is queued or the runtime cannot start it. */
  private launch(machine: EmulatedMachine, during: MachineState, work: () => Promise<void>): void {
    const failure = this.launchFailures.shift();
    this.transition(machine, during, 'started', async () => {
      await work();
      if (failure !== undefined) throw new Error(failure);
    });
  }

  private record(machine: EmulatedMachine, type: string, status: string, source: MachineEvent['source'], request?: Record<string, unknown>): void {
    const event: MachineEvent = { id: newVersion(), type, status, source, timestamp: Date.now(), ...(request ? { request } : {}) };
    machine.events = [event, ...machine.events].slice(0, EVENTS_KEPT);
  }

  private checkMounts(app: EmulatedApp, machine: EmulatedMachine, config: MachineConfig): void {
    for (const mount of config.mounts ?? []) {
      if (typeof mount.path !== 'string' || !mount.path.startsWith('/') || mount.path === '/') throw unprocessable(`invalid mount path "${String(mount.path)}"`);
      const volume = app.volumes.get(mount.volume);
      if (!volume || volume.state !== 'created') throw unprocessable(`volume "${mount.volume}" not found in app ${app.name}`);
      if (volume.region !== machine.region) throw unprocessable(`volume ${volume.id} is in region ${volume.region}, the machine in ${machine.region}`);
      if (volume.attached_machine_id !== null && volume.attached_machine_id !== machine.id) {
        throw unprocessable(`volume ${volume.id} is already attached to machine ${volume.attached_machine_id}`);
      }
    }
  }

  private attachMounts(app: EmulatedApp, machine: EmulatedMachine): void {
    for (const mount of machine.config.mounts ?? []) {
      const volume = app.volumes.get(mount.volume);
      if (volume) volume.attached_machine_id = machine.id;
    }
    this.refreshMounts(app, machine);
  }

  private detachMounts(app: EmulatedApp, machine: EmulatedMachine): void {
    for (const volume of app.volumes.values()) if (volume.attached_machine_id === machine.id) volume.attached_machine_id = null;
  }

  /** Its env is the config's plus the app's secrets; on a network of its own, it answers to <app>.internal there. */
  private runtimeMachine(app: EmulatedApp, id: string, config: MachineConfig): RuntimeMachine {
    const env = { ...config.env, ...Object.fromEntries(app.secrets) };
    if (app.network === DEFAULT_NETWORK) return { id, config, env };
    return { id, config, env, network: { name: `${app.org}/${app.network}`, host: `${app.name}.internal` } };
  }

  private transition(machine: EmulatedMachine, during: MachineState, after: MachineState, work: () => Promise<void>): void {
    const transition = ++machine.transition;
    this.setState(machine, during);
    const running = work().then(
      () => {
        if (machine.transition !== transition) return;
        this.record(machine, after === 'started' ? 'start' : 'exit', after, 'flyd');
        this.setState(machine, after);
      },
      (error: unknown) => {
        if (machine.transition !== transition) return;
        this.record(machine, after === 'started' ? 'launch' : 'exit', 'failed', 'flyd', { error: error instanceof Error ? error.message : String(error) });
        this.setState(machine, 'failed');
      },
    );
    this.background.add(running);
    void running.finally(() => this.background.delete(running));
  }

  private setState(machine: EmulatedMachine, state: MachineState): void {
    machine.state = state;
    machine.updated_at = nowIso();
    for (const waiter of this.waiters.get(machine.id) ?? []) if (waiter.done()) waiter.reached();
  }

  private async reaches(machine: EmulatedMachine, done: () => boolean, timeoutMs: number): Promise<boolean> {
    const waiters = this.waiters.get(machine.id) ?? new Set();
    this.waiters.set(machine.id, waiters);
    const timer = new AbortController();
    const closing = this.closing.signal;
    const abortTimer = () => timer.abort();
    closing.addEventListener('abort', abortTimer);
    const waiter = { done, reached: () => undefined as void };
    const reached = new Promise<boolean>((resolve) => {
      waiter.reached = () => resolve(true);
    });
    waiters.add(waiter);
    const timedOut = delay(timeoutMs, false, { signal: timer.signal }).catch(() => false);
    try {
      return await Promise.race([reached, timedOut]);
    } finally {
      timer.abort();
      closing.removeEventListener('abort', abortTimer);
      waiters.delete(waiter);
    }
  }
}

function requireConfig(config: MachineConfig | undefined): MachineConfig {
  if (!config || typeof config.image !== 'string' || config.image === '') throw unprocessable('config.image is required');
  checkGuest(config.guest);
  return structuredClone(config);
}

function waitStates(query: URLSearchParams): string[] {
  const states = query.getAll('state').flatMap((value) => value.split(',')).map((state) => state.trim());
  if (states.length === 0) return ['started'];
  const invalid = states.find((state) => !WAIT_STATES.includes(state));
  if (invalid !== undefined) throw badRequest(`invalid state "${invalid}"; one of ${WAIT_STATES.join(', ')}`);
  return states;
}

function inState(current: MachineState, wanted: string): boolean {
  return wanted === 'settled' ? SETTLED.has(current) : current === wanted;
}

function newVersion(): string {
  return `01${randomHex(12).toUpperCase()}`;
}

function view(machine: EmulatedMachine) {
  const { transition: _transition, versions: _versions, ...fields } = machine;
  return { ...fields, image_ref: imageRef(machine.config.image), checks: [] };
}

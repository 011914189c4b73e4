import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ApiFailure, badRequest, conflict, notFound, preconditionFailed, unprocessable } from './apiFailure';
import type { EmulatedApp, FlyWorld } from './flyWorld';
import { checkGuest, type Guest } from './guestRules';
import type { MachineRuntime, RuntimeMachineConfig } from './machineRuntime';

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
}

const WAIT_STATES = ['started', 'stopped', 'suspended', 'destroyed'];
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
  private readonly waiters = new Map<string, Set<{ state: string; reached: () => void }>>();
  private readonly background = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(
    private readonly world: FlyWorld,
    private readonly runtime: MachineRuntime,
  ) {}

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
    const machine: EmulatedMachine = {
      id: randomHex(7),
      name: body.name ?? `machine-${randomHex(3)}`,
      region,
      state: 'created',
      instance_id: newVersion(),
      private_ip: `fdaa:0:1:a7b:${randomHex(2)}::${randomHex(2)}`,
      config,
      created_at: at,
      updated_at: at,
      transition: 0,
    };
    this.checkMounts(app, machine, config);
    await this.runtime.create({ id: machine.id, config, env: this.envOf(app, config) });
    this.attachMounts(app, machine);
    app.machines.set(machine.id, machine);
    if (body.skip_launch !== true) this.transition(machine, 'starting', 'started', () => this.runtime.start(machine.id));
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
    this.attachMounts(app, machine);
    const replace = async () => {
      await this.runtime.destroy(id);
      await this.runtime.create({ id, config, env: this.envOf(app, config) });
      if (launch) await this.runtime.start(id);
    };
    if (launch) this.transition(machine, 'replacing', 'started', replace);
    else await replace();
    return view(machine);
  }

  start(appName: string, id: string) {
    const { machine } = this.requireMachine(appName, id);
    const previous = machine.state;
    if (!STARTABLE.has(previous)) throw preconditionFailed(`unable to start machine from current state: '${previous}'`);
    this.transition(machine, 'starting', 'started', () => this.runtime.start(id));
    return { previous_state: previous };
  }

  stop(appName: string, id: string, body: { signal?: string; timeout?: string }) {
    const { machine } = this.requireMachine(appName, id);
    if (machine.state !== 'started') throw preconditionFailed(`unable to stop machine from current state: '${machine.state}'`);
    const timeout = durationSeconds(body.timeout, 30);
    this.transition(machine, 'stopping', 'stopped', () => this.runtime.stop(id, body.signal ?? 'SIGTERM', timeout));
    return { ok: true };
  }

  /** The spec puts `timeout` in the query; fly-admin sends it in the body. Both are accepted. */
  restart(appName: string, id: string, timeout: unknown) {
    const { machine } = this.requireMachine(appName, id);
    if (machine.state !== 'started') throw preconditionFailed(`unable to restart machine from current state: '${machine.state}'`);
    const seconds = durationSeconds(timeout, 30);
    this.transition(machine, 'restarting', 'started', () => this.runtime.restart(id, seconds));
    return { ok: true };
  }

  /** The spec names the query parameter `force`; fly-admin sends `kill=true`. Both are accepted. */
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
   * Blocks until the machine is in `state` or answers 408 after `timeout` seconds (at most 60). The instance_id
   * parameter (a machine version) is accepted; this emulator has one version per machine at a time.
   */
  async wait(appName: string, id: string, query: URLSearchParams) {
    const state = query.get('state') ?? 'started';
    if (!WAIT_STATES.includes(state)) throw badRequest(`invalid state "${state}"; one of ${WAIT_STATES.join(', ')}`);
    const timeout = Number(query.get('timeout') ?? MAX_WAIT_SECONDS);
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_WAIT_SECONDS) throw badRequest(`invalid timeout "${query.get('timeout')}": whole seconds from 1 to ${MAX_WAIT_SECONDS}`);
    const { machine } = this.requireMachine(appName, id, true);
    if (machine.state !== state && !(await this.reaches(machine, state, timeout * 1000))) {
      throw new ApiFailure(408, `deadline_exceeded: machine did not reach state "${state}" within ${timeout}s`);
    }
    return { ok: true };
  }

  async exec(appName: string, id: string, body: { command?: string[]; cmd?: string; timeout?: number }) {
    const { machine } = this.requireMachine(appName, id);
    const command = body.command ?? body.cmd?.split(/\s+/).filter(Boolean);
    if (!command || command.length === 0) throw badRequest('command is required');
    if (machine.state !== 'started') throw preconditionFailed(`unable to exec in machine in state '${machine.state}'`);
    return this.runtime.exec(id, command, body.timeout ?? 30);
  }

  /** The address a started machine of the app serves its first service on, when the runtime really runs it. */
  async address(appName: string): Promise<string | undefined> {
    const machine = [...this.world.requireApp(appName).machines.values()].find((candidate) => candidate.state === 'started');
    const port = machine?.config.services?.[0]?.internal_port;
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
    this.setState(machine, 'destroyed');
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

  private envOf(app: EmulatedApp, config: MachineConfig): Record<string, string> {
    return { ...config.env, ...Object.fromEntries(app.secrets) };
  }

  private transition(machine: EmulatedMachine, during: MachineState, after: MachineState, work: () => Promise<void>): void {
    const transition = ++machine.transition;
    this.setState(machine, during);
    const running = work().then(
      () => {
        if (machine.transition === transition) this.setState(machine, after);
      },
      () => {
        if (machine.transition === transition) this.setState(machine, 'failed');
      },
    );
    this.background.add(running);
    void running.finally(() => this.background.delete(running));
  }

  private setState(machine: EmulatedMachine, state: MachineState): void {
    machine.state = state;
    machine.updated_at = nowIso();
    for (const waiter of this.waiters.get(machine.id) ?? []) if (waiter.state === state) waiter.reached();
  }

  private async reaches(machine: EmulatedMachine, state: string, timeoutMs: number): Promise<boolean> {
    const waiters = this.waiters.get(machine.id) ?? new Set();
    this.waiters.set(machine.id, waiters);
    const timer = new AbortController();
    const closing = this.closing.signal;
    const abortTimer = () => timer.abort();
    closing.addEventListener('abort', abortTimer);
    const waiter = { state, reached: () => undefined as void };
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

function newVersion(): string {
  return `01${randomHex(12).toUpperCase()}`;
}

function view(machine: EmulatedMachine) {
  const { transition: _internal, ...fields } = machine;
  return { ...fields, image_ref: imageRef(machine.config.image), events: [], checks: [] };
}

import type { Clock } from '../clock';
import { mapConcurrently } from '../concurrency';
import type { SwarmController } from '../controller';
import { errorMessage } from '../errors';
import { Emitter, type Event } from '../events';
import type { Instance } from '../models';
import type { CheckedInstance } from '../health/healthMonitor';
import { forTemplate } from '../templateOverrides';
import type { IdleSettings } from './idleSettings';
import { parseInstanceUse, sshPortsOf, USE_PROBE, type InstanceUse } from './instanceUse';

/** An unused instance is announced this long before it is stopped, so that the user can keep it running. */
export const IDLE_WARNING_MS = 2 * 60_000;
/** Instances looked into at once. */
const USE_PROBE_CONCURRENCY = 8;

/** An instance stopped for inactivity, or one whose stop failed. */
export interface IdleStop {
  instance: Instance;
  /** How long it had not been used. */
  idleMs: number;
  timeoutMs: number;
  error?: string;
}

/** An instance that will be stopped at `stopsAt` unless it is used or kept running first. */
export interface IdleWarning {
  instance: Instance;
  stopsAt: number;
}

export interface IdleWatcherDependencies {
  controller: Pick<SwarmController, 'list' | 'stop' | 'exec'>;
  settings: () => IdleSettings;
  clock: Clock;
}

interface WatchedInstance {
  /** When this watcher first saw it running. */
  runningSince: number;
  /** The last use seen besides code-server's heartbeat: a session inside it, busy CPU, Keep Running. */
  lastUse?: number;
  /** When it was announced as about to stop, in the current stretch without use. */
  warnedAt?: number;
}

/**
 * Stops instances nobody uses. Use is any of: code-server's heartbeat (its /healthz `lastHeartbeat`, 0 when not used
 * since it started: then the idle time counts from when this watcher first saw it running); a session inside it, seen
 * by a probe run in it once it is close to its timeout (a terminal or command through `docker exec`, a Dev Containers
 * attach, an SSH connection such as Remote-SSH); CPU at or above the threshold in a health check (where the provider
 * reports it). IDLE_WARNING_MS before a stop it is announced (onDidWarn), and keepRunning() counts as a use. A stop
 * records the reason "inactivity". Instances whose health endpoint reports no heartbeat (not code-server) are never stopped.
 */
export class IdleWatcher {
  private readonly watched = new Map<string, WatchedInstance>();
  private readonly stops = new Emitter<IdleStop>();
  private readonly warnings = new Emitter<IdleWarning>();

  readonly onDidStop: Event<IdleStop> = this.stops.event;
  readonly onDidWarn: Event<IdleWarning> = this.warnings.event;

  constructor(private readonly deps: IdleWatcherDependencies) {}

  /** Reviews the checks of one health sweep; resolves when the stops it decided on are done. */
  async review(checks: readonly CheckedInstance[]): Promise<IdleStop[]> {
    const now = this.deps.clock.now();
    this.forgetStopped();
    const settings = this.deps.settings();
    const nearlyIdle: { instance: Instance; watched: WatchedInstance; idleMs: number; timeoutMs: number }[] = [];
    for (const { instance, sample } of checks) {
      if (sample.providerStatus !== 'running') continue;
      const watched = this.watched.get(instance.id) ?? { runningSince: now };
      this.watched.set(instance.id, watched);
      const timeoutMs = forTemplate(settings.timeoutMsByTemplate, instance.config.template, settings.timeoutMs);
      if (sample.lastHeartbeat === undefined || timeoutMs <= 0) continue;
      if ((sample.usage?.cpuPercent ?? 0) >= settings.cpuThresholdPercent) watched.lastUse = now;
      const idleMs = now - Math.max(sample.lastHeartbeat > 0 ? sample.lastHeartbeat : watched.runningSince, watched.lastUse ?? 0);
      if (idleMs < timeoutMs - IDLE_WARNING_MS) watched.warnedAt = undefined;
      else nearlyIdle.push({ instance, watched, idleMs, timeoutMs });
    }
    const uses = await mapConcurrently(nearlyIdle, USE_PROBE_CONCURRENCY, ({ instance }) => this.useOf(instance));
    const idle: IdleStop[] = [];
    for (const [index, { instance, watched, idleMs, timeoutMs }] of nearlyIdle.entries()) {
      const use = uses[index];
      if (use && use.execSessions + use.sshSessions > 0) {
        watched.lastUse = now;
        watched.warnedAt = undefined;
      } else if (watched.warnedAt === undefined) {
        watched.warnedAt = now;
        this.warnings.fire({ instance, stopsAt: Math.max(now + IDLE_WARNING_MS, now - idleMs + timeoutMs) });
      } else if (idleMs > timeoutMs && now - watched.warnedAt >= IDLE_WARNING_MS) {
        idle.push({ instance, idleMs, timeoutMs });
      }
    }
    return Promise.all(idle.map((stop) => this.stop(stop)));
  }

  /** The user wants it running: its idle time counts afresh from now. */
  keepRunning(id: string): void {
    const watched = this.watched.get(id);
    if (!watched) return;
    watched.lastUse = this.deps.clock.now();
    watched.warnedAt = undefined;
  }

  dispose(): void {
    this.stops.dispose();
    this.warnings.dispose();
  }

  /** Sessions inside the instance, or undefined when the probe could not tell (then the other signs decide). */
  private async useOf(instance: Instance): Promise<InstanceUse | undefined> {
    try {
      const result = await this.deps.controller.exec(instance.id, USE_PROBE);
      return result.exitCode === 0 ? parseInstanceUse(result.stdout, sshPortsOf(instance)) : undefined;
    } catch {
      return undefined;
    }
  }

  private async stop(stop: IdleStop): Promise<IdleStop> {
    let done: IdleStop = stop;
    try {
      done = { ...stop, instance: await this.deps.controller.stop(stop.instance.id, { reason: 'inactivity' }) };
      this.watched.delete(stop.instance.id);
    } catch (error) {
      done = { ...stop, error: errorMessage(error) };
    }
    this.stops.fire(done);
    return done;
  }

  /** An instance that stopped (or restarted through a stop) counts its idle time afresh when it runs again. */
  private forgetStopped(): void {
    const running = new Set(this.deps.controller.list({ status: 'running' }).map((instance) => instance.id));
    for (const id of this.watched.keys()) if (!running.has(id)) this.watched.delete(id);
  }
}

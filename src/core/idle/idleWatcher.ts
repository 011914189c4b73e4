import type { Clock } from '../clock';
import type { SwarmController } from '../controller';
import { errorMessage } from '../errors';
import { Emitter, type Event } from '../events';
import type { Instance } from '../models';
import type { CheckedInstance } from '../health/healthMonitor';
import { forTemplate } from '../templateOverrides';
import type { IdleSettings } from './idleSettings';

/** An instance stopped for inactivity, or one whose stop failed. */
export interface IdleStop {
  instance: Instance;
  /** How long it had not been used. */
  idleMs: number;
  timeoutMs: number;
  error?: string;
}

export interface IdleWatcherDependencies {
  controller: Pick<SwarmController, 'list' | 'stop'>;
  settings: () => IdleSettings;
  clock: Clock;
}

/**
 * Stops instances nobody uses. code-server's /healthz reports `lastHeartbeat`, the last time its IDE was in use, or 0
 * when it has not been used since it started; then the idle time counts from when this watcher first saw it running.
 * An instance idle longer than its timeout is stopped with the reason "inactivity". Instances whose health endpoint
 * reports no heartbeat (not code-server) are never stopped.
 */
export class IdleWatcher {
  private readonly runningSince = new Map<string, number>();
  private readonly stops = new Emitter<IdleStop>();

  readonly onDidStop: Event<IdleStop> = this.stops.event;

  constructor(private readonly deps: IdleWatcherDependencies) {}

  /** Reviews the checks of one health sweep; resolves when the stops it decided on are done. */
  async review(checks: readonly CheckedInstance[]): Promise<IdleStop[]> {
    const now = this.deps.clock.now();
    this.forgetStopped();
    const settings = this.deps.settings();
    const idle: IdleStop[] = [];
    for (const { instance, sample } of checks) {
      if (sample.providerStatus !== 'running') continue;
      const runningSince = this.runningSince.get(instance.id) ?? now;
      this.runningSince.set(instance.id, runningSince);
      const timeoutMs = forTemplate(settings.timeoutMsByTemplate, instance.config.template, settings.timeoutMs);
      if (sample.lastHeartbeat === undefined || timeoutMs <= 0) continue;
      const idleMs = now - (sample.lastHeartbeat > 0 ? sample.lastHeartbeat : runningSince);
      if (idleMs > timeoutMs) idle.push({ instance, idleMs, timeoutMs });
    }
    return Promise.all(idle.map((stop) => this.stop(stop)));
  }

  dispose(): void {
    this.stops.dispose();
  }

  private async stop(stop: IdleStop): Promise<IdleStop> {
    let done: IdleStop = stop;
    try {
      done = { ...stop, instance: await this.deps.controller.stop(stop.instance.id, { reason: 'inactivity' }) };
      this.runningSince.delete(stop.instance.id);
    } catch (error) {
      done = { ...stop, error: errorMessage(error) };
    }
    this.stops.fire(done);
    return done;
  }

  /** An instance that stopped (or restarted through a stop) counts its idle time afresh when it runs again. */
  private forgetStopped(): void {
    const running = new Set(this.deps.controller.list({ status: 'running' }).map((instance) => instance.id));
    for (const id of this.runningSince.keys()) if (!running.has(id)) this.runningSince.delete(id);
  }
}

import type { Clock } from '../clock';
import { mapConcurrently } from '../concurrency';
import type { SwarmController } from '../controller';
import { errorMessage } from '../errors';
import { Emitter, type Event } from '../events';
import type { Instance, InstanceStatus } from '../models';
import type { Provider, ProviderInstance } from '../provider';
import type { ProviderListings } from '../providerListings';
import { forTemplate } from '../templateOverrides';
import { instanceHealthView, type HealthOverview, type HealthSnapshot, type InstanceHealthRecord } from './healthSnapshot';
import type { HealthSettings } from './healthSettings';
import { initialHealthState, nextHealthState, recoveringState, type HealthState, type HealthStatus } from './healthStatus';
import { probeHttp, type HttpProbe } from './httpProbe';
import type { InstanceStartup } from './instanceStartup';
import type { PublishedHealth, PublishedInstanceHealth } from './publishedHealth';
import { checkInstance, type HealthSample, type ProviderView } from './instanceCheck';
import { decideRecovery, type RecoveryAttempt, type RecoveryEpisode, type RecoverySettings } from './recoveryPolicy';
import { RingBuffer } from './ringBuffer';

export interface HealthMonitorDependencies {
  controller: Pick<SwarmController, 'list' | 'isBusy' | 'restart'>;
  /** What the providers list: a sweep reuses a refresh's listing younger than the sweep interval. */
  listings: Pick<ProviderListings, 'recent'>;
  settings: () => HealthSettings;
  clock: Clock;
  probe?: HttpProbe;
  /** Instances still starting: their checks count from the first that passes. */
  startup?: Pick<InstanceStartup, 'isStarting' | 'passed'>;
}

/** An instance and what its check in one sweep found. */
export interface CheckedInstance {
  instance: Instance;
  sample: HealthSample;
}

export type HealthEvent =
  /** It just turned UNHEALTHY; autoRecovery says whether a restart will be tried. */
  | { kind: 'unhealthy'; instance: Instance; error: string | undefined; autoRecovery: boolean }
  | { kind: 'recovery-attempt'; instance: Instance; attempt: RecoveryAttempt }
  /** The maximum number of restarts did not help; no more are tried until it is healthy again or stopped. */
  | { kind: 'recovery-gave-up'; instance: Instance; attempts: readonly RecoveryAttempt[]; error: string | undefined }
  | { kind: 'recovered'; instance: Instance; attempts: readonly RecoveryAttempt[] };

/** Registry statuses in which an instance should be running, or may be: these are checked. Stopped ones are left alone. */
const MONITORED: ReadonlySet<InstanceStatus> = new Set(['running', 'starting', 'restarting', 'updating', 'error', 'unknown']);

/** Restarts kept per instance across episodes, for the health panel. */
const RECOVERY_LOG_SIZE = 20;

type ProviderListing = { provider: Provider; byId: Map<string, ProviderInstance> } | { unavailable: string };

interface MonitoredInstance {
  state: HealthState;
  history: RingBuffer<HealthSample>;
  episode: RecoveryEpisode;
  recoveryLog: RingBuffer<RecoveryAttempt>;
}

/**
 * Checks every instance that should be running, a bounded number at a time: its provider's state (one list call per
 * provider per sweep), an HTTP GET of code-server's /healthz and an optional exec probe, plus CPU and memory where the
 * provider reports them. Keeps a history per instance, turns a status only after several checks agree, and restarts
 * unhealthy instances with backoff up to a maximum, then gives up and says so.
 */
export class HealthMonitor {
  private readonly instances = new Map<string, MonitoredInstance>();
  private readonly changes = new Emitter<void>();
  private readonly events = new Emitter<HealthEvent>();
  private readonly probe: HttpProbe;
  private lastSweepAt: number | undefined;

  /** Fires after each sweep. */
  readonly onDidChange: Event<void> = this.changes.event;
  readonly onEvent: Event<HealthEvent> = this.events.event;

  constructor(private readonly deps: HealthMonitorDependencies) {
    this.probe = deps.probe ?? probeHttp;
  }

  /** Checks every monitored instance once, then restarts those due for recovery. Returns what each check found. */
  async sweep(): Promise<CheckedInstance[]> {
    const settings = this.deps.settings();
    const instances = this.deps.controller.list();
    this.forgetUnmonitored(instances);
    const due = instances.filter((instance) => MONITORED.has(instance.status) && !this.deps.controller.isBusy(instance.id));
    const listings = await this.listProviders(due, settings.intervalMs);
    const checked = await mapConcurrently(due, settings.concurrency, async (instance) => {
      const options = { probe: this.probe, timeoutMs: settings.timeoutMs, execProbe: settings.execProbe, at: this.deps.clock.now() };
      return { instance, sample: await checkInstance(instance, viewOf(instance, listings.get(instance.provider)!), options) };
    });
    for (const check of checked) this.record(check, settings);
    await mapConcurrently(checked, settings.concurrency, ({ instance }) => this.recoverIfDue(instance, settings));
    this.lastSweepAt = this.deps.clock.now();
    this.changes.fire();
    return checked;
  }

  /** The health of one instance; UNKNOWN when it is not checked (stopped, or not checked yet). */
  statusOf(id: string): HealthStatus {
    return this.instances.get(id)?.state.status ?? 'UNKNOWN';
  }

  /** What is known about one instance, or undefined when it is not checked. */
  recordOf(id: string): InstanceHealthRecord | undefined {
    const monitored = this.instances.get(id);
    if (!monitored) return undefined;
    return { health: monitored.state.status, since: monitored.state.since, samples: monitored.history.toArray(), recoveryAttempts: monitored.recoveryLog.toArray() };
  }

  /** Every registered instance's health in brief. */
  overview(): HealthOverview {
    return {
      lastSweepAt: this.lastSweepAt,
      instances: this.deps.controller.list().map(({ id, name, status }) => {
        const monitored = this.instances.get(id);
        return { id, name, monitored: MONITORED.has(status), health: monitored?.state.status ?? 'UNKNOWN', lastError: monitored?.history.last()?.error };
      }),
    };
  }

  /** Every registered instance with its health, history and restarts, for the health panel. */
  snapshot(): HealthSnapshot {
    return {
      generatedAt: this.deps.clock.now(),
      intervalMs: this.deps.settings().intervalMs,
      lastSweepAt: this.lastSweepAt,
      instances: this.deps.controller.list().map((instance) => instanceHealthView(instance, this.recordOf(instance.id), MONITORED.has(instance.status))),
    };
  }

  /** Everything it knows, for the processes that follow this one (and take over from it). */
  published(): PublishedHealth {
    const instances: Record<string, PublishedInstanceHealth> = {};
    for (const [id, { state, history, episode, recoveryLog }] of this.instances) {
      instances[id] = { state, samples: history.toArray(), episode, recoveryLog: recoveryLog.toArray() };
    }
    return { lastSweepAt: this.lastSweepAt, instances };
  }

  /** Shows what the leading process found instead of checking: its states, histories and recovery episodes become this monitor's. */
  follow(published: PublishedHealth): void {
    const historySize = this.deps.settings().historySize;
    this.instances.clear();
    for (const [id, { state, samples, episode, recoveryLog }] of Object.entries(published.instances)) {
      this.instances.set(id, { state, history: filled(new RingBuffer(historySize), samples), episode, recoveryLog: filled(new RingBuffer(RECOVERY_LOG_SIZE), recoveryLog) });
    }
    this.lastSweepAt = published.lastSweepAt;
    this.changes.fire();
  }

  dispose(): void {
    this.changes.dispose();
    this.events.dispose();
  }

  /** Forgets instances that were removed or stopped: their history and recovery start afresh when they run again. */
  private forgetUnmonitored(instances: readonly Instance[]): void {
    const monitoredIds = new Set(instances.filter((instance) => MONITORED.has(instance.status)).map((instance) => instance.id));
    for (const id of this.instances.keys()) if (!monitoredIds.has(id)) this.instances.delete(id);
  }

  /** At most one list call per provider (none when a refresh listed it recently): what each says about its instances, or why it could not be asked. */
  private async listProviders(instances: readonly Instance[], maxAgeMs: number): Promise<Map<string, ProviderListing>> {
    const types = [...new Set(instances.map((instance) => instance.provider))];
    const listings = await Promise.all(
      types.map(async (type): Promise<[string, ProviderListing]> => {
        try {
          const { provider, instances: observed } = await this.deps.listings.recent(type, maxAgeMs);
          return [type, { provider, byId: new Map(observed.map((instance) => [instance.id, instance])) }];
        } catch (error) {
          return [type, { unavailable: `${type} could not be asked: ${errorMessage(error)}` }];
        }
      }),
    );
    return new Map(listings);
  }

  private record({ instance, sample }: CheckedInstance, settings: HealthSettings): void {
    if (this.deps.startup?.isStarting(instance.id)) {
      // Not serving yet is not a failure: availability and error rate count from the first check that passes.
      if (sample.outcome !== 'pass') return;
      this.deps.startup.passed(instance.id);
    }
    let monitored = this.instances.get(instance.id);
    if (!monitored) {
      monitored = { state: initialHealthState(sample.at), history: new RingBuffer(settings.historySize), episode: newEpisode(), recoveryLog: new RingBuffer(RECOVERY_LOG_SIZE) };
      this.instances.set(instance.id, monitored);
    }
    if (monitored.history.capacity !== settings.historySize) monitored.history = resized(monitored.history, settings.historySize);
    monitored.history.push(sample);
    const previous = monitored.state.status;
    monitored.state = nextHealthState(monitored.state, sample.outcome, settings, sample.at);
    const status = monitored.state.status;
    if (status === 'UNHEALTHY' && previous !== 'UNHEALTHY' && previous !== 'RECOVERING') {
      this.events.fire({ kind: 'unhealthy', instance, error: sample.error, autoRecovery: recoverySettings(instance, settings).enabled });
    }
    if (status === 'HEALTHY' && previous !== 'HEALTHY') {
      const { attempts } = monitored.episode;
      if (attempts.length > 0) this.events.fire({ kind: 'recovered', instance, attempts });
      monitored.episode = newEpisode();
    }
  }

  private async recoverIfDue(instance: Instance, settings: HealthSettings): Promise<void> {
    const monitored = this.instances.get(instance.id);
    if (monitored?.state.status !== 'UNHEALTHY') return;
    const now = this.deps.clock.now();
    const decision = decideRecovery(monitored.episode, recoverySettings(instance, settings), now);
    if (decision === 'give-up') {
      monitored.episode.gaveUp = true;
      const error = monitored.history.last()?.error;
      this.events.fire({ kind: 'recovery-gave-up', instance, attempts: [...monitored.episode.attempts], error });
    } else if (decision === 'restart') {
      monitored.state = recoveringState(monitored.state, now);
      const attempt: RecoveryAttempt = { at: now, attempt: monitored.episode.attempts.length + 1, result: 'restarted' };
      try {
        await this.deps.controller.restart(instance.id);
      } catch (error) {
        attempt.result = 'failed';
        attempt.error = errorMessage(error);
      }
      monitored.episode.attempts.push(attempt);
      monitored.recoveryLog.push(attempt);
      this.events.fire({ kind: 'recovery-attempt', instance, attempt });
    }
  }
}

function viewOf(instance: Instance, listing: ProviderListing): ProviderView {
  return 'unavailable' in listing ? listing : { provider: listing.provider, observed: listing.byId.get(instance.id) };
}

function newEpisode(): RecoveryEpisode {
  return { attempts: [], gaveUp: false };
}

function recoverySettings(instance: Instance, settings: HealthSettings): RecoverySettings {
  return {
    enabled: forTemplate(settings.autoRecoveryByTemplate, instance.config.template, settings.autoRecovery),
    maxAttempts: settings.maxRecoveryAttempts,
    backoffMs: settings.recoveryBackoffMs,
  };
}

function resized<T>(buffer: RingBuffer<T>, capacity: number): RingBuffer<T> {
  return filled(new RingBuffer<T>(capacity), buffer.toArray());
}

/** The buffer with the newest of the items pushed into it. */
function filled<T>(buffer: RingBuffer<T>, items: readonly T[]): RingBuffer<T> {
  for (const item of items.slice(-buffer.capacity)) buffer.push(item);
  return buffer;
}

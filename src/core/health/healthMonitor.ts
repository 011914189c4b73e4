import type { Clock } from '../clock';
import { mapConcurrently } from '../concurrency';
import type { SwarmController } from '../controller';
import { errorMessage } from '../errors';
import { Emitter, type Disposable, type Event } from '../events';
import type { Instance, InstanceStatus } from '../models';
import type { Provider, ProviderInstance } from '../provider';
import type { ProviderListings } from '../providerListings';
import { forTemplate } from '../templateOverrides';
import { within } from './deadline';
import { instanceHealthView, type HealthOverview, type HealthSnapshot, type InstanceHealthRecord } from './healthSnapshot';
import { MAX_RESTARTS_PER_HOUR, type HealthSettings } from './healthSettings';
import { initialHealthState, nextHealthState, recoveringState, type HealthState, type HealthStatus } from './healthStatus';
import { formatSeconds, probeHttp, type HttpProbe } from './httpProbe';
import type { InstanceStartup } from './instanceStartup';
import type { PublishedHealth, PublishedInstanceHealth, PublishedSamples } from './publishedHealth';
import { checkInstance, type HealthSample, type ProviderView } from './instanceCheck';
import { decideRecovery, restartsInBudgetWindow, type RecoveryAttempt, type RecoveryBudget, type RecoveryEpisode, type RecoverySettings } from './recoveryPolicy';
import { RingBuffer } from './ringBuffer';

export interface HealthMonitorDependencies {
  controller: Pick<SwarmController, 'list' | 'isBusy' | 'restart' | 'reconcile' | 'onOperation' | 'onDidChangeInstances'>;
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
  /**
   * It just turned UNHEALTHY; autoRecovery says whether a restart will be tried. suspended: none will because it used its
   * hourly budget, which the user was told once (recovery-gave-up with reason `hourly-budget`).
   */
  | { kind: 'unhealthy'; instance: Instance; error: string | undefined; autoRecovery: boolean; suspended: boolean }
  | { kind: 'recovery-attempt'; instance: Instance; attempt: RecoveryAttempt }
  /**
   * `attempts`: the episode's maximum number of restarts did not help; none are tried until it is healthy again or
   * stopped. `hourly-budget`: it had its restarts for the hour (`attempts` lists them) and is unhealthy again; none are
   * tried until the user starts or restarts it.
   */
  | { kind: 'recovery-gave-up'; instance: Instance; reason: 'attempts' | 'hourly-budget'; attempts: readonly RecoveryAttempt[]; error: string | undefined }
  /** Its provider reports it stopped although Remote Swarm did not stop it: recorded as stopped, not checked or restarted. */
  | { kind: 'stopped-outside'; instance: Instance }
  | { kind: 'recovered'; instance: Instance; attempts: readonly RecoveryAttempt[] };

/** Registry statuses in which an instance should be running, or may be: these are checked. Stopped ones are left alone. */
const MONITORED: ReadonlySet<InstanceStatus> = new Set(['running', 'starting', 'restarting', 'updating', 'error', 'unknown']);

/** Restarts kept per instance across episodes, for the health panel and the hourly budget (which is at most this). */
const RECOVERY_LOG_SIZE = MAX_RESTARTS_PER_HOUR;

type ProviderListing = { provider: Provider; byId: Map<string, ProviderInstance> } | { unavailable: string };

interface MonitoredInstance {
  state: HealthState;
  history: RingBuffer<HealthSample>;
  episode: RecoveryEpisode;
  budget: RecoveryBudget;
  recoveryLog: RingBuffer<RecoveryAttempt>;
  /** Samples recorded since they were last published, at most a history's worth. */
  unpublished: HealthSample[];
  /** Its history started afresh (it is checked again after a stop) since it was last published. */
  fresh: boolean;
}

/**
 * Checks every instance that should be running, `concurrency` at a time: its provider's state (one list call per
 * provider per sweep), an HTTP GET of code-server's /healthz and an optional exec probe, plus CPU and memory where the
 * provider reports them. Every wait is bounded by the probe timeout, and the instances that made the last sweep wait
 * go first, so a hanging instance costs its own timeout alongside the others' checks rather than holding them up: a
 * sweep takes about one timeout as long as fewer than `concurrency` hang. An instance its provider reports stopped
 * although Remote Swarm did not stop it is recorded as stopped. Keeps a history per instance, turns a status only after
 * several checks agree, and restarts unhealthy instances with backoff up to a maximum per episode and a budget per
 * hour, then gives up and says so once.
 */
export class HealthMonitor {
  private readonly instances = new Map<string, MonitoredInstance>();
  private readonly changes = new Emitter<void>();
  private readonly events = new Emitter<HealthEvent>();
  private readonly probe: HttpProbe;
  /** Instances the monitor itself is restarting: their restart is not the user acting. */
  private readonly restarting = new Set<string>();
  private readonly subscriptions: Disposable[];
  private lastSweepAt: number | undefined;

  /** Fires after each sweep. */
  readonly onDidChange: Event<void> = this.changes.event;
  readonly onEvent: Event<HealthEvent> = this.events.event;

  constructor(private readonly deps: HealthMonitorDependencies) {
    this.probe = deps.probe ?? probeHttp;
    this.subscriptions = [
      deps.controller.onOperation(({ operation, instance, phase }) => {
        if (phase !== 'succeeded' || (operation !== 'start' && operation !== 'restart')) return;
        const started = this.deps.controller.list().find((candidate) => candidate.name === instance);
        if (started) this.noticeUserAction(started.id);
      }),
      // Another process of the user started or restarted it: its registry change arrives here with the transitional status.
      deps.controller.onDidChangeInstances(({ instance, remote }) => {
        if (remote && (instance.status === 'starting' || instance.status === 'restarting')) this.noticeUserAction(instance.id);
      }),
    ];
  }

  /**
   * Checks every monitored instance once, the slowest last time first, then records those stopped outside Remote Swarm
   * and restarts those due for recovery. Returns what each check found.
   */
  async sweep(): Promise<CheckedInstance[]> {
    const settings = this.deps.settings();
    const instances = this.deps.controller.list();
    this.forgetUnmonitored(instances);
    const due = instances.filter((instance) => MONITORED.has(instance.status) && !this.deps.controller.isBusy(instance.id));
    const listings = await this.listProviders(due, settings);
    const views = due.map((instance) => ({ instance, view: viewOf(instance, listings.get(instance.provider)!) }));
    const stoppedOutside = views.filter(({ view }) => isStopped(view)).map(({ instance }) => instance);
    const toCheck = this.longestWaitFirst(views.filter(({ view }) => !isStopped(view)));
    const checked = await mapConcurrently(toCheck, settings.concurrency, async ({ instance, view }) => {
      const options = { probe: this.probe, timeoutMs: settings.timeoutMs, execProbe: settings.execProbe, at: this.deps.clock.now() };
      return { instance, sample: await checkInstance(instance, view, options) };
    });
    for (const check of checked) this.record(check, settings);
    await mapConcurrently(checked, settings.concurrency, ({ instance }) => this.recoverIfDue(instance, settings));
    await this.recordStoppedOutside(stoppedOutside);
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

  /** Everything it knows but the histories (takeRecentSamples, allSamples), for the processes that follow this one (and take over from it). */
  published(): PublishedHealth {
    const instances: Record<string, PublishedInstanceHealth> = {};
    for (const [id, { state, episode, budget, recoveryLog }] of this.instances) instances[id] = { state, episode, budget, recoveryLog: recoveryLog.toArray() };
    return { lastSweepAt: this.lastSweepAt, instances };
  }

  /** The samples recorded since the previous call, for the processes that follow this one; undefined when there are none. */
  takeRecentSamples(): PublishedSamples | undefined {
    const samples: Record<string, HealthSample[]> = {};
    const fresh: string[] = [];
    for (const [id, monitored] of this.instances) {
      if (monitored.fresh) fresh.push(id);
      if (monitored.unpublished.length > 0) samples[id] = monitored.unpublished;
      monitored.unpublished = [];
      monitored.fresh = false;
    }
    if (fresh.length > 0) return { samples, fresh };
    return Object.keys(samples).length > 0 ? { samples } : undefined;
  }

  /** Every history, for a process that follows this one from the start. */
  allSamples(): PublishedSamples {
    return { samples: Object.fromEntries([...this.instances].map(([id, { history }]) => [id, history.toArray()])) };
  }

  /**
   * Shows what the leading process found instead of checking: its states and recovery episodes become this monitor's;
   * an instance it no longer checks is forgotten, one it checks anew starts with an empty history (followSamples fills it).
   */
  follow(published: PublishedHealth): void {
    const historySize = this.deps.settings().historySize;
    const followed = new Map(Object.entries(published.instances));
    for (const id of this.instances.keys()) if (!followed.has(id)) this.instances.delete(id);
    for (const [id, { state, episode, budget = newBudget(), recoveryLog }] of followed) {
      const history = this.instances.get(id)?.history ?? new RingBuffer<HealthSample>(historySize);
      this.instances.set(id, { state, history, episode, budget, recoveryLog: filled(new RingBuffer(RECOVERY_LOG_SIZE), recoveryLog), unpublished: [], fresh: false });
    }
    this.lastSweepAt = published.lastSweepAt;
    this.changes.fire();
  }

  /**
   * Shows the histories the leading process recorded: each batch's samples are added to those of the instances it
   * checks (follow), after none when it started publishing them afresh (`restarted`: the first batch holds them all).
   */
  followSamples(batches: readonly PublishedSamples[], restarted: boolean): void {
    const historySize = this.deps.settings().historySize;
    const startAfresh = (monitored: MonitoredInstance) => (monitored.history = new RingBuffer(historySize));
    if (restarted) for (const monitored of this.instances.values()) startAfresh(monitored);
    for (const { samples, fresh = [] } of batches) {
      for (const id of fresh) {
        const monitored = this.instances.get(id);
        if (monitored) startAfresh(monitored);
      }
      for (const [id, added] of Object.entries(samples)) {
        const monitored = this.instances.get(id);
        if (!monitored) continue;
        if (monitored.history.capacity !== historySize) monitored.history = resized(monitored.history, historySize);
        filled(monitored.history, added);
      }
    }
    this.changes.fire();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changes.dispose();
    this.events.dispose();
  }

  /** Forgets instances that were removed or stopped: their history and recovery start afresh when they run again. */
  private forgetUnmonitored(instances: readonly Instance[]): void {
    const monitoredIds = new Set(instances.filter((instance) => MONITORED.has(instance.status)).map((instance) => instance.id));
    for (const id of this.instances.keys()) if (!monitoredIds.has(id)) this.instances.delete(id);
  }

  /**
   * At most one list call per provider (none when a refresh listed it within the interval): what each says about its
   * instances, or why it could not be asked within the probe timeout.
   */
  private async listProviders(instances: readonly Instance[], { intervalMs, timeoutMs }: HealthSettings): Promise<Map<string, ProviderListing>> {
    const types = [...new Set(instances.map((instance) => instance.provider))];
    const listings = await Promise.all(
      types.map(async (type): Promise<[string, ProviderListing]> => {
        try {
          const listed = await within(this.deps.listings.recent(type, intervalMs), timeoutMs);
          if (listed === 'timedOut') return [type, { unavailable: `${type} did not list its instances within ${formatSeconds(timeoutMs)}` }];
          const { provider, instances: observed } = listed.value;
          return [type, { provider, byId: new Map(observed.map((instance) => [instance.id, instance])) }];
        } catch (error) {
          return [type, { unavailable: `${type} could not be asked: ${errorMessage(error)}` }];
        }
      }),
    );
    return new Map(listings);
  }

  /** The instances whose last check took longest first: their waiting then overlaps the others' checks instead of following them. */
  private longestWaitFirst<T extends { instance: Instance }>(items: readonly T[]): T[] {
    const lastWait = (item: T) => this.instances.get(item.instance.id)?.history.last()?.responseTimeMs ?? 0;
    return items
      .map((item) => ({ item, wait: lastWait(item) }))
      .sort((a, b) => b.wait - a.wait)
      .map(({ item }) => item);
  }

  /** Stopped, but not by Remote Swarm: its provider's reconcile records it stopped in the registry, and checks end. */
  private async recordStoppedOutside(instances: readonly Instance[]): Promise<void> {
    if (instances.length === 0) return;
    for (const instance of instances) {
      this.instances.delete(instance.id);
      this.events.fire({ kind: 'stopped-outside', instance });
    }
    await this.deps.controller.reconcile([...new Set(instances.map((instance) => instance.provider))]);
  }

  /** The user started or restarted an instance (not the monitor's own restart): it must prove itself again, with a fresh budget. */
  private noticeUserAction(id: string): void {
    const monitored = this.restarting.has(id) ? undefined : this.instances.get(id);
    if (!monitored) return;
    const now = this.deps.clock.now();
    monitored.budget = newBudget(now);
    monitored.episode = newEpisode();
    if (monitored.state.status === 'UNHEALTHY') monitored.state = recoveringState(monitored.state, now);
  }

  private record({ instance, sample }: CheckedInstance, settings: HealthSettings): void {
    if (this.deps.startup?.isStarting(instance.id)) {
      // Not serving yet is not a failure: availability and error rate count from the first check that passes.
      if (sample.outcome !== 'pass') return;
      this.deps.startup.passed(instance.id);
    }
    let monitored = this.instances.get(instance.id);
    if (!monitored) {
      monitored = {
        state: initialHealthState(sample.at),
        history: new RingBuffer(settings.historySize),
        episode: newEpisode(),
        budget: newBudget(),
        recoveryLog: new RingBuffer(RECOVERY_LOG_SIZE),
        unpublished: [],
        fresh: true,
      };
      this.instances.set(instance.id, monitored);
    }
    if (monitored.history.capacity !== settings.historySize) monitored.history = resized(monitored.history, settings.historySize);
    monitored.history.push(sample);
    monitored.unpublished.push(sample);
    // Nothing publishes for a sweep run outside the schedule (the CLI's check); the history holds no more anyway.
    if (monitored.unpublished.length > settings.historySize) monitored.unpublished.shift();
    const previous = monitored.state.status;
    monitored.state = nextHealthState(monitored.state, sample.outcome, settings, sample.at);
    const status = monitored.state.status;
    if (status === 'UNHEALTHY' && previous !== 'UNHEALTHY' && previous !== 'RECOVERING') {
      const enabled = recoverySettings(instance, settings).enabled;
      const { suspended } = monitored.budget;
      this.events.fire({ kind: 'unhealthy', instance, error: sample.error, autoRecovery: enabled && !suspended, suspended: enabled && suspended });
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
    const { episode, budget, recoveryLog } = monitored;
    const decision = decideRecovery(episode, budget, recoveryLog.toArray(), recoverySettings(instance, settings), now);
    const error = monitored.history.last()?.error;
    if (decision === 'give-up') {
      episode.gaveUp = true;
      this.events.fire({ kind: 'recovery-gave-up', instance, reason: 'attempts', attempts: [...episode.attempts], error });
    } else if (decision === 'over-budget') {
      budget.suspended = true;
      this.events.fire({ kind: 'recovery-gave-up', instance, reason: 'hourly-budget', attempts: restartsInBudgetWindow(budget, recoveryLog.toArray(), now), error });
    } else if (decision === 'restart') {
      monitored.state = recoveringState(monitored.state, now);
      const attempt: RecoveryAttempt = { at: now, attempt: episode.attempts.length + 1, result: 'restarted' };
      this.restarting.add(instance.id);
      try {
        await this.deps.controller.restart(instance.id);
      } catch (failure) {
        attempt.result = 'failed';
        attempt.error = errorMessage(failure);
      } finally {
        this.restarting.delete(instance.id);
      }
      episode.attempts.push(attempt);
      monitored.recoveryLog.push(attempt);
      this.events.fire({ kind: 'recovery-attempt', instance, attempt });
    }
  }
}

function isStopped(view: ProviderView): boolean {
  return 'observed' in view && view.observed?.status === 'stopped';
}

function viewOf(instance: Instance, listing: ProviderListing): ProviderView {
  return 'unavailable' in listing ? listing : { provider: listing.provider, observed: listing.byId.get(instance.id) };
}

function newBudget(countsFrom = 0): RecoveryBudget {
  return { countsFrom, suspended: false };
}

function newEpisode(): RecoveryEpisode {
  return { attempts: [], gaveUp: false };
}

function recoverySettings(instance: Instance, settings: HealthSettings): RecoverySettings {
  return {
    enabled: forTemplate(settings.autoRecoveryByTemplate, instance.config.template, settings.autoRecovery),
    maxAttempts: settings.maxRecoveryAttempts,
    backoffMs: settings.recoveryBackoffMs,
    maxPerHour: settings.maxRestartsPerHour,
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

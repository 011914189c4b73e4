import type { Clock } from './clock';
import type { ReconcileReport, SwarmController } from './controller';
import { errorMessage, type SwarmError } from './errors';
import { Emitter, type Event } from './events';
import type { Logger } from './logger';
import { PeriodicTask } from './periodicTask';
import type { SwarmSettings } from './settings';

/**
 * Reconciles the registry with the providers: first when someone first looks (never at start-up), then on demand and
 * every refreshInterval seconds while someone watches (the view is visible; a CLI watch) and this process leads. Keeps each provider's last
 * error. A request while a refresh runs is served by one more run after it.
 */
export class RefreshScheduler {
  private readonly errors = new Map<string, SwarmError>();
  private readonly started = new Emitter<Promise<void>>();
  private readonly refreshed = new Emitter<void>();
  private readonly task: PeriodicTask;
  private watched = false;
  private requested = false;
  private completed = false;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** Fires with each refresh as it starts (the UI shows progress until it settles). */
  readonly onDidStart: Event<Promise<void>> = this.started.event;
  /** Fires after each refresh. */
  readonly onDidRefresh: Event<void> = this.refreshed.event;

  constructor(
    private readonly controller: SwarmController,
    private readonly settings: SwarmSettings,
    clock: Clock,
    private readonly log: Logger,
    /** Whether this process runs the periodic work of the user's processes: the others see its results. */
    private readonly leading: () => boolean = () => true,
  ) {
    this.task = new PeriodicTask(
      clock,
      () => (this.watched && this.leading() ? this.settings.refreshIntervalSeconds * 1000 : 0),
      () => this.refresh(),
      (error) => this.log.error(`Refreshing the instances failed: ${errorMessage(error)}`),
    );
  }

  /** The default provider, then every provider with registered instances. */
  providerTypes(): string[] {
    return [...new Set([this.settings.defaultProvider, ...this.controller.providerTypesInUse()])];
  }

  providerError(type: string): SwarmError | undefined {
    return this.errors.get(type);
  }

  /** Whether any refresh has finished: before it, an empty registry means "not looked yet". */
  get hasCompleted(): boolean {
    return this.completed;
  }

  /** Whether any provider could not be listed in the last refresh. */
  get hasErrors(): boolean {
    return this.errors.size > 0;
  }

  refresh(): Promise<void> {
    this.requested = true;
    if (!this.inFlight) {
      this.inFlight = this.reconcile().finally(() => (this.inFlight = undefined));
      this.started.fire(this.inFlight);
      return this.inFlight;
    }
    const again = (): Promise<void> => {
      this.queued = undefined;
      return this.refresh();
    };
    this.queued ??= this.inFlight.then(again, again);
    return this.queued;
  }

  /** The first refresh, when someone first looks. */
  loadOnce(): void {
    if (!this.requested) this.refreshInBackground();
  }

  /** Refreshes again after a settings change, unless nobody has looked yet. */
  refreshIfStarted(): void {
    if (this.requested) this.refreshInBackground();
  }

  /** Periodic refreshes run only while someone watches. */
  setWatched(watched: boolean): void {
    this.watched = watched;
    if (watched) this.loadOnce();
    this.restartTimer();
  }

  /** Applies a changed refresh interval, or a change of lead. */
  restartTimer(): void {
    this.task.start();
  }

  dispose(): void {
    this.task.dispose();
    this.started.dispose();
    this.refreshed.dispose();
  }

  private refreshInBackground(): void {
    this.refresh().catch((error: unknown) => this.log.error(`Refreshing the instances failed: ${errorMessage(error)}`));
  }

  private async reconcile(): Promise<void> {
    const reports = await this.controller.reconcile(this.providerTypes());
    const previous = new Map(this.errors);
    this.errors.clear();
    for (const report of reports) this.record(report, previous.get(report.provider));
    this.completed = true;
    this.refreshed.fire();
  }

  private record({ provider, adopted, vanished, discarded, error }: ReconcileReport, previous: SwarmError | undefined): void {
    if (error) {
      if (previous?.message !== error.message) this.log.warn(`${provider}: cannot list instances: ${error.message}`);
      this.errors.set(provider, error);
      return;
    }
    if (previous) this.log.info(`${provider}: reachable again`);
    if (adopted.length > 0) this.log.info(`${provider}: adopted ${adopted.length} instance(s) made elsewhere: ${names(adopted)}`);
    if (vanished.length > 0) this.log.warn(`${provider}: ${vanished.length} instance(s) were removed outside Remote Swarm, now "missing": ${names(vanished)}`);
    if (discarded.length > 0) this.log.info(`${provider}: removed ${discarded.length} create(s) that did not finish and made nothing: ${names(discarded)}`);
  }
}

function names(instances: readonly { name: string }[]): string {
  return instances.map((instance) => instance.name).join(', ');
}

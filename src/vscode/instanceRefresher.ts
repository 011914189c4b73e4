import * as vscode from 'vscode';
import type { ReconcileReport, SwarmController } from '../core/controller';
import type { SwarmError } from '../core/errors';
import { STATE_CONTEXT_KEY, VIEW_ID } from './contributions';
import { errorDetail } from './logChannel';
import type { SwarmSettings } from './settings';

/** What the instances view shows when it has no items: the welcome content package.json declares for each. */
export type ViewState = 'loading' | 'empty' | 'unreachable' | 'ready';

/**
 * Reconciles the registry with the providers: first when the view is first shown (never at activation), then on
 * demand and every remoteSwarm.refreshInterval seconds while the view is visible. Keeps each provider's last error
 * and the remoteSwarm.state context key.
 */
export class InstanceRefresher implements vscode.Disposable {
  private readonly errors = new Map<string, SwarmError>();
  private readonly refreshed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  private started = false;
  private completed = false;
  private visible = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private state: ViewState | undefined;

  readonly onDidRefresh = this.refreshed.event;

  constructor(
    private readonly controller: SwarmController,
    private readonly settings: SwarmSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = controller.onDidChangeInstances(() => this.updateState());
    this.updateState();
  }

  /** The default provider, then every provider with registered instances. */
  providerTypes(): string[] {
    return [...new Set([this.settings.defaultProvider, ...this.controller.providerTypesInUse()])];
  }

  providerError(type: string): SwarmError | undefined {
    return this.errors.get(type);
  }

  /** Reconciles now; a request while one runs is served by one more run after it. */
  refresh(): Promise<void> {
    this.started = true;
    if (!this.inFlight) {
      this.inFlight = this.reconcile().finally(() => (this.inFlight = undefined));
      return this.inFlight;
    }
    const again = (): Promise<void> => {
      this.queued = undefined;
      return this.refresh();
    };
    this.queued ??= this.inFlight.then(again, again);
    return this.queued;
  }

  /** The first reconcile, when the view first asks for its items. */
  loadOnce(): void {
    if (!this.started) this.refreshInBackground();
  }

  /** Reconciles again after a settings change, unless the view has never been shown. */
  refreshIfStarted(): void {
    if (this.started) this.refreshInBackground();
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.loadOnce();
    this.restartTimer();
  }

  /** Applies a changed refresh interval. */
  restartTimer(): void {
    clearInterval(this.timer);
    const seconds = this.settings.refreshIntervalSeconds;
    this.timer = this.visible && seconds > 0 ? setInterval(() => this.refreshInBackground(), seconds * 1000) : undefined;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.refreshed.dispose();
  }

  private refreshInBackground(): void {
    this.refresh().catch((error: unknown) => this.log.error(`Refreshing the instances failed: ${errorDetail(error)}`));
  }

  private async reconcile(): Promise<void> {
    const reports = await vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () => this.controller.reconcile(this.providerTypes()));
    const previous = new Map(this.errors);
    this.errors.clear();
    for (const report of reports) this.record(report, previous.get(report.provider));
    this.completed = true;
    this.updateState();
    this.refreshed.fire();
  }

  private record({ provider, adopted, vanished, error }: ReconcileReport, previous: SwarmError | undefined): void {
    if (error) {
      if (previous?.message !== error.message) this.log.warn(`${provider}: cannot list instances: ${error.message}`);
      this.errors.set(provider, error);
      return;
    }
    if (previous) this.log.info(`${provider}: reachable again`);
    if (adopted.length > 0) this.log.info(`${provider}: adopted ${adopted.length} instance(s) made outside this window: ${names(adopted)}`);
    if (vanished.length > 0) this.log.warn(`${provider}: ${vanished.length} instance(s) were removed outside Remote Swarm, now "missing": ${names(vanished)}`);
  }

  private updateState(): void {
    const state = this.nextState();
    if (state === this.state) return;
    this.state = state;
    void vscode.commands.executeCommand('setContext', STATE_CONTEXT_KEY, state);
  }

  private nextState(): ViewState {
    if (this.controller.list().length > 0) return 'ready';
    if (!this.completed) return 'loading';
    return this.errors.size > 0 ? 'unreachable' : 'empty';
  }
}

function names(instances: readonly { name: string }[]): string {
  return instances.map((instance) => instance.name).join(', ');
}

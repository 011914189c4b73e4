import { BackupService } from './backups/backupService';
import { BACKUP_SECRETS, backupStoreSettings } from './backups/backupSettings';
import type { BackupStoreFactory } from './backups/backupStore';
import { systemClock, type Clock } from './clock';
import { SwarmController } from './controller';
import { BudgetGuard } from './cost/budgetGuard';
import { CostLedger } from './cost/costLedger';
import { CostMeter } from './cost/costMeter';
import { PriceBook } from './cost/pricing';
import { ConcurrencyGate } from './concurrency';
import { soloCoordination, type ReceivedSamples, type SwarmCoordination } from './coordination/swarmCoordination';
import { errorMessage, SwarmError } from './errors';
import { GroupService } from './groups/groupService';
import { loadGroupTemplates, type GroupTemplateCatalog } from './groups/groupTemplates';
import type { Disposable } from './events';
import { HealthMonitor } from './health/healthMonitor';
import { probeHttp, type HttpProbe } from './health/httpProbe';
import { InstanceStartup } from './health/instanceStartup';
import { parsePublishedHealth, parsePublishedSamples, type PublishedSamples } from './health/publishedHealth';
import { IdleWatcher } from './idle/idleWatcher';
import { userOwnerId } from './installationId';
import { MigrationService } from './migration/migrationService';
import { redactingLogger, type Logger } from './logger';
import type { Instance } from './models';
import { PeriodicTask } from './periodicTask';
import { ProviderFactory, type ProviderRegistration, type ProviderSecret } from './provider';
import { ProviderListings } from './providerListings';
import { ProviderPool } from './providerPool';
import { RefreshScheduler } from './refreshScheduler';
import { InstanceRegistry, type QuarantinedEntry } from './registry';
import { SwarmSettings, type SettingsSource } from './settings';
import type { KeyValueStore, SecretStore } from './stores';
import { loadTemplates, type TemplateCatalog, type TemplateProblem } from './templates';

/** Cost is accrued on every status change anyway; the tick persists it and checks the budgets. */
const COST_TICK_MS = 60_000;
/** The leader publishes its results this long after a change, so that a burst of changes is one write. */
const PUBLISH_DELAY_MS = 100;

/** What this machine keeps per instance outside the registry (SSH config, keys, host keys), removed when an instance goes. */
export interface InstanceLocalFiles {
  forget(instance: Instance): void;
}

export interface SwarmDependencies {
  /** Persistent state: the registry, the cost ledger, providers' own lists (VS Code globalState, the CLI's state file). */
  stores: { state: KeyValueStore };
  secrets: SecretStore;
  settings: SettingsSource;
  log: Logger;
  providers: readonly ProviderRegistration[];
  localFiles?: readonly InstanceLocalFiles[];
  /** Opens backup storage (src/backup: S3, loaded on first use); without it, backups are refused. */
  backupStore?: BackupStoreFactory;
  clock?: Clock;
  /**
   * How this process shares the periodic work with the user's other processes (VS Code windows, CLI, MCP server):
   * FileCoordination over the user's state folder; default, alone (it always leads).
   */
  coordination?: SwarmCoordination;
  /** This user's owner id; default the one in the user's state folder, shared by every front end. */
  ownerId?: () => string;
  /** For tests: the health probe, ids and passwords. */
  probe?: HttpProbe;
  newId?: () => string;
  newPassword?: () => string;
}

/** What could not be read when the swarm was loaded: reported by each front end in its own way. */
export interface SwarmLoadReport {
  quarantined: QuarantinedEntry[];
  ledgerProblem: string | undefined;
  templateProblems: TemplateProblem[];
}

/**
 * Remote Swarm's core, as every front end (the extension, the CLI, the MCP server) runs it: registry, controller,
 * providers, refresh scheduling, health with recovery, idle stops, cost metering with budgets, and what must happen
 * when an instance goes. Nothing in it knows a front end; no timer runs outside its periodic tasks.
 */
export class Swarm implements Disposable {
  readonly settings: SwarmSettings;
  readonly registry: InstanceRegistry;
  readonly providers: ProviderPool;
  readonly listings: ProviderListings;
  readonly controller: SwarmController;
  readonly refresher: RefreshScheduler;
  /** Groups of a coordinator and workers, made, scaled and run as one. */
  readonly groups: GroupService;
  /** Workspace backups to S3-compatible storage, and restores from them. */
  readonly backups: BackupService;
  readonly health: HealthMonitor;
  /** Instances created or (re)started that do not serve yet. */
  readonly startup: InstanceStartup;
  readonly idle: IdleWatcher;
  readonly ledger: CostLedger;
  readonly cost: CostMeter;
  readonly budgets: BudgetGuard;
  /** Prices per hour of instances, for the cost meter and a migration's plan. */
  readonly prices: PriceBook;
  /** Moving an instance to another provider with its workspace. */
  readonly migrations: MigrationService;
  readonly log: Logger;
  /** Where passwords and provider secrets are kept. */
  readonly secrets: SecretStore;
  /** Whether this process leads the user's processes: only the leader runs the periodic work, the others show its results. */
  readonly coordination: SwarmCoordination;
  private readonly clock: Clock;
  private cancelPublish: (() => void) | undefined;
  /** Whether this process takes part in monitoring (startMonitoring): then only the leader writes the cost ledger. */
  private monitoring = false;
  private readonly healthTask: PeriodicTask;
  private readonly costTask: PeriodicTask;
  private readonly subscriptions: Disposable[];

  constructor(deps: SwarmDependencies) {
    const clock = deps.clock ?? systemClock;
    this.clock = clock;
    const log = redactingLogger(deps.log);
    this.log = log;
    const coordination = deps.coordination ?? soloCoordination();
    this.coordination = coordination;
    this.secrets = deps.secrets;
    this.settings = new SwarmSettings(deps.settings);
    const factory = new ProviderFactory();
    for (const registration of deps.providers) factory.register(registration);
    this.providers = new ProviderPool(factory, (type) => this.settings.providerSettings(type), { state: deps.stores.state, secrets: deps.secrets, log, clock, ownerId: deps.ownerId ?? (() => userOwnerId()) });
    this.listings = new ProviderListings(this.providers, clock);
    this.registry = new InstanceRegistry(deps.stores.state, () => new Date(clock.now()));
    this.controller = new SwarmController({
      registry: this.registry,
      providers: this.providers,
      listings: this.listings,
      secrets: deps.secrets,
      templates: () => this.templates(),
      settings: () => ({ maxInstances: this.settings.maxInstances, defaultImage: this.settings.defaultImage }),
      locks: coordination.locks,
      now: () => new Date(clock.now()),
      ...(deps.newId ? { newId: deps.newId } : {}),
      ...(deps.newPassword ? { newPassword: deps.newPassword } : {}),
    });
    this.refresher = new RefreshScheduler(this.controller, this.settings, clock, log, () => coordination.leading);
    this.groups = new GroupService({
      controller: this.controller,
      providers: this.providers,
      groupTemplates: () => this.groupTemplates(),
      settings: () => ({ maxInstances: this.settings.maxInstances }),
    });

    this.backups = new BackupService({
      controller: this.controller,
      providers: this.providers,
      now: () => new Date(clock.now()),
      openStore: async () => {
        if (!deps.backupStore) throw new SwarmError('OPERATION_FAILED', 'This front end has no backup storage.');
        return deps.backupStore(await backupStoreSettings(this.settings.backup, deps.secrets));
      },
    });

    const probe = deps.probe ?? probeHttp;
    // Readiness probes are bounded as a sweep's are: a thousand instances created together open no thousand sockets.
    const readinessProbes = new ConcurrencyGate(() => this.settings.health().concurrency);
    this.startup = new InstanceStartup({ controller: this.controller, probe: (url, timeoutMs) => readinessProbes.run(() => probe(url, timeoutMs)), clock, timeoutMs: () => this.settings.health().timeoutMs });
    this.health = new HealthMonitor({ controller: this.controller, listings: this.listings, settings: () => this.settings.health(), clock, probe, startup: this.startup });
    this.idle = new IdleWatcher({ controller: this.controller, settings: () => this.settings.idle(), clock });
    this.healthTask = new PeriodicTask(
      clock,
      () => this.settings.health().intervalMs,
      async () => {
        if (!coordination.leading) return;
        await this.idle.review(await this.health.sweep());
        this.schedulePublish();
      },
      (error) => log.error(`Health check sweep failed: ${errorMessage(error)}`),
    );

    // A process that takes no part in monitoring (a CLI command that runs once) writes its own changes.
    this.ledger = new CostLedger(deps.stores.state, () => !this.monitoring || coordination.leading);
    this.prices = new PriceBook((type) => this.providers.describe(type)?.pricing, () => this.settings.cost().pricePerHour);
    this.cost = new CostMeter({ registry: this.registry, ledger: this.ledger, prices: this.prices, clock });
    this.budgets = new BudgetGuard({ controller: this.controller, ledger: this.ledger, settings: () => this.settings.cost() });
    this.costTask = new PeriodicTask(
      clock,
      () => COST_TICK_MS,
      async () => {
        if (!coordination.leading) return;
        await this.cost.tick();
        await this.budgets.review(this.cost.report());
        await this.migrations.deleteExpiredSources().catch((error: unknown) => log.warn(`Deleting the kept source of a migrated instance failed; it is tried again in a minute: ${errorMessage(error)}`));
      },
      (error) => log.error(`Cost metering failed: ${errorMessage(error)}`),
    );

    const localFiles = deps.localFiles ?? [];
    this.migrations = new MigrationService({
      controller: this.controller,
      providers: this.providers,
      prices: this.prices,
      secrets: deps.secrets,
      forgetLocalFiles: (instance) => this.forgetLocalFiles(localFiles, instance),
      now: () => clock.now(),
    });
    this.subscriptions = [
      this.registry.onDidChange(({ kind, instance, remote }) => {
        if (kind === 'removed') this.forgetLocalFiles(localFiles, instance);
        if (!remote) coordination.shareInstanceChange({ id: instance.id, at: clock.now(), instance: kind === 'removed' ? undefined : instance });
      }),
      this.settings.onDidChange((changed) => this.applySettingChanges(changed)),
      coordination.onDidReceiveInstanceChanges((changes) => {
        for (const { id, instance, at } of changes) this.registry.applyRemote(id, instance, at);
      }),
      coordination.onDidReceiveMonitoring((published) => this.follow(published)),
      coordination.onDidReceiveSamples((received) => this.followSamples(received)),
      coordination.onDidChangeLeadership((leading) => this.applyLeadership(leading)),
      this.cost.onDidChange(() => this.schedulePublish()),
      this.controller.onOperation(({ phase }) => {
        if (phase !== 'started') this.listings.invalidate();
      }),
    ];
  }

  /** Built-in templates plus the user's and the workspace's (the templates setting), with the problems of those skipped. */
  templates(): TemplateCatalog {
    const { user, workspace } = this.settings.templates;
    return loadTemplates(user, workspace);
  }

  /** The built-in group templates plus the user's (the groupTemplates setting), with the problems of those skipped. */
  groupTemplates(): GroupTemplateCatalog {
    return loadGroupTemplates(this.settings.groupTemplates);
  }

  /** Loads the registry and the cost ledger; an entry it cannot read is kept aside and reported, never dropped. */
  /** Every secret a front end may offer to set: each provider's, and the backup storage's credentials. */
  secretsToSet(): ProviderSecret[] {
    return [...this.providers.types().flatMap((provider) => provider.secrets ?? []), ...Object.values(BACKUP_SECRETS)];
  }

  async load(): Promise<SwarmLoadReport> {
    const quarantined = await this.registry.load();
    const ledgerProblem = await this.ledger.load();
    return { quarantined, ledgerProblem, templateProblems: this.templates().problems };
  }

  /**
   * Takes part in monitoring: campaigns for the lead among the user's processes and starts the schedules of health
   * sweeps (the first one interval from now) and cost ticks, which run while this process leads; while another leads,
   * this one shows what that one publishes. A CLI command that runs once does not call it.
   */
  startMonitoring(): void {
    this.monitoring = true;
    this.coordination.join();
    this.healthTask.start();
    this.costTask.start();
  }

  /** A health sweep now (or the one in progress) when this process leads; the schedule carries on from its end. */
  sweepNow(): Promise<void> {
    return this.healthTask.runNow();
  }

  /** Brings cost up to now, persists it and reviews the budgets, when this process leads. */
  meterNow(): Promise<void> {
    return this.costTask.runNow();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.cancelPublish?.();
    // Gives the lead up for another process to take at once.
    this.coordination.dispose();
    this.healthTask.dispose();
    this.costTask.dispose();
    this.refresher.dispose();
    // Nothing to write: the ledger's open spans carry on from where they were after a restart.
    this.cost.dispose();
    this.startup.dispose();
    this.health.dispose();
    this.idle.dispose();
    this.budgets.dispose();
    this.controller.dispose();
    this.providers.dispose();
    this.registry.dispose();
  }

  /**
   * A provider's settings changed: new providers and a refresh. The default provider changed: a refresh. An interval
   * changed: the schedule follows. Cost settings changed: a cost tick (prices, budgets).
   */
  private applySettingChanges(changed: (key: string) => boolean): void {
    const providerSettingsChanged = this.providers.types().some(({ type }) => changed(type));
    if (providerSettingsChanged) this.providers.reset();
    if (providerSettingsChanged || changed('defaultProvider')) this.refresher.refreshIfStarted();
    if (changed('refreshInterval')) this.refresher.restartTimer();
    if (changed('health.interval')) this.healthTask.start();
    if (changed('cost')) void this.costTask.runNow();
  }

  /** Took the lead: writes the ledger from now on, reconciles while watched, and publishes. Lost it: shows the new leader's. */
  private applyLeadership(leading: boolean): void {
    this.log.info(leading ? 'This process now runs health checks, recovery, idle and budget stops and cost metering for the others.' : 'Another Remote Swarm process runs health checks and cost metering now; this one shows its results.');
    this.refresher.restartTimer();
    this.schedulePublish();
  }

  /** What the leader published: its health states and its ledger become this process's view. */
  private follow(published: unknown): void {
    const { health, ledger } = (published ?? {}) as { health?: unknown; ledger?: unknown };
    const parsed = parsePublishedHealth(health);
    if (parsed) this.health.follow(parsed);
    this.cost.follow(ledger);
  }

  /** The leader's health samples: a batch another version of Remote Swarm wrote is skipped, and said so once. */
  private followSamples({ restarted, batches }: ReceivedSamples): void {
    const parsed = batches.map(parsePublishedSamples);
    const skipped = parsed.filter((batch) => batch === undefined).length;
    if (skipped > 0) this.log.warn(`Skipped ${skipped} batch(es) of health samples another Remote Swarm process published in a shape this version cannot read; its histories may miss some checks.`);
    this.health.followSamples(parsed.filter((batch): batch is PublishedSamples => batch !== undefined), restarted);
  }

  private schedulePublish(): void {
    if (!this.coordination.leading || this.cancelPublish) return;
    this.cancelPublish = this.clock.setTimeout(() => {
      this.cancelPublish = undefined;
      const samples = { recent: this.health.takeRecentSamples(), all: () => this.health.allSamples(), maxAppended: this.settings.health().historySize };
      this.coordination.publishMonitoring({ health: this.health.published(), ledger: this.ledger.published() }, samples);
    }, PUBLISH_DELAY_MS);
  }

  private forgetLocalFiles(localFiles: readonly InstanceLocalFiles[], instance: Instance): void {
    for (const files of localFiles) {
      try {
        files.forget(instance);
      } catch (error) {
        this.log.warn(`Could not remove the local files of "${instance.name}": ${errorMessage(error)}`);
      }
    }
  }
}

export function createSwarm(deps: SwarmDependencies): Swarm {
  return new Swarm(deps);
}

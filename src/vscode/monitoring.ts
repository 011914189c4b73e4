import * as vscode from 'vscode';
import { systemClock } from '../core/clock';
import type { SwarmController } from '../core/controller';
import { BudgetGuard } from '../core/cost/budgetGuard';
import { budgetViews } from '../core/cost/budgets';
import { CostLedger } from '../core/cost/costLedger';
import { CostMeter } from '../core/cost/costMeter';
import { PriceBook } from '../core/cost/pricing';
import { HealthMonitor } from '../core/health/healthMonitor';
import type { HealthSnapshot } from '../core/health/healthSnapshot';
import { IdleWatcher } from '../core/idle/idleWatcher';
import { PeriodicTask } from '../core/periodicTask';
import type { ProviderPool } from '../core/providerPool';
import type { KeyValueStore } from '../core/stores';
import { COMMANDS, PANELS } from './contributions';
import { createHealthStatusBar } from './healthStatusBar';
import { errorDetail } from './logChannel';
import { announceMonitoringEvents } from './monitoringAlerts';
import { monitoringSettings } from './monitoringSettings';
import { reportWarning } from './notifications';
import { LivePanel } from './panels/livePanel';
import type { CostPanelSnapshot } from './panels/panelProtocol';
import type { SwarmSettings } from './settings';

/** Cost is accrued on every status change anyway; the tick persists it, refreshes the panel and checks the budgets. */
const COST_TICK_MS = 60_000;

export interface MonitoringDependencies {
  extensionUri: vscode.Uri;
  /** Where the cost ledger is kept (globalState), next to the registry. */
  store: KeyValueStore;
  controller: SwarmController;
  pool: ProviderPool;
  settings: SwarmSettings;
  log: vscode.LogOutputChannel;
}

export interface Monitoring extends vscode.Disposable {
  health: HealthMonitor;
  cost: CostMeter;
}

/**
 * Health checks with auto-recovery and idle stops on the remoteSwarm.health.interval, cost metering with budgets, the
 * status bar item, the health and cost panels and their commands. The first sweep comes one interval after activation,
 * or at once when the health panel is opened.
 */
export async function startMonitoring({ extensionUri, store, controller, pool, settings, log }: MonitoringDependencies): Promise<Monitoring> {
  const clock = systemClock;
  const health = new HealthMonitor({ controller, providers: pool, settings: monitoringSettings.health, clock });
  const idle = new IdleWatcher({ controller, settings: monitoringSettings.idle, clock });
  const healthTask = new PeriodicTask(
    clock,
    () => monitoringSettings.health().intervalMs,
    async () => {
      const checks = await health.sweep();
      await idle.review(checks);
    },
    (error) => log.error(`Health check sweep failed: ${errorDetail(error)}`),
  );

  const ledger = new CostLedger(store);
  const ledgerProblem = await ledger.load();
  if (ledgerProblem) reportWarning(log, ledgerProblem, [ledgerProblem]);
  const prices = new PriceBook((type) => pool.describe(type)?.pricing, () => monitoringSettings.cost().pricePerHour);
  const cost = new CostMeter({ registry: controller.registry, ledger, prices, clock });
  const budgets = new BudgetGuard({ controller, ledger, settings: monitoringSettings.cost });
  const costTask = new PeriodicTask(
    clock,
    () => COST_TICK_MS,
    async () => {
      await cost.tick();
      await budgets.review(cost.report());
    },
    (error) => log.error(`Cost metering failed: ${errorDetail(error)}`),
  );

  const healthPanel = new LivePanel<HealthSnapshot>(extensionUri, {
    viewType: PANELS.health,
    title: 'Remote Swarm Health',
    script: 'health.js',
    styles: ['health/health.css'],
    snapshot: () => health.snapshot(),
    changes: [health.onDidChange, controller.onDidChangeInstances],
    onInstanceCommand: ({ command, instanceId }) => void vscode.commands.executeCommand(command === 'restart' ? COMMANDS.restartInstance : COMMANDS.showLogs, instanceId),
  });
  const costPanel = new LivePanel<CostPanelSnapshot>(extensionUri, {
    viewType: PANELS.cost,
    title: 'Remote Swarm Cost',
    script: 'cost.js',
    styles: ['cost/cost.css'],
    snapshot: () => {
      const report = cost.report();
      return { report, budgets: budgetViews(report, monitoringSettings.cost()) };
    },
    changes: [cost.onDidChange],
  });

  healthTask.start();
  costTask.start();
  const disposables = vscode.Disposable.from(
    createHealthStatusBar(health, {
      enabled: () => monitoringSettings.health().intervalMs > 0,
      changes: [controller.onDidChangeInstances, (listener) => settings.onDidChange((changed) => changed('health.interval') && listener(undefined))],
    }),
    announceMonitoringEvents({ health, idle, budgets }, log),
    healthPanel,
    costPanel,
    vscode.commands.registerCommand(COMMANDS.showHealth, () => {
      healthPanel.show();
      if (health.overview().lastSweepAt === undefined) void healthTask.runNow();
    }),
    vscode.commands.registerCommand(COMMANDS.showCost, () => costPanel.show()),
    settings.onDidChange((changed) => {
      if (changed('health.interval')) healthTask.start();
      if (changed('cost')) void costTask.runNow();
    }),
  );
  return {
    health,
    cost,
    dispose() {
      healthTask.dispose();
      costTask.dispose();
      disposables.dispose();
      // Nothing to write: the ledger's open spans carry on from where they were after a restart.
      cost.dispose();
      health.dispose();
      idle.dispose();
      budgets.dispose();
    },
  };
}

import * as vscode from 'vscode';
import { budgetViews } from '../core/cost/budgets';
import type { CostMeter } from '../core/cost/costMeter';
import type { HealthMonitor } from '../core/health/healthMonitor';
import type { HealthSnapshot } from '../core/health/healthSnapshot';
import type { Instance } from '../core/models';
import type { Swarm } from '../core/swarm';
import { COMMANDS, PANELS } from './contributions';
import { createHealthStatusBar, type HealthStatusBarOptions } from './healthStatusBar';
import { announceMonitoringEvents } from './monitoringAlerts';
import { reportError, reportWarning } from './notifications';
import { LivePanel } from './panels/livePanel';
import { runPanelCommand } from './panels/panelCommands';
import type { CostPanelSnapshot } from './panels/panelProtocol';
import { createWindowInstanceStatusBar } from './windowInstanceStatusBar';

export interface Monitoring extends vscode.Disposable {
  health: HealthMonitor;
  cost: CostMeter;
}

/**
 * What monitoring shows: the status bar items (every instance's health; the instance this window is connected to), the
 * health and cost panels and their commands, and notifications of unhealthy instances, restarts, idle and budget stops.
 * The monitoring itself runs in the core; its first sweep comes one interval after activation, or at once when the
 * health panel is opened.
 */
export function showMonitoring(
  swarm: Swarm,
  extensionUri: vscode.Uri,
  log: vscode.LogOutputChannel,
  ledgerProblem: string | undefined,
  thisWindow: () => Instance | undefined,
): Monitoring {
  const { health, idle, budgets, cost, controller, settings } = swarm;
  if (ledgerProblem) reportWarning(log, ledgerProblem, [ledgerProblem]);
  const healthPanel = new LivePanel<HealthSnapshot>(extensionUri, {
    viewType: PANELS.health,
    title: 'Remote Swarm Health',
    script: 'health.js',
    styles: ['health/health.css'],
    snapshot: () => health.snapshot(),
    changes: [health.onDidChange, controller.onDidChangeInstances],
    onInstanceCommand: ({ command, instanceId }) =>
      void runPanelCommand(controller, swarm.providers, command, instanceId).catch((error: unknown) => reportError(log, { title: 'Remote Swarm', error })),
    log,
  });
  const costPanel = new LivePanel<CostPanelSnapshot>(extensionUri, {
    viewType: PANELS.cost,
    title: 'Remote Swarm Cost',
    script: 'cost.js',
    styles: ['cost/cost.css'],
    snapshot: () => {
      const report = cost.report();
      return { report, budgets: budgetViews(report, settings.cost()) };
    },
    changes: [cost.onDidChange],
    log,
  });

  swarm.startMonitoring();
  const statusBar: HealthStatusBarOptions = {
    enabled: () => settings.health().intervalMs > 0,
    changes: [controller.onDidChangeInstances, (listener) => settings.onDidChange((changed) => changed('health.interval') && listener(undefined))],
  };
  const disposables = vscode.Disposable.from(
    createHealthStatusBar(health, statusBar, () => swarm.groups.list()),
    createWindowInstanceStatusBar(thisWindow, health, statusBar),
    announceMonitoringEvents({ health, idle, budgets }, log),
    healthPanel,
    costPanel,
    vscode.commands.registerCommand(COMMANDS.showHealth, () => {
      healthPanel.show();
      if (health.overview().lastSweepAt === undefined) void swarm.sweepNow();
    }),
    vscode.commands.registerCommand(COMMANDS.showCost, () => costPanel.show()),
  );
  return { health, cost, dispose: () => disposables.dispose() };
}

import * as vscode from 'vscode';
import type { BudgetEvent, BudgetGuard } from '../core/cost/budgetGuard';
import type { BudgetView } from '../core/cost/budgets';
import type { HealthEvent, HealthMonitor } from '../core/health/healthMonitor';
import { formatSeconds } from '../core/health/httpProbe';
import type { IdleStop, IdleWarning, IdleWatcher } from '../core/idle/idleWatcher';
import { COMMANDS } from './contributions';

const RESTART = 'Restart';
const SHOW_LOGS = 'Show Logs';
const SHOW_HEALTH = 'Show Health';
const SHOW_COST = 'Show Cost';
const START_AGAIN = 'Start Again';
const SETTINGS = 'Settings';
const KEEP_RUNNING = 'Keep Running';

/**
 * Says what monitoring did or found: a notification with actions where the user should act (an unhealthy instance
 * nothing will restart, recovery given up, an idle stop, a budget threshold), and one log line for every event,
 * including each recovery attempt.
 */
export function announceMonitoringEvents(
  sources: { health: HealthMonitor; idle: IdleWatcher; budgets: BudgetGuard },
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  return vscode.Disposable.from(
    sources.health.onEvent((event) => announceHealth(event, log)),
    sources.idle.onDidWarn((warning) => announceIdleWarning(warning, sources.idle, log)),
    sources.idle.onDidStop((stop) => announceIdleStop(stop, log)),
    sources.budgets.onEvent((event) => announceBudget(event, log)),
  );
}

function announceHealth(event: HealthEvent, log: vscode.LogOutputChannel): void {
  const { name, id } = event.instance;
  switch (event.kind) {
    case 'unhealthy':
      log.warn(`health ${name}: unhealthy: ${event.error ?? 'checks failed'}${event.autoRecovery ? '; auto-recovery will restart it' : ''}`);
      if (!event.autoRecovery) offer(vscode.window.showWarningMessage(`"${name}" is unhealthy: ${event.error ?? 'its checks fail'}.`, RESTART, SHOW_HEALTH), id);
      break;
    case 'recovery-attempt': {
      const { attempt, result, error } = event.attempt;
      log.warn(`health ${name}: recovery attempt ${attempt}: ${result === 'restarted' ? 'restarted' : `restart failed: ${error ?? ''}`}`);
      break;
    }
    case 'recovery-gave-up':
      log.error(`health ${name}: still unhealthy after ${event.attempts.length} restart(s); auto-recovery gave up: ${event.error ?? ''}`);
      offer(
        vscode.window.showErrorMessage(
          `"${name}" is still unhealthy after ${event.attempts.length} automatic restart${event.attempts.length === 1 ? '' : 's'}; Remote Swarm stopped trying. ${event.error ?? ''}`,
          RESTART,
          SHOW_LOGS,
          SHOW_HEALTH,
        ),
        id,
      );
      break;
    case 'recovered':
      log.info(`health ${name}: healthy again after ${event.attempts.length} restart(s)`);
      vscode.window.setStatusBarMessage(`$(pass) "${name}" is healthy again`, 5000);
      break;
  }
}

/** Before an idle stop: Keep Running counts as a use, so the instance's idle time starts again. */
function announceIdleWarning({ instance, stopsAt }: IdleWarning, idle: IdleWatcher, log: vscode.LogOutputChannel): void {
  const inMinutes = Math.max(1, Math.round((stopsAt - Date.now()) / 60_000));
  log.info(`idle ${instance.name}: unused; it will be stopped in ${inMinutes} min unless it is used`);
  void vscode.window
    .showWarningMessage(`"${instance.name}" has not been used and will be stopped in ${inMinutes} minute${inMinutes === 1 ? '' : 's'}.`, KEEP_RUNNING, SETTINGS)
    .then((picked) => {
      if (picked === KEEP_RUNNING) {
        idle.keepRunning(instance.id);
        log.info(`idle ${instance.name}: kept running by the user`);
      }
      if (picked === SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', 'remoteSwarm.idle');
    });
}

function announceIdleStop({ instance, idleMs, error }: IdleStop, log: vscode.LogOutputChannel): void {
  const idleFor = formatMinutes(idleMs);
  if (error) {
    log.error(`idle ${instance.name}: unused for ${idleFor}, but stopping it failed: ${error}`);
    return;
  }
  log.info(`idle ${instance.name}: stopped after ${idleFor} without use (reason: inactivity)`);
  offer(vscode.window.showInformationMessage(`Stopped "${instance.name}": unused for ${idleFor}.`, START_AGAIN, SETTINGS), instance.id, 'remoteSwarm.idle');
}

function announceBudget(event: BudgetEvent, log: vscode.LogOutputChannel): void {
  const budget = describeBudget(event.budget);
  if (event.kind === 'stopped') {
    if (event.error) log.error(`budget ${budget}: stopping "${event.instance}" failed: ${event.error}`);
    else log.warn(`budget ${budget} is used up: stopped "${event.instance}" (reason: budget)`);
    if (!event.error) vscode.window.setStatusBarMessage(`$(debug-stop) Stopped "${event.instance}": ${budget} is used up`, 8000);
    return;
  }
  const { spent, limit } = event.budget;
  const message = `Remote Swarm: ${budget} is ${event.threshold >= 1 ? 'used up' : `${Math.round(event.threshold * 100)}% used`}: $${spent.toFixed(2)} of $${limit.toFixed(2)} this month.`;
  log.warn(message);
  const show = event.threshold >= 1 ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  offer(show(message, SHOW_COST, SETTINGS), undefined, 'remoteSwarm.cost');
}

function describeBudget(budget: BudgetView): string {
  return budget.template === undefined ? 'the monthly budget' : `the budget of template "${budget.template}"`;
}

function formatMinutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : formatSeconds(ms);
}

/** Runs the action the user picked from a notification. */
function offer(choice: Thenable<string | undefined>, instanceId: string | undefined, settingsQuery?: string): void {
  void choice.then((picked) => {
    const command = {
      [RESTART]: COMMANDS.restartInstance,
      [SHOW_LOGS]: COMMANDS.showLogs,
      [START_AGAIN]: COMMANDS.startInstance,
    }[picked ?? ''];
    if (command !== undefined && instanceId !== undefined) void vscode.commands.executeCommand(command, instanceId);
    if (picked === SHOW_HEALTH) void vscode.commands.executeCommand(COMMANDS.showHealth);
    if (picked === SHOW_COST) void vscode.commands.executeCommand(COMMANDS.showCost);
    if (picked === SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', settingsQuery);
  });
}

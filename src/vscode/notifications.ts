import * as vscode from 'vscode';
import { errorMessage, SwarmError, type Remedy, type SwarmErrorCode } from '../core/errors';
import { COMMANDS, INTERNAL_COMMANDS } from './contributions';
import { errorDetail } from './logChannel';

const SHOW_LOGS = 'Show Logs';
const RETRY = 'Retry';

/** Retrying input the core rejected as it stands cannot help, so these errors offer no Retry. */
const NOT_RETRYABLE: ReadonlySet<SwarmErrorCode> = new Set(['INVALID_CONFIG', 'CONFLICT', 'PROVIDER_NOT_REGISTERED', 'INSTANCE_NOT_FOUND']);

export interface ErrorNotice {
  /** What failed, e.g. `Could not start "dev-1"`; the error's message follows it. */
  title: string;
  error: unknown;
  /** Runs the failed action again, offered as "Retry" where retrying can help. */
  retry?: () => unknown;
}

/**
 * One error notification with "Show Logs" (and "Retry" where it fits); the full detail goes to the log.
 * Does not wait for the user's answer, so commands finish when their work does.
 */
export function reportError(log: vscode.LogOutputChannel, { title, error, retry }: ErrorNotice): void {
  log.error(`${title}: ${errorDetail(error)}`);
  const retryable = retry !== undefined && !(SwarmError.is(error) && NOT_RETRYABLE.has(error.code));
  const fix = SwarmError.is(error) && error.remedy ? remedyAction(error.remedy) : undefined;
  const actions = [...(fix ? [fix.title] : []), SHOW_LOGS, ...(retryable ? [RETRY] : [])];
  void vscode.window.showErrorMessage(`${title}: ${errorMessage(error)}${fix?.note ?? ''}`, ...actions).then((choice) => {
    if (choice === SHOW_LOGS) log.show(true);
    if (choice === RETRY) retry?.();
    if (choice !== undefined && choice === fix?.title) void fix.run();
  });
}

/** A remedy in VS Code's words: a button, and for a setting its full name after the message. */
function remedyAction(remedy: Remedy): { title: string; note?: string; run: () => Thenable<unknown> } {
  switch (remedy.kind) {
    case 'setting': {
      const setting = `remoteSwarm.${remedy.setting}`;
      return { title: 'Open Setting', note: ` (setting ${setting})`, run: () => vscode.commands.executeCommand('workbench.action.openSettings', setting) };
    }
    case 'secret':
      return { title: `Set ${remedy.label}`, run: () => vscode.commands.executeCommand(INTERNAL_COMMANDS.setProviderSecret, remedy.secret) };
    case 'refresh':
      return { title: 'Refresh', run: () => vscode.commands.executeCommand(COMMANDS.refresh) };
  }
}

/** One warning notification with "Show Logs"; each detail line goes to the log. */
export function reportWarning(log: vscode.LogOutputChannel, message: string, details: readonly string[]): void {
  for (const line of details) log.warn(line);
  void vscode.window.showWarningMessage(message, SHOW_LOGS).then((choice) => {
    if (choice === SHOW_LOGS) log.show(true);
  });
}

import * as vscode from 'vscode';
import { errorMessage, SwarmError, type SwarmErrorCode } from '../core/errors';
import { COMMANDS } from './contributions';
import { errorDetail } from './logChannel';

const SHOW_LOGS = 'Show Logs';
const RETRY = 'Retry';

/** Commands that fix an error, offered when a SwarmError names one in details.command. */
const FIX_COMMANDS: Readonly<Record<string, string>> = { [COMMANDS.setFlyApiToken]: 'Set Fly.io API Token' };

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
  const fixCommand = SwarmError.is(error) && typeof error.details.command === 'string' ? error.details.command : undefined;
  const fixTitle = fixCommand === undefined ? undefined : FIX_COMMANDS[fixCommand];
  const actions = [...(fixTitle ? [fixTitle] : []), SHOW_LOGS, ...(retryable ? [RETRY] : [])];
  void vscode.window.showErrorMessage(`${title}: ${errorMessage(error)}`, ...actions).then((choice) => {
    if (choice === SHOW_LOGS) log.show(true);
    if (choice === RETRY) retry?.();
    if (choice !== undefined && choice === fixTitle) void vscode.commands.executeCommand(fixCommand!);
  });
}

/** One warning notification with "Show Logs"; each detail line goes to the log. */
export function reportWarning(log: vscode.LogOutputChannel, message: string, details: readonly string[]): void {
  for (const line of details) log.warn(line);
  void vscode.window.showWarningMessage(message, SHOW_LOGS).then((choice) => {
    if (choice === SHOW_LOGS) log.show(true);
  });
}

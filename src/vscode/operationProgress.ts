import * as vscode from 'vscode';
import { SwarmError } from '../core/errors';
import type { OperationOptions } from '../core/provider';
import { reportError } from './notifications';

export interface Operation<T> {
  /** Shown while it runs, e.g. `Starting "dev-1"`. */
  title: string;
  /** Shown when it fails, e.g. `Could not start "dev-1"`. */
  failure: string;
  /** Window (status bar) unless given: short operations need no notification. */
  location?: vscode.ProgressLocation;
  /** The user may cancel; the run's options carry an AbortSignal the provider honours where it can. */
  cancellable?: boolean;
  run: (options: OperationOptions) => Promise<T>;
  /** Offered as "Retry" when the operation fails. */
  retry?: () => unknown;
}

/**
 * Runs an operation under withProgress, reporting the provider's progress messages. A failure becomes one error
 * notification (full detail in the log); a cancellation only a status bar note. Resolves to undefined unless it succeeded.
 */
export async function runOperation<T>(log: vscode.LogOutputChannel, operation: Operation<T>): Promise<T | undefined> {
  let cancelled = false;
  try {
    return await vscode.window.withProgress(
      { location: operation.location ?? vscode.ProgressLocation.Window, title: operation.title, cancellable: operation.cancellable ?? false },
      async (progress, token) => {
        const abort = new AbortController();
        const cancellation = token.onCancellationRequested(() => {
          cancelled = true;
          abort.abort(new SwarmError('OPERATION_CANCELLED', `${operation.title}: cancelled by the user`));
        });
        try {
          return await operation.run({ signal: abort.signal, onProgress: (message) => progress.report({ message }) });
        } finally {
          cancellation.dispose();
        }
      },
    );
  } catch (error) {
    if (cancelled || SwarmError.is(error, 'OPERATION_CANCELLED')) {
      log.info(`${operation.title}: cancelled`);
      vscode.window.setStatusBarMessage(`$(circle-slash) ${operation.title}: cancelled`, 5000);
    } else {
      reportError(log, { title: operation.failure, error, retry: operation.retry });
    }
    return undefined;
  }
}

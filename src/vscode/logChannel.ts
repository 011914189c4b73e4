import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import { errorMessage, SwarmError } from '../core/errors';
import { redactUrls } from '../core/redaction';

const LOG_CHANNEL_NAME = 'Remote Swarm';

/** The extension's log: the "Remote Swarm" output channel, where every error's full detail goes. */
export function createLogChannel(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
}

/** Logs the start, success and failure of every lifecycle operation, whoever started it. */
export function logOperations(controller: SwarmController, log: vscode.LogOutputChannel): vscode.Disposable {
  return controller.onOperation(({ operation, instance, phase, error }) => {
    if (phase === 'failed') log.error(`${operation} ${instance}: failed: ${errorMessage(error)}`);
    else log.info(`${operation} ${instance}: ${phase}`);
  });
}

/** An error with its code, details and cause chain, one line each, then the innermost stack trace; no URL's credentials. */
export function errorDetail(error: unknown): string {
  const lines: string[] = [];
  let stack: string | undefined;
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 8; depth++) {
    lines.push(`${depth === 0 ? '' : 'caused by: '}${describe(current)}`);
    stack = current instanceof Error ? current.stack : stack;
    current = current instanceof Error ? current.cause : undefined;
  }
  return redactUrls([...lines, ...(stack ? [stack] : [])].join('\n'));
}

function describe(error: unknown): string {
  if (!SwarmError.is(error)) return errorMessage(error);
  const details = Object.keys(error.details).length > 0 ? ` ${JSON.stringify(error.details)}` : '';
  return `[${error.code}${error.retryable ? ', retryable' : ''}] ${error.message}${details}`;
}

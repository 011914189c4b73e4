import { SwarmError } from '../core/errors';
import type { OperationOptions } from '../core/provider';

export interface ProgressOptions {
  /** Ctrl+C aborts the operation's signal (the operation undoes what it made) instead of ending the process. */
  interruptible?: boolean;
}

/** A spinner with the operation's progress on stderr while a person watches; nothing in scripts. */
export async function withProgress<T>(title: string, work: (options: OperationOptions) => Promise<T>, { interruptible = false }: ProgressOptions = {}): Promise<T> {
  const interrupt = interruptible ? new AbortController() : undefined;
  let report: (message: string) => void = () => undefined;
  // Every Ctrl+C is caught while it runs: a second one must not end the process while it removes what it made.
  const interrupted = () => {
    if (interrupt?.signal.aborted) return;
    report('cancelling, removing what was made');
    interrupt?.abort(new SwarmError('OPERATION_CANCELLED', `${title}: cancelled (Ctrl+C)`));
  };
  if (interrupt) process.on('SIGINT', interrupted);
  const signal = interrupt ? { signal: interrupt.signal } : {};
  try {
    // A terminal that reports no width (some pseudo-terminals) cannot redraw a spinner line: no spinner there either.
    if (!process.stderr.isTTY || !(process.stderr.columns > 0)) {
      report = (message) => process.stderr.write(`${title}: ${message}\n`);
      return await work(signal);
    }
    // Loaded only on a terminal: ora is no part of a script's start-up. On a terminal it reads Ctrl+C itself and
    // raises SIGINT in this process, which the handler above hears.
    const { default: ora } = await import('ora');
    const spinner = ora({ text: title, stream: process.stderr }).start();
    report = (message) => (spinner.text = `${title}: ${message}`);
    try {
      return await work({ ...signal, onProgress: report });
    } finally {
      spinner.stop();
    }
  } finally {
    if (interrupt) process.off('SIGINT', interrupted);
  }
}

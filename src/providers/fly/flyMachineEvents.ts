import type { FlyMachineEvent } from './flyTypes';

/** The latest event in words, e.g. "exit: stopped, exit code 1" or "launch: failed, image not found"; undefined without events. */
export function lastEventText(events: readonly FlyMachineEvent[] | undefined): string | undefined {
  const last = [...(events ?? [])].sort((a, b) => b.timestamp - a.timestamp)[0];
  if (!last) return undefined;
  const details = [errorOf(last.request), exitOf(last.request)].filter((detail) => detail !== undefined);
  return [`${last.type}: ${last.status}`, ...details].join(', ');
}

function errorOf(request: Record<string, unknown> | undefined): string | undefined {
  const error = request?.error;
  return typeof error === 'string' && error.trim() !== '' ? error.trim() : undefined;
}

/** Fly puts how the process ended in `request.exit_event`. */
function exitOf(request: Record<string, unknown> | undefined): string | undefined {
  const exit = request?.exit_event as { exit_code?: unknown; oom_killed?: unknown } | undefined;
  if (typeof exit !== 'object' || exit === null) return undefined;
  if (exit.oom_killed === true) return 'killed: out of memory';
  return typeof exit.exit_code === 'number' ? `exit code ${exit.exit_code}` : undefined;
}

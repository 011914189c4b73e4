/** One automatic restart of an unhealthy instance. */
export interface RecoveryAttempt {
  at: number;
  /** 1 for the first attempt of an episode (the time from turning UNHEALTHY until HEALTHY again). */
  attempt: number;
  /** Whether the restart itself went through; the checks after it tell whether it helped. */
  result: 'restarted' | 'failed';
  error?: string;
}

export interface RecoverySettings {
  /** Whether to restart at all (the general setting, or the template's override). */
  enabled: boolean;
  /** Restarts per episode before giving up. */
  maxAttempts: number;
  /** The wait after the first attempt; it doubles after each further one. */
  backoffMs: number;
  /** Restarts of one instance in any rolling hour, across episodes, before recovery stops until the user acts. */
  maxPerHour: number;
}

/** The restarts of the current episode and whether auto-recovery has given up on it. */
export interface RecoveryEpisode {
  attempts: RecoveryAttempt[];
  gaveUp: boolean;
}

/**
 * What the hourly budget knows of one instance: restarts before `countsFrom` (when the user last started or restarted
 * it) do not count, and `suspended` holds recovery off, across episodes, until the user acts.
 */
export interface RecoveryBudget {
  countsFrom: number;
  suspended: boolean;
}

export const RECOVERY_BUDGET_WINDOW_MS = 60 * 60_000;

/** `over-budget`: a restart is due but the instance had its hourly budget; `give-up`: the episode had its maximum. */
export type RecoveryDecision = 'restart' | 'wait' | 'give-up' | 'over-budget' | 'none';

/** What auto-recovery should do now for an UNHEALTHY instance, given every restart it had (any episode, oldest first). */
export function decideRecovery(episode: RecoveryEpisode, budget: RecoveryBudget, restarts: readonly RecoveryAttempt[], settings: RecoverySettings, now: number): RecoveryDecision {
  if (!settings.enabled || episode.gaveUp || budget.suspended) return 'none';
  if (episode.attempts.length >= settings.maxAttempts) return 'give-up';
  if (now < nextAttemptAt(episode, settings)) return 'wait';
  return restartsInBudgetWindow(budget, restarts, now).length >= settings.maxPerHour ? 'over-budget' : 'restart';
}

/** The restarts that count against the budget now: those of the last hour since the user last acted. */
export function restartsInBudgetWindow(budget: RecoveryBudget, restarts: readonly RecoveryAttempt[], now: number): RecoveryAttempt[] {
  const from = Math.max(budget.countsFrom, now - RECOVERY_BUDGET_WINDOW_MS);
  return restarts.filter((attempt) => attempt.at > from);
}

/** Backoff: the n-th retry waits backoffMs × 2^(n-1) after the attempt before it. */
function nextAttemptAt(episode: RecoveryEpisode, settings: RecoverySettings): number {
  const last = episode.attempts.at(-1);
  if (last === undefined) return 0;
  return last.at + settings.backoffMs * 2 ** (episode.attempts.length - 1);
}

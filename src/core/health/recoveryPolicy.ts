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
}

/** The restarts of the current episode and whether auto-recovery has given up on it. */
export interface RecoveryEpisode {
  attempts: RecoveryAttempt[];
  gaveUp: boolean;
}

export type RecoveryDecision = 'restart' | 'wait' | 'give-up' | 'none';

/** What auto-recovery should do now for an UNHEALTHY instance. */
export function decideRecovery(episode: RecoveryEpisode, settings: RecoverySettings, now: number): RecoveryDecision {
  if (!settings.enabled || episode.gaveUp) return 'none';
  if (episode.attempts.length >= settings.maxAttempts) return 'give-up';
  return now >= nextAttemptAt(episode, settings) ? 'restart' : 'wait';
}

/** Backoff: the n-th retry waits backoffMs × 2^(n-1) after the attempt before it. */
function nextAttemptAt(episode: RecoveryEpisode, settings: RecoverySettings): number {
  const last = episode.attempts.at(-1);
  if (last === undefined) return 0;
  return last.at + settings.backoffMs * 2 ** (episode.attempts.length - 1);
}

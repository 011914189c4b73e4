/**
 * HEALTHY: the checks pass. UNHEALTHY: `failureThreshold` checks in a row failed. RECOVERING: auto-recovery restarted it
 * and it has not passed `successThreshold` checks in a row since. UNKNOWN: not checked yet, or the check could not tell
 * (its provider could not be reached).
 */
export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'RECOVERING' | 'UNKNOWN';

/** What one check said: inconclusive when it could not look (e.g. the provider's API did not answer). */
export type CheckOutcome = 'pass' | 'fail' | 'inconclusive';

export interface HealthThresholds {
  /** Failed checks in a row before an instance counts as UNHEALTHY. */
  failureThreshold: number;
  /** Passed checks in a row before an UNHEALTHY or RECOVERING instance counts as HEALTHY again. */
  successThreshold: number;
}

export interface HealthState {
  status: HealthStatus;
  /** Failed checks in a row. */
  failures: number;
  /** Passed checks in a row. */
  successes: number;
  /** When the status last changed (ms since the epoch). */
  since: number;
}

export function initialHealthState(at: number): HealthState {
  return { status: 'UNKNOWN', failures: 0, successes: 0, since: at };
}

/** The state after one more check; the hysteresis keeps a single failure or success from flipping the status. */
export function nextHealthState(state: HealthState, outcome: CheckOutcome, thresholds: HealthThresholds, at: number): HealthState {
  if (outcome === 'inconclusive') return withStatus(state, 'UNKNOWN', 0, 0, at);
  if (outcome === 'pass') {
    const successes = state.successes + 1;
    const recovered = state.status === 'UNKNOWN' || state.status === 'HEALTHY' || successes >= thresholds.successThreshold;
    return withStatus(state, recovered ? 'HEALTHY' : state.status, 0, successes, at);
  }
  const failures = state.failures + 1;
  return withStatus(state, failures >= thresholds.failureThreshold ? 'UNHEALTHY' : state.status, failures, 0, at);
}

/** Auto-recovery has just restarted the instance: it must prove itself again. */
export function recoveringState(state: HealthState, at: number): HealthState {
  return withStatus(state, 'RECOVERING', 0, 0, at);
}

function withStatus(state: HealthState, status: HealthStatus, failures: number, successes: number, at: number): HealthState {
  return { status, failures, successes, since: status === state.status ? state.since : at };
}

import type { HealthSample } from './instanceCheck';

/** Figures over an instance's check history; inconclusive checks (provider unreachable) count in none of them. */
export interface HistoryStatistics {
  /** Conclusive checks in the history. */
  checks: number;
  /** Share of checks in which the instance answered at all (0..1). */
  availability?: number;
  /** Share of checks that failed, including answers with an error status (0..1). */
  errorRate?: number;
  averageResponseMs?: number;
  p95ResponseMs?: number;
}

export function historyStatistics(samples: readonly HealthSample[]): HistoryStatistics {
  const conclusive = samples.filter((sample) => sample.outcome !== 'inconclusive');
  if (conclusive.length === 0) return { checks: 0 };
  const answered = conclusive.flatMap((sample) => (sample.httpStatus !== undefined && sample.responseTimeMs !== undefined ? [sample.responseTimeMs] : []));
  const sorted = [...answered].sort((a, b) => a - b);
  return {
    checks: conclusive.length,
    availability: conclusive.filter((sample) => sample.reachable).length / conclusive.length,
    errorRate: conclusive.filter((sample) => sample.outcome === 'fail').length / conclusive.length,
    averageResponseMs: sorted.length === 0 ? undefined : sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p95ResponseMs: sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)],
  };
}

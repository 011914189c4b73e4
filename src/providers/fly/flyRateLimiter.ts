import type { Clock } from '../../core/clock';
import { flyCancelled } from './flyErrors';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Fly's documented Machines API limits (README, 2026-07): per action and per machine or app. */
export const FLY_RATE_LIMITS = {
  default: { perSecond: 1, burst: 3 },
  'machine.get': { perSecond: 5, burst: 10 },
} as const satisfies Record<string, RateLimit>;

export type RateLimitTable = { default: RateLimit } & Partial<Record<string, RateLimit>>;

/**
 * Fly counts a request when it arrives, and one that opens a new connection arrives later than one on a warm
 * connection: so the client keeps one request of each burst in reserve, and spaces sends a little wider than the rate.
 */
const BURST_RESERVE = 1;
const SAFETY_MARGIN = 1.02;
const PRUNE_ABOVE_KEYS = 1_000;

/**
 * Keeps each (action, machine-or-app) key within its limit by delaying sends: the generic cell rate algorithm, which
 * allows a burst of sends at once and then one every 1/perSecond. Slots are reserved when asked for, so concurrent
 * callers queue in order.
 */
export class FlyRateLimiter {
  /** Per key, the time at which the key's budget is fully spent ("theoretical arrival time"). */
  private readonly spentUntil = new Map<string, number>();

  constructor(
    private readonly limits: RateLimitTable,
    private readonly clock: Clock,
  ) {}

  private limitFor(action: string): RateLimit {
    return this.limits[action] ?? this.limits.default;
  }

  /** Waits for the key's next slot. */
  async acquire(action: string, scope: string, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(action, scope);
    if (wait <= 0) return;
    try {
      await this.clock.sleep(wait, signal);
    } catch (error) {
      throw flyCancelled(error);
    }
  }

  /** Takes the key's next slot and returns how many milliseconds from now it starts. */
  reserve(action: string, scope: string): number {
    const { perSecond, burst } = this.limitFor(action);
    const interval = (1000 / perSecond) * SAFETY_MARGIN;
    const key = `${action} ${scope}`;
    const now = this.clock.monotonic();
    const spentUntil = Math.max(this.spentUntil.get(key) ?? now, now);
    this.spentUntil.set(key, spentUntil + interval);
    this.prune(now);
    const allowedAhead = Math.max(0, burst - 1 - BURST_RESERVE) * interval;
    return Math.max(0, spentUntil - allowedAhead - now);
  }

  private prune(now: number): void {
    if (this.spentUntil.size <= PRUNE_ABOVE_KEYS) return;
    for (const [key, until] of this.spentUntil) if (until <= now) this.spentUntil.delete(key);
  }
}

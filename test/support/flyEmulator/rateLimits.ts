/**
 * Fly's documented Machines API limits (README, 2026-07), enforced the way a server does: a token bucket per action
 * and per machine or app, refilled continuously. (The client paces itself with its own, independent algorithm.)
 */
const LIMITS: Record<string, { perSecond: number; burst: number }> = {
  'machine.get': { perSecond: 5, burst: 10 },
};
const DEFAULT_LIMIT = { perSecond: 1, burst: 3 };

export class RateLimits {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** `scale` multiplies every rate (tests run Fly's limits faster); 0 turns limiting off. */
  constructor(private readonly scale: number) {}

  /** Takes a token for the request; false when the bucket is empty (answer 429). */
  admit(operation: string, scope: string, now = performance.now()): boolean {
    if (this.scale === 0) return true;
    const { perSecond, burst } = LIMITS[operation] ?? DEFAULT_LIMIT;
    const key = `${operation} ${scope}`;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond * this.scale);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

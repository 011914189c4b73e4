import type { Clock } from '../../core/clock';
import { asFlyError, flyCancelled, type FlyError } from './flyErrors';
import type { Logger } from '../../core/logger';

export interface RetryPolicy {
  /** Sends in total, the first included. */
  maxAttempts: number;
  /** The first backoff ceiling; each retry doubles it up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this much time has passed since the first send. */
  maxElapsedMs: number;
  /** In [0, 1): the jitter source. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxElapsedMs: 30_000,
  random: Math.random,
};

export interface RetryContext {
  policy: RetryPolicy;
  clock: Clock;
  logger: Logger;
  /** What is being sent, for the log. */
  description: string;
  /** Whether sending twice does no harm; a call that may have taken effect is retried only then. */
  idempotent: boolean;
  signal?: AbortSignal;
}

/** "Full jitter" exponential backoff, and never sooner than the server's Retry-After. */
export function retryDelayMs(error: FlyError, retry: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.max(error.retryAfterMs ?? 0, Math.floor(policy.random() * ceiling));
}

function shouldRetry(error: FlyError, idempotent: boolean): boolean {
  return error.retryable && (idempotent || !error.mayHaveSucceeded);
}

/** Runs `send` until it succeeds, fails for good, or the policy's attempts or time run out; rejects with a FlyError. */
export async function withRetry<T>(send: () => Promise<T>, context: RetryContext): Promise<T> {
  const { policy, clock, logger, description, idempotent, signal } = context;
  const started = clock.monotonic();
  for (let attempt = 1; ; attempt++) {
    let failure: FlyError;
    try {
      return await send();
    } catch (error) {
      failure = asFlyError(error);
    }
    if (!shouldRetry(failure, idempotent) || attempt >= policy.maxAttempts) throw failure.afterAttempts(attempt);
    const delay = retryDelayMs(failure, attempt, policy);
    if (clock.monotonic() - started + delay > policy.maxElapsedMs) throw failure.afterAttempts(attempt);
    logger.warn(`Fly API ${description} failed (${failure.code}: ${failure.message}); retry ${attempt} of ${policy.maxAttempts - 1} in ${delay} ms`);
    try {
      await clock.sleep(delay, signal);
    } catch (error) {
      throw flyCancelled(error);
    }
  }
}

import { setTimeout as sleep } from 'node:timers/promises';

/** The longest delay Node's timers take; a longer one would fire at once. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** Time and timers, injected so that tests can drive them with a fake clock. */
export interface Clock {
  /** Wall time: milliseconds since the epoch. */
  now(): number;
  /** Milliseconds on a monotonic scale, for measuring intervals (never jumps with the wall clock). */
  monotonic(): number;
  /** Resolves after `ms`; rejects with an AbortError when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls back once after delayMs (any length: longer than Node can schedule is waited out in steps); the returned function cancels the call. */
  setTimeout(callback: () => void, delayMs: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
  setTimeout(callback, delayMs) {
    let timer: NodeJS.Timeout;
    const arm = (remaining: number): void => {
      timer = setTimeout(() => (remaining > MAX_TIMER_DELAY_MS ? arm(remaining - MAX_TIMER_DELAY_MS) : callback()), Math.min(Math.max(0, remaining), MAX_TIMER_DELAY_MS));
    };
    arm(delayMs);
    return () => clearTimeout(timer);
  },
};

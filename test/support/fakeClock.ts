import type { Clock } from '../../src/core/clock';

interface PendingTimer {
  at: number;
  callback: () => void;
}

export interface FakeClockOptions {
  /** Wall time to start at. */
  start?: number;
  /** sleep() returns at once and moves time on by its length (retry tests need no real waiting); otherwise it waits for advance(). */
  instantSleeps?: boolean;
}

/** A clock that moves only when a test moves it; timers fire, in order, as it passes their time. */
export class FakeClock implements Clock {
  /** Every sleep asked for, in order. */
  readonly sleeps: number[] = [];
  private timers: PendingTimer[] = [];
  private current: number;
  private readonly instantSleeps: boolean;

  constructor({ start = Date.UTC(2026, 10, 25, 12, 0, 0), instantSleeps = false }: FakeClockOptions = {}) {
    this.current = start;
    this.instantSleeps = instantSleeps;
  }

  now(): number {
    return this.current;
  }

  monotonic(): number {
    return this.current;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    if (this.instantSleeps) {
      this.current += ms;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const cancel = this.setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        cancel();
        reject(signal.reason);
      }, { once: true });
    });
  }

  setTimeout(callback: () => void, delayMs: number): () => void {
    const timer = { at: this.current + delayMs, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((pending) => pending !== timer);
    };
  }

  /** Moves time forward by ms, firing every timer that falls due on the way at its own time. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = due.at;
      due.callback();
    }
    this.current = target;
  }

  /** Moves time forward by ms without firing a timer, as a suspended machine or a blocked event loop finds it. */
  jump(ms: number): void {
    this.current += ms;
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}

import type { Clock } from '../../src/core/clock';

interface PendingTimer {
  at: number;
  callback: () => void;
}

/** A clock that moves only when a test moves it; timers fire, in order, as it passes their time. */
export class FakeClock implements Clock {
  private timers: PendingTimer[] = [];

  constructor(private current = Date.UTC(2026, 10, 25, 12, 0, 0)) {}

  now(): number {
    return this.current;
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

  get pendingTimers(): number {
    return this.timers.length;
  }
}

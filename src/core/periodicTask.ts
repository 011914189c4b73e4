import type { Clock } from './clock';

/**
 * Runs a task every interval, never two runs at once: the next run is scheduled when the previous one ends, so a run
 * longer than the interval delays the next one instead of piling up. An interval of 0 or less pauses the schedule.
 */
export class PeriodicTask {
  private cancelTimer: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: () => number,
    private readonly task: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** (Re)starts the schedule with the current interval: the next run comes one interval from now. */
  start(): void {
    this.cancel();
    this.schedule();
  }

  /** Runs the task now (or returns the run in progress), then keeps the schedule. */
  runNow(): Promise<void> {
    if (this.running) return this.running;
    this.cancel();
    this.running = this.task()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
        this.schedule();
      });
    return this.running;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  private schedule(): void {
    const interval = this.intervalMs();
    if (this.disposed || this.running || interval <= 0) return;
    this.cancelTimer = this.clock.setTimeout(() => {
      this.cancelTimer = undefined;
      void this.runNow();
    }, interval);
  }

  private cancel(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }
}

import type { Clock } from '../clock';
import { Emitter, type Disposable, type Event } from '../events';
import { PeriodicTask } from '../periodicTask';
import type { FileLease } from './fileLease';

/** How the leader's lease is kept: its length, how often the leader renews it, how often the others try to take it. */
export interface LeaseTimings {
  ttlMs: number;
  renewMs: number;
  pollMs: number;
}

/**
 * The lease lasts 10 s and its leader renews it every 2 s, so four renewals in a row must fail before it lapses; the
 * others look once a second. A leader that closes gives it up: another takes over within a second. A leader that is
 * killed leaves it to expire (10 s), or, on this machine, to the first look that finds its process gone (1 s).
 */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = { ttlMs: 10_000, renewMs: 2_000, pollMs: 1_000 };

/**
 * Campaigns for a lease among the processes of one user and says whether this one leads. A leader whose renewals
 * stalled (a blocked event loop, a suspended machine) counts as not leading from the moment its lease could have
 * lapsed until it renews it again, so it never acts on a lease another may have taken.
 */
export class Leadership implements Disposable {
  private readonly changes = new Emitter<boolean>();
  private readonly task: PeriodicTask;
  private held = false;
  /** Whether a campaign has found out yet whether this process leads. */
  private decided = false;
  private renewedAt = Number.NEGATIVE_INFINITY;

  /**
   * Fires once the first campaign finds out whether this process leads (so that one that follows can say so), then
   * with true when it becomes the leader and false when it stops being it.
   */
  readonly onDidChange: Event<boolean> = this.changes.event;

  constructor(
    private readonly lease: FileLease,
    private readonly clock: Clock,
    private readonly timings: LeaseTimings,
    onError: (error: unknown) => void,
  ) {
    this.task = new PeriodicTask(clock, () => (this.held ? timings.renewMs : timings.pollMs), async () => this.campaign(), onError);
  }

  get leading(): boolean {
    return this.held && this.clock.monotonic() - this.renewedAt < this.timings.ttlMs;
  }

  /** Claims the lease now, then keeps claiming (or renewing) it. */
  start(): void {
    void this.task.runNow();
  }

  /** Gives the lease up, for another process to take at its next look. */
  dispose(): void {
    this.task.dispose();
    if (this.held) {
      this.lease.release();
      this.setHeld(false);
    }
    this.changes.dispose();
  }

  private campaign(): void {
    const claimedAt = this.clock.monotonic();
    const held = this.lease.claim();
    if (held === undefined) return;
    if (held) this.renewedAt = claimedAt;
    this.setHeld(held);
  }

  private setHeld(held: boolean): void {
    if (held === this.held && this.decided) return;
    this.decided = true;
    this.held = held;
    this.changes.fire(held);
  }
}

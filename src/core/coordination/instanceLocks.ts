import { join } from 'node:path';
import type { Clock } from '../clock';
import { PeriodicTask } from '../periodicTask';
import { FileLease, type LeaseHolder } from './fileLease';
import type { LeaseTimings } from './leadership';

/** No two lifecycle operations on one instance at once, across the processes of one user. */
export interface InstanceLocks {
  /** Runs `operation` holding the instance's lock; waits while another process holds it. */
  hold<T>(id: string, operation: () => Promise<T>): Promise<T>;
  /** Whether another process runs an operation on the instance now. */
  heldElsewhere(id: string): boolean;
}

/** For a core alone with its state: the controller's own queue serialises everything. */
export const processLocalLocks: InstanceLocks = {
  hold: (_id, operation) => operation(),
  heldElsewhere: () => false,
};

/** How often a process waiting for an instance's lock looks again. */
const WAIT_POLL_MS = 200;

/**
 * One lease file per instance being operated on (locks/<id>.json in the user's state folder), with the leader's
 * expiry rules: renewed while the operation runs, removed when it ends, and free once it expires or its process is
 * gone, so a killed process holds nothing for longer than the lease.
 */
export class FileInstanceLocks implements InstanceLocks {
  constructor(
    private readonly directory: string,
    private readonly holder: LeaseHolder,
    private readonly clock: Clock,
    private readonly timings: LeaseTimings,
  ) {}

  async hold<T>(id: string, operation: () => Promise<T>): Promise<T> {
    const lease = this.leaseOf(id);
    while (lease.claim() !== true) await this.clock.sleep(WAIT_POLL_MS);
    // A renewal that finds the mutex busy is made up by the next one, well within the lease.
    const renewal = new PeriodicTask(this.clock, () => this.timings.renewMs, async () => void lease.claim(), () => undefined);
    renewal.start();
    try {
      return await operation();
    } finally {
      renewal.dispose();
      lease.release();
    }
  }

  heldElsewhere(id: string): boolean {
    return this.leaseOf(id).otherHolder() !== undefined;
  }

  private leaseOf(id: string): FileLease {
    return new FileLease(join(this.directory, `${encodeURIComponent(id)}.json`), this.holder, this.timings.ttlMs, () => this.clock.now());
  }
}

import { readdirSync } from 'node:fs';
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
/** How long one look at the locks folder answers heldElsewhere: a refresh asks it of every instance. */
const LISTING_FRESH_MS = 250;

/**
 * One lease file per instance being operated on (locks/<id>.json in the user's state folder), with the leader's
 * expiry rules: renewed while the operation runs, removed when it ends, and free once it expires or its process is
 * gone, so a killed process holds nothing for longer than the lease.
 */
export class FileInstanceLocks implements InstanceLocks {
  private listing: { at: number; files: Set<string> } | undefined;

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
    return this.lockFiles().has(lockFileName(id)) && this.leaseOf(id).otherHolder() !== undefined;
  }

  private leaseOf(id: string): FileLease {
    return new FileLease(join(this.directory, lockFileName(id)), this.holder, this.timings.ttlMs, () => this.clock.now());
  }

  /** The lock files there are, listed at most every LISTING_FRESH_MS: one readdir, not one read per instance. */
  private lockFiles(): ReadonlySet<string> {
    const now = this.clock.now();
    if (!this.listing || now - this.listing.at > LISTING_FRESH_MS) this.listing = { at: now, files: new Set(listFiles(this.directory)) };
    return this.listing.files;
  }
}

function lockFileName(id: string): string {
  return `${encodeURIComponent(id)}.json`;
}

function listFiles(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

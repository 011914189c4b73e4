import { readFileSync, rmSync } from 'node:fs';
import { writeAtomically } from '../jsonFileStore';
import { tryWithFileMutex } from './fileMutex';

/** Who holds a lease: one process of one front end, on one machine. */
export interface LeaseHolder {
  /** Unique per process and run. */
  id: string;
  pid: number;
  host: string;
}

export interface LeaseRecord extends LeaseHolder {
  /** Wall time (ms) after which the lease is free unless renewed. */
  expiresAt: number;
}

/** A mutex file is held for microseconds; one older than this was left by a process that died holding it. */
const STALE_MUTEX_MS = 2_000;
/** Tries, 2 ms apart, to release a lease whose mutex is busy; after them the lease is left to expire. */
const RELEASE_ATTEMPTS = 25;

/**
 * A lease in a small file: taken when free, expired, or left by a process on this machine that no longer runs; renewed
 * by its holder before it expires; removed when released. Every change happens under a mutex file, so two processes
 * never both take it. All calls are synchronous and never wait: a caller that finds the mutex busy tries again later.
 */
export class FileLease {
  constructor(
    readonly path: string,
    private readonly holder: LeaseHolder,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Takes or renews the lease: true when this holder has it for another ttl, false when another live holder has it, undefined when the mutex was busy. */
  claim(): boolean | undefined {
    const done = tryWithFileMutex(`${this.path}.lock`, STALE_MUTEX_MS, () => {
      const current = readLease(this.path);
      if (current && current.id !== this.holder.id && isLive(current, this.now(), this.holder.host)) return false;
      writeAtomically(this.path, JSON.stringify({ ...this.holder, expiresAt: this.now() + this.ttlMs } satisfies LeaseRecord), 0o600);
      return true;
    });
    return done?.value;
  }

  /** Gives the lease up if this holder has it, so that the next claimant need not wait for it to expire. */
  release(): void {
    // Synchronous, so that it runs even as the process exits; the mutex is busy for microseconds at most.
    for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
      const done = tryWithFileMutex(`${this.path}.lock`, STALE_MUTEX_MS, () => {
        if (readLease(this.path)?.id === this.holder.id) rmSync(this.path, { force: true });
      });
      if (done) return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }

  /** The live holder, if any other than this one; read without the mutex. */
  otherHolder(): LeaseRecord | undefined {
    const current = readLease(this.path);
    return current && current.id !== this.holder.id && isLive(current, this.now(), this.holder.host) ? current : undefined;
  }
}

/** A lease is live until it expires, or until its holder's process is seen gone on this machine. */
function isLive(lease: LeaseRecord, now: number, host: string): boolean {
  return lease.expiresAt > now && (lease.host !== host || processRuns(lease.pid));
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lease in the file, or undefined when there is none or it cannot be read (it is then written afresh). */
function readLease(path: string): LeaseRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const record = parsed as Partial<LeaseRecord> | null;
  if (typeof record?.id !== 'string' || typeof record.pid !== 'number' || typeof record.host !== 'string' || typeof record.expiresAt !== 'number') return undefined;
  return record as LeaseRecord;
}

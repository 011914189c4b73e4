import { readFileSync, statSync } from 'node:fs';
import { writeAtomically } from '../jsonFileStore';
import { withFileMutex } from './fileMutex';

const MUTEX_TIMINGS = { waitMs: 10_000, staleMs: 2_000 };

/**
 * A JSON file that processes of one user share and look at often: replaced atomically, changed under a mutex, and
 * read again only when its stat says it changed, so looking once a second costs one stat.
 */
export class SharedJsonFile {
  private seen: string | undefined;

  constructor(readonly path: string) {}

  write(value: unknown): void {
    writeAtomically(this.path, JSON.stringify(value), 0o600);
  }

  /** Replaces the value with what `change` makes of it, with no other process's change in between. */
  update(change: (current: unknown) => unknown): Promise<void> {
    return withFileMutex(`${this.path}.lock`, MUTEX_TIMINGS, () => this.write(change(this.read())));
  }

  /** The value, or undefined when there is no file or it cannot be read. */
  read(): unknown {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** The value if the file changed since the last call (or this is the first), else undefined. */
  readIfChanged(): unknown {
    const signature = statSignature(this.path);
    if (signature === undefined || signature === this.seen) return undefined;
    this.seen = signature;
    return this.read();
  }
}

/** Replaced files get a new inode, so the inode with the size and the time tells a change even within one clock tick. */
function statSignature(path: string): string | undefined {
  try {
    const { ino, size, mtimeMs } = statSync(path);
    return `${ino}:${size}:${mtimeMs}`;
  } catch {
    return undefined;
  }
}

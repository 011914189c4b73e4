import { closeSync, constants, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { writeAtomically } from '../jsonFileStore';

/** What a look found appended to the log since the previous one. */
export interface LogReading {
  /** The file is another than at the previous look (a new inode): the values start with its first line. */
  restarted: boolean;
  /** The whole lines' values, in order; a last line still being written waits for the next look. */
  values: unknown[];
  /** Whole lines that are not JSON, cut short for a message. */
  unreadable: string[];
}

const NOTHING_NEW: LogReading = { restarted: false, values: [], unreadable: [] };
const EXCERPT_CHARS = 80;

/**
 * A file of JSON values, one a line, that one process (the leader) writes and others follow: the writer starts it
 * afresh with a first line that holds everything (a new file, so a new inode, replaced atomically) and then appends
 * what changed; a reader reads only the bytes appended since its last look, so following it costs what was appended.
 */
export class SharedJsonLog {
  /** The file this process started, and how many lines it appended after the first. */
  private written: { ino: number; appended: number } | undefined;
  /** The file this process reads, and the offset after the last whole line it read. */
  private readTo: { ino: number; offset: number } | undefined;

  constructor(readonly path: string) {}

  /**
   * Appends `value`, or starts the file afresh with `first()` when this process did not start the current file (another
   * did since, or none is there) or has appended `maxAppended` lines to it.
   */
  write(value: unknown, first: () => unknown, maxAppended: number): void {
    const written = this.written;
    // Until this write succeeds: after one that failed, the next starts afresh rather than leave a gap.
    this.written = undefined;
    if (written && written.appended < maxAppended && this.appendTo(written.ino, value)) {
      this.written = { ino: written.ino, appended: written.appended + 1 };
      return;
    }
    writeAtomically(this.path, `${JSON.stringify(first())}\n`, 0o600);
    this.written = { ino: statSync(this.path).ino, appended: 0 };
  }

  /** A value was not written (this process did not lead at the time): the next write starts the file afresh. */
  skipped(): void {
    this.written = undefined;
  }

  /** The whole lines appended since the previous call, all of the file's when it is another than then. */
  readNew(): LogReading {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDONLY);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NOTHING_NEW;
      throw error;
    }
    try {
      const { ino, size } = fstatSync(fd);
      const restarted = this.readTo?.ino !== ino || size < this.readTo.offset;
      const offset = restarted ? 0 : this.readTo!.offset;
      const bytes = readFrom(fd, offset, size - offset);
      const wholeLines = bytes.lastIndexOf(0x0a) + 1;
      if (wholeLines === 0) return NOTHING_NEW;
      this.readTo = { ino, offset: offset + wholeLines };
      const reading: LogReading = { restarted, values: [], unreadable: [] };
      for (const line of bytes.subarray(0, wholeLines - 1).toString('utf8').split('\n')) {
        try {
          reading.values.push(JSON.parse(line));
        } catch {
          reading.unreadable.push(line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line);
        }
      }
      return reading;
    } finally {
      closeSync(fd);
    }
  }

  /** Appends one line to the file if it is still the one this process started; never creates it. */
  private appendTo(ino: number, value: unknown): boolean {
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    try {
      if (fstatSync(fd).ino !== ino) return false;
      // A reader may see the line before all of it is there: it reads whole lines only.
      const bytes = Buffer.from(`${JSON.stringify(value)}\n`);
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
      return true;
    } finally {
      closeSync(fd);
    }
  }
}

function readFrom(fd: number, offset: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, bytes, filled, length - filled, offset + filled);
    if (read === 0) break;
    filled += read;
  }
  return bytes.subarray(0, filled);
}

import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { writeAtomically } from '../jsonFileStore';

/** What a look found appended to the log since the previous one. */
export interface LogReading {
  /** The file was started afresh since the previous look: the values start with its first. */
  restarted: boolean;
  /** The whole lines' values, in order; a last line still being written waits for the next look. */
  values: unknown[];
  /** Whole lines that are not JSON, cut short for a message. */
  unreadable: string[];
}

const NOTHING_NEW: LogReading = { restarted: false, values: [], unreadable: [] };
const EXCERPT_CHARS = 80;
/**
 * Each file starts with a line naming it, `{"log":"<32 hex digits>"}`: what tells one file from the next. Its inode
 * does not, since a file replaced atomically frees its inode, and the next file often gets the same number.
 */
const HEADER_LENGTH = Buffer.byteLength(header('0'.repeat(32)));

/**
 * A file of JSON values, one a line, that one process (the leader) writes and others follow: the writer starts it
 * afresh with a first value that holds everything (a new file, replaced atomically) and then appends what changed;
 * a reader reads only the bytes appended since its last look, so following it costs what was appended.
 */
export class SharedJsonLog {
  /** The file this process started, and how many values it appended after the first. */
  private written: { header: string; appended: number } | undefined;
  /** The file this process reads, and the offset after the last whole line it read. */
  private readTo: { header: string; offset: number } | undefined;

  constructor(readonly path: string) {}

  /**
   * Appends `value` (nothing when it is undefined), or starts the file afresh with `first()` when this process did not
   * start the current file (another did since, or none is there) or has appended `maxAppended` values to it.
   */
  write(value: unknown, first: () => unknown, maxAppended: number): void {
    const written = this.written;
    // Until this write succeeds: after one that failed, the next starts afresh rather than leave a gap.
    this.written = undefined;
    if (written && (value === undefined || written.appended < maxAppended) && this.appendTo(written.header, value)) {
      this.written = { header: written.header, appended: written.appended + (value === undefined ? 0 : 1) };
      return;
    }
    const started = header(randomBytes(16).toString('hex'));
    writeAtomically(this.path, `${started}${JSON.stringify(first())}\n`, 0o600);
    this.written = { header: started, appended: 0 };
  }

  /** A value was not written (this process did not lead at the time): the next write starts the file afresh. */
  skipped(): void {
    this.written = undefined;
  }

  /** The whole lines appended since the previous call, all of the file's when it was started afresh since; none of a file this process writes. */
  readNew(): LogReading {
    const fd = openIfThere(this.path, constants.O_RDONLY);
    if (fd === undefined) return NOTHING_NEW;
    try {
      const { size } = fstatSync(fd);
      const named = readFrom(fd, 0, HEADER_LENGTH).toString('utf8');
      // A leader whose lease renewals stalled looks as a follower meanwhile: its own lines are no news to it.
      if (named === this.written?.header) {
        this.readTo = { header: named, offset: size };
        return NOTHING_NEW;
      }
      const restarted = this.readTo?.header !== named || size < this.readTo.offset;
      const offset = restarted ? HEADER_LENGTH : this.readTo!.offset;
      const bytes = readFrom(fd, offset, size - offset);
      const wholeLines = bytes.lastIndexOf(0x0a) + 1;
      if (wholeLines === 0) return NOTHING_NEW;
      this.readTo = { header: named, offset: offset + wholeLines };
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

  /** Appends one line (none for undefined) to the file if it is still the one this process started; never creates it. */
  private appendTo(started: string, value: unknown): boolean {
    const fd = openIfThere(this.path, constants.O_RDWR | constants.O_APPEND);
    if (fd === undefined) return false;
    try {
      if (readFrom(fd, 0, HEADER_LENGTH).toString('utf8') !== started) return false;
      if (value === undefined) return true;
      // A reader may see the line before all of it is there: it reads whole lines only.
      const bytes = Buffer.from(`${JSON.stringify(value)}\n`);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
      return true;
    } finally {
      closeSync(fd);
    }
  }
}

function header(id: string): string {
  return `{"log":"${id}"}\n`;
}

function openIfThere(path: string, flags: number): number | undefined {
  try {
    return openSync(path, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function readFrom(fd: number, offset: number, length: number): Buffer {
  const bytes = Buffer.alloc(Math.max(0, length));
  let filled = 0;
  while (filled < bytes.length) {
    const read = readSync(fd, bytes, filled, bytes.length - filled, offset + filled);
    if (read === 0) break;
    filled += read;
  }
  return bytes.subarray(0, filled);
}

import { Writable } from 'node:stream';

/*
 * A streaming reader of the tar archives providers export (ustar, GNU long names, PAX records): only what a manifest
 * and a delta copy need. The core imports no archive library (tar-stream is vendored for the providers), and a delta
 * copy forwards an entry's blocks exactly as they came, which a reader that re-packs entries could not.
 */

export const BLOCK = 512;
/** Two blocks of zeros: the end-of-archive marker, and padding is cut from it. Shared: never written to. */
export const ZERO_BLOCKS = Buffer.alloc(2 * BLOCK);

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Relative to the archive's root, without "./" or a trailing "/"; the root itself is ".". */
  path: string;
  type: TarEntryType;
  /** Permission bits, with setuid, setgid and sticky (0o7777). */
  mode: number;
  /** Bytes of content that follow the header (0 but for files). */
  size: number;
  /** Seconds since the epoch, fractional where a PAX record gives it. */
  mtime: number;
  /** A symlink's target, or the path a hard link names (normalised like `path`). */
  linkTarget?: string;
}

/** What is done with one entry's content; each may return a promise, which the reader waits for (backpressure). */
export interface TarEntrySink {
  data?(chunk: Buffer): void | Promise<void>;
  end?(): void | Promise<void>;
}

export interface TarVisitor {
  /**
   * An entry's header, with its raw blocks (PAX or GNU long-name blocks first, then the header): return a sink to see
   * its content, or nothing to skip it.
   */
  entry(entry: TarEntry, rawHeader: readonly Buffer[]): TarEntrySink | undefined | Promise<TarEntrySink | undefined>;
  /** The end-of-archive marker was read (or the stream ended at an entry boundary). */
  finish?(): void | Promise<void>;
}

type Meta = { path?: string; linkTarget?: string; size?: number; mtime?: number };

/**
 * A Writable that parses the tar written to it and tells the visitor each entry. It fails on a header whose checksum
 * is wrong (not a tar archive, or a cut one) and on an archive that ends inside an entry.
 */
export class TarReader extends Writable {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Content bytes left in the current entry, then its padding. */
  private remaining = 0;
  private padding = 0;
  private sink: TarEntrySink | undefined;
  /** A PAX or GNU long-name entry whose content is being collected. */
  private metaKind: 'pax' | 'global' | 'longName' | 'longLink' | undefined;
  private metaChunks: Buffer[] = [];
  private meta: Meta = {};
  private globalMeta: Meta = {};
  private rawHeader: Buffer[] = [];
  private ended = false;

  constructor(private readonly visitor: TarVisitor) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.consume(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const finish = async () => {
      if (this.ended) return;
      if (this.remaining > 0 || this.padding > 0 || this.pendingBytes > 0 || this.metaKind !== undefined) throw new Error('the archive ends in the middle of an entry');
      this.ended = true;
      await this.visitor.finish?.();
    };
    finish().then(() => callback(), callback);
  }

  private async consume(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        const part = chunk.subarray(offset, offset + take);
        offset += take;
        this.remaining -= take;
        if (this.metaKind !== undefined) {
          const copy = Buffer.from(part);
          this.metaChunks.push(copy);
          this.rawHeader.push(copy);
        } else if (this.sink?.data) await this.sink.data(part);
        if (this.remaining === 0 && this.padding === 0) await this.endEntry();
        continue;
      }
      if (this.padding > 0) {
        const take = Math.min(this.padding, chunk.length - offset);
        if (this.metaKind !== undefined) this.rawHeader.push(Buffer.from(chunk.subarray(offset, offset + take)));
        offset += take;
        this.padding -= take;
        if (this.padding === 0) await this.endEntry();
        continue;
      }
      const need = BLOCK - this.pendingBytes;
      const take = Math.min(need, chunk.length - offset);
      this.pending.push(chunk.subarray(offset, offset + take));
      this.pendingBytes += take;
      offset += take;
      if (this.pendingBytes === BLOCK) {
        const block = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
        this.pending = [];
        this.pendingBytes = 0;
        await this.header(block);
      }
    }
  }

  private async header(block: Buffer): Promise<void> {
    if (block.every((byte) => byte === 0)) {
      this.ended = true;
      await this.visitor.finish?.();
      return;
    }
    if (!checksumMatches(block)) throw new Error('a header of the archive is damaged (checksum mismatch): it is not a tar archive, or it was cut');
    // The header is kept as its own copy: the chunk it came in may be reused by the stream.
    this.rawHeader.push(Buffer.from(block));
    const flag = String.fromCharCode(block[156]!);
    const size = this.meta.size ?? this.globalMeta.size ?? readNumber(block, 124, 12);
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    const metaKind = flag === 'x' ? 'pax' : flag === 'g' ? 'global' : flag === 'L' ? 'longName' : flag === 'K' ? 'longLink' : undefined;
    if (metaKind !== undefined) {
      this.metaKind = metaKind;
      this.remaining = readNumber(block, 124, 12);
      this.padding = (BLOCK - (this.remaining % BLOCK)) % BLOCK;
      if (this.remaining === 0 && this.padding === 0) await this.endEntry();
      return;
    }
    const entry: TarEntry = {
      path: normalise(this.meta.path ?? this.globalMeta.path ?? ustarName(block)),
      type: entryType(flag),
      mode: readNumber(block, 100, 8) & 0o7777,
      size: flag === '0' || flag === '\0' || flag === '7' ? size : 0,
      mtime: this.meta.mtime ?? this.globalMeta.mtime ?? readNumber(block, 136, 12),
    };
    if (entry.type === 'symlink' || entry.type === 'hardlink') {
      const target = this.meta.linkTarget ?? this.globalMeta.linkTarget ?? cString(block, 157, 100);
      entry.linkTarget = entry.type === 'hardlink' ? normalise(target) : target;
    }
    const raw = this.rawHeader;
    this.rawHeader = [];
    this.meta = {};
    this.sink = (await this.visitor.entry(entry, raw)) ?? undefined;
    this.remaining = size;
    this.padding = padding;
    if (size === 0 && padding === 0) await this.endEntry();
  }

  private async endEntry(): Promise<void> {
    if (this.metaKind !== undefined) {
      const text = Buffer.concat(this.metaChunks);
      this.metaChunks = [];
      if (this.metaKind === 'longName') this.meta.path = cString(text, 0, text.length);
      else if (this.metaKind === 'longLink') this.meta.linkTarget = cString(text, 0, text.length);
      else Object.assign(this.metaKind === 'pax' ? this.meta : this.globalMeta, paxRecords(text));
      this.metaKind = undefined;
      return;
    }
    const sink = this.sink;
    this.sink = undefined;
    await sink?.end?.();
  }
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    default:
      return 'other';
  }
}

/** "./src/a.txt" → "src/a.txt"; "./" and "." → "."; a trailing slash goes. */
export function normalise(name: string): string {
  const trimmed = name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return trimmed === '' || trimmed === '.' ? '.' : trimmed;
}

function ustarName(block: Buffer): string {
  const name = cString(block, 0, 100);
  // "ustar\0": a POSIX header, whose prefix field continues the name. GNU's "ustar " uses those bytes otherwise.
  const posix = block.toString('latin1', 257, 263) === 'ustar\0';
  const prefix = posix ? cString(block, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(buffer: Buffer, start: number, length: number): string {
  const end = buffer.indexOf(0, start);
  return buffer.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

/** Octal, or base-256 (GNU) when the first byte's high bit is set. */
function readNumber(block: Buffer, start: number, length: number): number {
  if (block[start]! & 0x80) {
    let value = block[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const text = block.toString('latin1', start, start + length).replace(/\0.*$/, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumMatches(block: Buffer): boolean {
  let sum = 8 * 0x20;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += block[i]!;
  return sum === readNumber(block, 148, 8);
}

/** PAX records, "<length> <key>=<value>\n" each: the ones a manifest needs. */
function paxRecords(text: Buffer): Meta {
  const meta: Meta = {};
  let offset = 0;
  while (offset < text.length) {
    const space = text.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(text.toString('latin1', offset, space), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = text.toString('utf8', space + 1, offset + length - 1);
    offset += length;
    const equals = record.indexOf('=');
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === 'path') meta.path = value;
    else if (key === 'linkpath') meta.linkTarget = value;
    else if (key === 'size') meta.size = Number(value);
    else if (key === 'mtime') meta.mtime = Number(value);
  }
  return meta;
}

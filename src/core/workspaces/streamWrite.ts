import type { Writable } from 'node:stream';

/** Writes a chunk, waiting for the stream to drain when it is full; fails once the stream is destroyed. */
export function writeChunk(stream: Writable, chunk: Buffer): Promise<void> | void {
  if (stream.destroyed) throw stream.errored ?? new Error('the copy to the target stopped');
  if (stream.write(chunk)) return;
  return new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => {
      stream.off('drain', done);
      stream.off('close', closed);
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve();
    };
    const closed = () => done(stream.errored ?? new Error('the copy to the target stopped'));
    stream.once('drain', done);
    stream.once('close', closed);
  });
}

/** Bytes gathered before a write: a tar of small files is mostly 512-byte headers and short contents. */
const BATCH_BYTES = 256 * 1024;

/**
 * Writes many small chunks to a stream as few large ones. Every chunk written downstream costs the same whatever its
 * size (a stream step, a socket write that wakes the reader, an SSH packet), so an archive of small files written
 * block by block spends more on the writes than on the bytes. The chunks are kept until written: they must not change.
 */
export class BatchedWriter {
  private parts: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly stream: Writable) {}

  write(chunk: Buffer): Promise<void> | void {
    this.parts.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= BATCH_BYTES) return this.flush();
  }

  /** Writes what is gathered, then ends the stream. */
  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
  }

  private flush(): Promise<void> | void {
    if (this.bytes === 0) return;
    const batch = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    return writeChunk(this.stream, batch);
  }
}

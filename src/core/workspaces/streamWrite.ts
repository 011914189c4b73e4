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

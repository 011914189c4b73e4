import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** Passes bytes through, counting them; `onBytes` hears the running total. */
export function byteCounter(onBytes?: (bytes: number) => void): Transform & { readonly bytes: number } {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      onBytes?.(bytes);
      callback(null, chunk);
    },
  });
  return Object.defineProperty(counter, 'bytes', { get: () => bytes }) as Transform & { readonly bytes: number };
}

/** Passes bytes through, hashing them: `digest` settles with the SHA-256 (hex) and the size once the stream has ended. */
export function sha256Hasher(): Transform & { digest: Promise<{ sha256: string; bytes: number }> } {
  const hash = createHash('sha256');
  let bytes = 0;
  let settle!: (value: { sha256: string; bytes: number }) => void;
  const digest = new Promise<{ sha256: string; bytes: number }>((resolve) => (settle = resolve));
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      settle({ sha256: hash.digest('hex'), bytes });
      callback();
    },
  });
  return Object.assign(hasher, { digest });
}

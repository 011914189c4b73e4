import type { Readable } from 'node:stream';

/** Reads a stream (a shell, a followed log) until `pattern` shows up in what it gave, or fails after the deadline with what it saw. */
export function readUntil(stream: Readable, pattern: RegExp, deadlineMs = 10_000): Promise<string> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${deadlineMs} ms; saw ${JSON.stringify(seen)}`)), deadlineMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) finish();
    };
    const finish = (error?: Error) => {
      clearTimeout(timer);
      stream.off('data', onData);
      if (error) reject(error);
      else resolve(seen);
    };
    stream.on('data', onData);
  });
}

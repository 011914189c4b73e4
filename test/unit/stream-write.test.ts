import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { BatchedWriter } from '../../src/core/workspaces/streamWrite';

describe('BatchedWriter (small writes sent as few large ones)', () => {
  it('passes every byte in order, in chunks of at least 256 KiB but the last', async () => {
    const received: Buffer[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, callback) => (received.push(chunk), callback()) });
    const batch = new BatchedWriter(sink);
    const written: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const piece = Buffer.alloc(i % 2 === 0 ? 512 : 1 + (i % 700), i % 256);
      written.push(piece);
      await batch.write(piece);
    }
    await batch.end();
    await new Promise((resolve) => sink.once('finish', resolve));
    assert.deepEqual(Buffer.concat(received), Buffer.concat(written));
    assert.ok(received.length < 10, `${received.length} writes`);
    for (const chunk of received.slice(0, -1)) assert.ok(chunk.length >= 256 * 1024, `a chunk of ${chunk.length} bytes`);
  });

  it('waits while the stream is full, and fails once the stream is destroyed', async () => {
    const full = new PassThrough({ highWaterMark: 1024 });
    const batch = new BatchedWriter(full);
    let written = false;
    const writing = Promise.resolve(batch.write(Buffer.alloc(300 * 1024))).then(() => (written = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(written, false);
    full.resume();
    await writing;
    full.destroy();
    assert.throws(() => batch.write(Buffer.alloc(300 * 1024)), /stopped/);
  });
});

import assert from 'node:assert/strict';
import { appendFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SharedJsonLog } from '../../src/core/coordination/sharedJsonLog';
import { makeTempDir } from '../support/tempDir';

describe('SharedJsonLog (a log one process writes and others follow, real files)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;

  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.path, 'log.jsonl');
  });
  afterEach(() => temp.remove());

  it('gives a reader what was appended since its last look, and the whole file once it was started afresh', () => {
    const writer = new SharedJsonLog(path);
    const reader = new SharedJsonLog(path);
    writer.write({ n: 1 }, () => ({ all: 1 }), 2);
    assert.deepEqual(reader.readNew(), { restarted: true, values: [{ all: 1 }], unreadable: [] }, 'a first write starts the file');
    writer.write({ n: 2 }, () => ({ all: 2 }), 2);
    writer.write(undefined, () => ({ all: 'unused' }), 2);
    writer.write({ n: 3 }, () => ({ all: 3 }), 2);
    assert.deepEqual(reader.readNew(), { restarted: false, values: [{ n: 2 }, { n: 3 }], unreadable: [] }, 'nothing to append is no line');
    assert.deepEqual(reader.readNew(), { restarted: false, values: [], unreadable: [] });
    writer.write({ n: 4 }, () => ({ all: 4 }), 2);
    assert.deepEqual(reader.readNew(), { restarted: true, values: [{ all: 4 }], unreadable: [] }, 'after maxAppended lines, afresh');
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('tells a file started afresh from the one before even when it has that one\'s inode (freed by the replacement, and reused)', () => {
    const writer = new SharedJsonLog(path);
    const reader = new SharedJsonLog(path);
    writer.write(undefined, () => ({ all: 1 }), 0);
    writer.write({ n: 2 }, () => ({ all: 2 }), 5);
    const inodes = [statSync(path).ino];
    assert.deepEqual(reader.readNew().values, [{ all: 1 }, { n: 2 }]);
    // Longer than the first, so that its size does not give it away.
    const padding = 'x'.repeat(200);
    for (const all of [3, 4]) {
      writer.write({ n: all }, () => ({ all, padding }), 0);
      inodes.push(statSync(path).ino);
    }
    // On ext4 the third file mostly gets the first one's inode back; the reader must not take it for that one.
    assert.deepEqual(reader.readNew(), { restarted: true, values: [{ all: 4, padding }], unreadable: [] }, `inodes ${inodes.join(', ')}`);
  });

  it('another process\'s file is never appended to: the writer starts its own', () => {
    const mine = new SharedJsonLog(path);
    const theirs = new SharedJsonLog(path);
    const reader = new SharedJsonLog(path);
    mine.write(undefined, () => ({ by: 'mine' }), 5);
    theirs.write(undefined, () => ({ by: 'theirs' }), 5);
    mine.write({ n: 1 }, () => ({ by: 'mine again' }), 5);
    assert.deepEqual(reader.readNew().values, [{ by: 'mine again' }]);
  });

  it('leaves a partly written last line for the next look, and skips a line that is not JSON', () => {
    const writer = new SharedJsonLog(path);
    const reader = new SharedJsonLog(path);
    writer.write(undefined, () => ({ all: 1 }), 5);
    reader.readNew();
    appendFileSync(path, '{"n":2}\n{"n":');
    assert.deepEqual(reader.readNew(), { restarted: false, values: [{ n: 2 }], unreadable: [] });
    appendFileSync(path, '3}\nnot json\n');
    assert.deepEqual(reader.readNew(), { restarted: false, values: [{ n: 3 }], unreadable: ['not json'] });
  });
});

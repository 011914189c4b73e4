import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock';
import { FileLease, type LeaseHolder } from '../../src/core/coordination/fileLease';
import { FileInstanceLocks } from '../../src/core/coordination/instanceLocks';
import { Leadership, type LeaseTimings } from '../../src/core/coordination/leadership';
import { pollUntil } from '../e2e/harness/poll';
import { makeTempDir } from '../support/tempDir';

/** Short enough for a test, long enough for two processes on a loaded machine with 2 cores. */
const TIMINGS: LeaseTimings = { ttlMs: 3_000, renewMs: 500, pollMs: 100 };

function holder(id: string, overrides: Partial<LeaseHolder> = {}): LeaseHolder {
  return { id, pid: process.pid, host: hostname(), ...overrides };
}

describe('FileLease (a lease in a file, real files)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let now: number;
  let path: string;

  beforeEach(() => {
    temp = makeTempDir();
    now = Date.now();
    path = join(temp.path, 'leader.json');
  });
  afterEach(() => temp.remove());

  const lease = (of: LeaseHolder) => new FileLease(path, of, 10_000, () => now);

  it('goes to one claimant at a time, is renewed by its holder and passes on once released', () => {
    const first = lease(holder('first'));
    const second = lease(holder('second'));
    assert.equal(first.claim(), true);
    assert.equal(second.claim(), false, 'a live holder keeps it');
    assert.equal(second.otherHolder()?.id, 'first');
    now += 9_000;
    assert.equal(first.claim(), true, 'renewed');
    now += 9_000;
    assert.equal(second.claim(), false, 'the renewal moved the expiry on');
    first.release();
    assert.equal(second.claim(), true);
    assert.equal(first.otherHolder()?.id, 'second');
  });

  it('is free once it expires, when its holder is on another machine and may still run', () => {
    assert.equal(lease(holder('elsewhere', { host: 'another-machine' })).claim(), true);
    const here = lease(holder('here'));
    now += 9_999;
    assert.equal(here.claim(), false);
    now += 2;
    assert.equal(here.claim(), true);
  });

  it('is free at once when its holder on this machine no longer runs', () => {
    assert.equal(lease(holder('gone', { pid: 2 ** 22 + 12_345 })).claim(), true);
    assert.equal(lease(holder('here')).claim(), true);
  });

  it('is written afresh over a file it cannot read', () => {
    writeFileSync(path, '{ not json');
    assert.equal(lease(holder('here')).claim(), true);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).id, 'here');
  });
});

describe('FileInstanceLocks (an instance\'s operations across processes)', () => {
  it('runs one operation on an instance at a time: the second waits until the first ends', async () => {
    const temp = makeTempDir();
    try {
      const mine = new FileInstanceLocks(temp.path, holder('mine'), systemClock, TIMINGS);
      const theirs = new FileInstanceLocks(temp.path, holder('theirs'), systemClock, TIMINGS);
      const order: string[] = [];
      let finishFirst!: () => void;
      const first = mine.hold('i1', async () => {
        order.push('first begins');
        await new Promise<void>((resolve) => (finishFirst = resolve));
        order.push('first ends');
      });
      await pollUntil(() => (order.length > 0 || undefined), { what: 'the first operation to begin', timeoutMs: 5_000, intervalMs: 10 });
      assert.equal(theirs.heldElsewhere('i1'), true);
      assert.equal(theirs.heldElsewhere('i2'), false, 'other instances are free');
      const second = theirs.hold('i1', async () => void order.push('second'));
      await new Promise((resolve) => setTimeout(resolve, 3 * TIMINGS.pollMs));
      assert.deepEqual(order, ['first begins'], 'the second waits');
      finishFirst();
      await Promise.all([first, second]);
      assert.deepEqual(order, ['first begins', 'first ends', 'second']);
      assert.equal(mine.heldElsewhere('i1'), false, 'released');
    } finally {
      temp.remove();
    }
  });
});

describe('Leadership (a campaign for the lease, real files)', () => {
  it('tells a process at its first look that another leads, and again when it takes the lead', async () => {
    const temp = makeTempDir();
    const seen: string[] = [];
    const campaigns: Leadership[] = [];
    const campaign = (id: string) => {
      const leadership = new Leadership(new FileLease(join(temp.path, 'leader.json'), holder(id), TIMINGS.ttlMs, () => Date.now()), systemClock, TIMINGS, (error) => assert.fail(String(error)));
      campaigns.push(leadership);
      leadership.onDidChange((leading) => seen.push(`${id} ${leading ? 'leads' : 'follows'}`));
      leadership.start();
      return leadership;
    };
    try {
      const first = campaign('first');
      await pollUntil(() => first.leading || undefined, { what: 'the first to lead', timeoutMs: 5_000 });
      const second = campaign('second');
      await pollUntil(() => seen.includes('second follows') || undefined, { what: 'the second to hear that it follows', timeoutMs: 5_000 });
      first.dispose();
      await pollUntil(() => second.leading || undefined, { what: 'the second to lead', timeoutMs: 5_000 });
      second.dispose();
      assert.deepEqual(seen, ['first leads', 'second follows', 'first follows', 'second leads', 'second follows']);
    } finally {
      for (const leadership of campaigns) leadership.dispose();
      temp.remove();
    }
  });
});

import assert from 'node:assert/strict';
import { mapConcurrently } from '../../src/core/concurrency';
import { PeriodicTask } from '../../src/core/periodicTask';
import { FakeClock } from '../support/fakeClock';

/** Lets the promise callbacks queued so far run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PeriodicTask (fake clock)', () => {
  let clock: FakeClock;
  let interval: number;
  let runs: number[];
  let errors: unknown[];
  let task: PeriodicTask;
  let work: () => Promise<void>;

  beforeEach(() => {
    clock = new FakeClock();
    interval = 30_000;
    runs = [];
    errors = [];
    work = async () => undefined;
    task = new PeriodicTask(
      clock,
      () => interval,
      async () => {
        runs.push(clock.now());
        await work();
      },
      (error) => errors.push(error),
    );
  });

  afterEach(() => task.dispose());

  it('runs one interval after start and then every interval', async () => {
    const start = clock.now();
    task.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(30_000);
      await settle();
    }
    assert.deepEqual(runs.map((at) => at - start), [30_000, 60_000, 90_000]);
  });

  it('never overlaps: a long run delays the next one', async () => {
    let finish!: () => void;
    work = () => new Promise((resolve) => (finish = resolve));
    task.start();
    clock.advance(30_000);
    clock.advance(120_000);
    assert.equal(runs.length, 1, 'no second run while the first is in flight');
    assert.equal(clock.pendingTimers, 0);
    finish();
    await settle();
    assert.equal(clock.pendingTimers, 1, 'the next run is scheduled when the first ends');
  });

  it('pauses at an interval of 0 and takes a new interval on start()', async () => {
    interval = 0;
    task.start();
    assert.equal(clock.pendingTimers, 0);
    interval = 5_000;
    task.start();
    clock.advance(5_000);
    await settle();
    assert.equal(runs.length, 1);
  });

  it('runNow runs at once, shares a run in flight and keeps the schedule; errors go to onError', async () => {
    work = async () => {
      throw new Error('boom');
    };
    task.start();
    const first = task.runNow();
    assert.equal(task.runNow(), first);
    await first;
    assert.equal(runs.length, 1);
    assert.equal((errors[0] as Error).message, 'boom');
    assert.equal(clock.pendingTimers, 1);
  });

  it('stops for good when disposed', async () => {
    task.start();
    task.dispose();
    clock.advance(60_000);
    await settle();
    assert.equal(runs.length, 0);
  });
});

describe('mapConcurrently', () => {
  it('keeps the order of the items and never exceeds the limit', async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0], 2, async (n) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running -= 1;
      return n * 10;
    });
    assert.deepEqual(results, [50, 10, 40, 20, 30, 0]);
    assert.equal(most, 2);
  });
});

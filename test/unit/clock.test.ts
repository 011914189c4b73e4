import assert from 'node:assert/strict';
import { mock } from 'node:test';
import { MAX_TIMER_DELAY_MS, systemClock } from '../../src/core/clock';

describe('systemClock', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('waits out a delay longer than Node can schedule instead of firing at once', () => {
    let fired = 0;
    systemClock.setTimeout(() => fired++, 3_000_000_000);
    mock.timers.tick(1);
    assert.equal(fired, 0, 'a delay past 2^31-1 ms must not fire at once');
    mock.timers.tick(MAX_TIMER_DELAY_MS);
    assert.equal(fired, 0);
    mock.timers.tick(3_000_000_000 - MAX_TIMER_DELAY_MS);
    assert.equal(fired, 1);
  });

  it('cancels a long delay between its steps', () => {
    let fired = 0;
    const cancel = systemClock.setTimeout(() => fired++, 3_000_000_000);
    mock.timers.tick(MAX_TIMER_DELAY_MS + 1);
    cancel();
    mock.timers.tick(3_000_000_000);
    assert.equal(fired, 0);
  });
});

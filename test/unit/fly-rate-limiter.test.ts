import assert from 'node:assert/strict';
import { FLY_RATE_LIMITS, FlyRateLimiter } from '../../src/providers/fly/flyRateLimiter';
import { RateLimits } from '../support/flyEmulator/rateLimits';
import { FakeClock } from '../support/fakeClock';

describe('Fly client rate limiter', () => {
  let clock: FakeClock;
  let limiter: FlyRateLimiter;

  beforeEach(() => {
    clock = new FakeClock({ start: 0, instantSleeps: true });
    limiter = new FlyRateLimiter(FLY_RATE_LIMITS, clock);
  });

  /** When each of `count` callers asking at the same moment may send, in ms from now. */
  function sendTimes(action: string, scope: string, count: number): number[] {
    return Array.from({ length: count }, () => clock.now() + limiter.reserve(action, scope));
  }

  it('lets a burst through at once, keeping one of Fly\'s 3 in reserve, then one a second, per action and machine', () => {
    const sends = sendTimes('machine.start', 'app/m1', 6);
    assert.deepEqual(sends.slice(0, 2), [0, 0]);
    sends.slice(2).forEach((at, index) => assert.ok(at >= 1000 * (index + 1) && at <= 1050 * (index + 1), `send ${index + 3} at ${at} ms`));
  });

  it('refills as time passes', () => {
    sendTimes('machine.start', 'app/m1', 5);
    clock.advance(10_000);
    assert.deepEqual(sendTimes('machine.start', 'app/m1', 2), [10_000, 10_000]);
  });

  it('keeps separate budgets per action and per scope', () => {
    sendTimes('machine.start', 'app/m1', 2);
    assert.equal(limiter.reserve('machine.stop', 'app/m1'), 0);
    assert.equal(limiter.reserve('machine.start', 'app/m2'), 0);
  });

  it('allows get machine 9 of Fly\'s 10 at once, then 5 a second', () => {
    const sends = sendTimes('machine.get', 'app/m1', 10);
    assert.deepEqual(sends.slice(0, 9), Array.from({ length: 9 }, () => 0));
    assert.ok(sends[9]! >= 200 && sends[9]! <= 210, `10th send at ${sends[9]} ms`);
  });

  it('waits for its slot on the clock', async () => {
    for (let index = 0; index < 3; index++) await limiter.acquire('machine.stop', 'app/m1');
    assert.equal(clock.sleeps.length, 1);
  });

  it('never sends what the emulator\'s token buckets would refuse, under 20 concurrent callers', () => {
    for (const action of ['machine.start', 'machine.get']) {
      const server = new RateLimits(1);
      const refused = sendTimes(action, 'app/m1', 20).filter((at) => !server.admit(action, 'app/m1', at));
      assert.deepEqual(refused, [], `${action}: sends at ${refused.join(', ')} ms would be refused`);
    }
  });

  it('stays within the limit when the burst reaches Fly late (new connections) and the rest early (warm ones)', () => {
    const server = new RateLimits(1);
    const arrivals = sendTimes('machine.get', 'app/m1', 20).map((at) => (at === 0 ? at + 30 : at));
    const refused = arrivals.sort((a, b) => a - b).filter((at) => !server.admit('machine.get', 'app/m1', at));
    assert.deepEqual(refused, []);
  });

  it('is needed: the same burst unpaced would be refused 17 times', () => {
    const server = new RateLimits(1);
    const admitted = Array.from({ length: 20 }, () => server.admit('machine.start', 'app/m1', 0));
    assert.equal(admitted.filter((ok) => !ok).length, 17);
  });
});

import assert from 'node:assert/strict';
import { FlyError, flyErrorFromNetworkFailure, flyErrorFromResponse } from '../../src/providers/fly/flyErrors';
import { silentLogger } from '../../src/core/logger';
import { retryDelayMs, withRetry, type RetryPolicy } from '../../src/providers/fly/flyRetry';
import { FakeClock } from '../support/fakeClock';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 10_000, random: () => 0.5 };

/** A send that fails with the given errors in turn, then succeeds; counts its calls. */
function flaky(...failures: FlyError[]) {
  let calls = 0;
  const send = async () => {
    const failure = failures[calls++];
    if (failure) throw failure;
    return 'ok';
  };
  return { send, calls: () => calls };
}

function networkFailure(code: string): FlyError {
  return flyErrorFromNetworkFailure(new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) }), false);
}

describe('Fly retry policy', () => {
  let clock: FakeClock;
  const run = (send: () => Promise<string>, overrides: Partial<RetryPolicy> = {}, idempotent = true, signal?: AbortSignal) =>
    withRetry(send, { policy: { ...policy, ...overrides }, clock, logger: silentLogger, description: 'test', idempotent, signal });

  beforeEach(() => {
    clock = new FakeClock({ start: 0, instantSleeps: true });
  });

  it('retries retryable failures with exponential backoff and full jitter', async () => {
    const { send, calls } = flaky(flyErrorFromResponse(500, ''), flyErrorFromResponse(503, ''), flyErrorFromResponse(429, ''));
    assert.equal(await run(send), 'ok');
    assert.equal(calls(), 4);
    // random() = 0.5 of a ceiling that doubles: 100, 200, 400.
    assert.deepEqual(clock.sleeps, [50, 100, 200]);
  });

  it('keeps each delay within [0, ceiling), capped at maxDelayMs', () => {
    const error = flyErrorFromResponse(500, '');
    for (const random of [0, 0.999]) {
      const delays = [1, 2, 3, 4, 5, 6].map((retry) => retryDelayMs(error, retry, { ...policy, random: () => random }));
      for (const [index, delay] of delays.entries()) assert.ok(delay >= 0 && delay < Math.min(1000, 100 * 2 ** index), `retry ${index + 1}: ${delay}`);
    }
  });

  it('waits at least what Retry-After asks', async () => {
    const { send } = flaky(flyErrorFromResponse(429, '{"error":"slow down"}', '2'));
    await run(send);
    assert.deepEqual(clock.sleeps, [2000]);
  });

  for (const status of [400, 401, 404, 409, 412, 422]) {
    it(`does not retry a ${status}`, async () => {
      const { send, calls } = flaky(flyErrorFromResponse(status, ''));
      await assert.rejects(run(send), (error: FlyError) => error.httpStatus === status && error.attempts === 1);
      assert.equal(calls(), 1);
      assert.deepEqual(clock.sleeps, []);
    });
  }

  it('stops at the attempt limit and says how many it made', async () => {
    const { send, calls } = flaky(...Array.from({ length: 10 }, () => flyErrorFromResponse(503, '')));
    await assert.rejects(run(send), (error: FlyError) => error.category === 'unavailable' && error.attempts === 4);
    assert.equal(calls(), 4);
    assert.equal(clock.sleeps.length, 3);
  });

  it('stops when the next delay would pass the time budget', async () => {
    const { send, calls } = flaky(...Array.from({ length: 10 }, () => flyErrorFromResponse(429, '', '4')));
    await assert.rejects(run(send, { maxElapsedMs: 10_000, maxAttempts: 10 }), (error: FlyError) => error.attempts === 3);
    assert.equal(calls(), 3);
    assert.deepEqual(clock.sleeps, [4000, 4000]);
  });

  it('retries a call that may have taken effect only when it is idempotent', async () => {
    const reset = () => flaky(networkFailure('ECONNRESET'));
    const idempotent = reset();
    assert.equal(await run(idempotent.send, {}, true), 'ok');
    assert.equal(idempotent.calls(), 2);
    const create = reset();
    await assert.rejects(run(create.send, {}, false), (error: FlyError) => error.code === 'ECONNRESET');
    assert.equal(create.calls(), 1);
  });

  it('retries a call that never reached Fly even when it is not idempotent', async () => {
    const { send, calls } = flaky(networkFailure('ECONNREFUSED'), flyErrorFromResponse(503, ''));
    assert.equal(await run(send, {}, false), 'ok');
    assert.equal(calls(), 3);
  });

  it('stops backing off when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const { send } = flaky(flyErrorFromResponse(503, ''));
    await assert.rejects(run(send, {}, true, controller.signal), (error: FlyError) => error.category === 'cancelled');
  });
});

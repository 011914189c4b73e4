import assert from 'node:assert/strict';
import { SwarmError, type SwarmErrorCode } from '../../src/core/errors';
import { FlyError, asFlyError, flyErrorFromNetworkFailure, flyErrorFromGraphql, flyErrorFromResponse, parseRetryAfter, type FlyErrorCategory } from '../../src/providers/fly/flyErrors';
import { toSwarmError } from '../../src/providers/fly/flySwarmErrors';

const context = { action: 'Starting "dev-1"', apiUrl: 'https://api.machines.dev', region: 'ams' };

function networkError(code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}

describe('Fly errors', () => {
  describe('classifying an answer once, where it is read', () => {
    const cases: [number, string, FlyErrorCategory, string][] = [
      [401, '{"error":"You must be authenticated to view this."}', 'auth', 'http_401'],
      [403, '{"error":"forbidden"}', 'auth', 'http_403'],
      [404, '{"error":"machine not found"}', 'not_found', 'http_404'],
      [408, '{"error":"deadline_exceeded"}', 'timeout', 'http_408'],
      [409, '{"error":"lease currently held"}', 'conflict', 'http_409'],
      [412, '{"error":"stale metadata version"}', 'conflict', 'http_412'],
      [400, '{"error":"invalid request body"}', 'validation', 'http_400'],
      [422, '{"error":"Validation failed: Name has already been taken","status":"name_taken"}', 'validation', 'name_taken'],
      [429, '{"error":"rate limit exceeded"}', 'rate_limited', 'http_429'],
      [500, 'oops', 'unavailable', 'http_500'],
      [503, '{"error":"no capacity","status":"insufficient_capacity"}', 'unavailable', 'insufficient_capacity'],
      [418, '', 'unexpected', 'http_418'],
    ];
    for (const [status, body, category, code] of cases) {
      it(`${status} is ${category} (${code})`, () => {
        const error = flyErrorFromResponse(status, body);
        assert.equal(error.category, category);
        assert.equal(error.code, code);
        assert.equal(error.httpStatus, status);
      });
    }

    it('keeps Fly\'s message from the JSON body, and the raw text otherwise', () => {
      assert.equal(flyErrorFromResponse(404, '{"error":"app not found"}').message, 'app not found');
      assert.equal(flyErrorFromResponse(502, '<html>Bad gateway</html>').message, '<html>Bad gateway</html>');
    });

    it('retries only rate limits, server errors and network failures', () => {
      const retryable = (status: number) => flyErrorFromResponse(status, '').retryable;
      assert.deepEqual([401, 404, 409, 412, 422].map(retryable), [false, false, false, false, false]);
      assert.deepEqual([429, 500, 503].map(retryable), [true, true, true]);
    });

    it('treats 429 and 503 as turned away, other server errors as possibly done', () => {
      assert.equal(flyErrorFromResponse(429, '').mayHaveSucceeded, false);
      assert.equal(flyErrorFromResponse(503, '').mayHaveSucceeded, false);
      assert.equal(flyErrorFromResponse(502, '').mayHaveSucceeded, true);
    });

    it('reads Retry-After as seconds or as an HTTP date', () => {
      assert.equal(flyErrorFromResponse(429, '', '3').retryAfterMs, 3000);
      assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 5000);
      assert.equal(parseRetryAfter('soon'), undefined);
      assert.equal(parseRetryAfter(null), undefined);
    });
  });

  describe('GraphQL errors', () => {
    it('uses extensions.code, else the message', () => {
      assert.equal(flyErrorFromGraphql([{ message: 'Could not find App', extensions: { code: 'NOT_FOUND' } }]).category, 'not_found');
      assert.equal(flyErrorFromGraphql([{ message: 'nope', extensions: { code: 'UNAUTHORIZED' } }]).category, 'auth');
      assert.equal(flyErrorFromGraphql([{ message: 'Could not find Organization' }]).category, 'not_found');
      assert.equal(flyErrorFromGraphql([{ message: 'Expected "v5" to be one of: v4, v6' }]).category, 'unexpected');
    });
  });

  describe('failures without an answer', () => {
    it('a refused connection surely never reached Fly; a reset one may have', () => {
      const refused = flyErrorFromNetworkFailure(networkError('ECONNREFUSED'), false);
      assert.equal(refused.category, 'network');
      assert.equal(refused.code, 'ECONNREFUSED');
      assert.equal(refused.mayHaveSucceeded, false);
      assert.equal(flyErrorFromNetworkFailure(networkError('ECONNRESET'), false).mayHaveSucceeded, true);
      assert.ok(refused.retryable);
    });

    it('a request timeout is a network failure; the caller aborting is a cancellation', () => {
      const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      assert.equal(flyErrorFromNetworkFailure(timeout, false).code, 'ETIMEDOUT');
      const cancelled = flyErrorFromNetworkFailure(new DOMException('aborted', 'AbortError'), true);
      assert.equal(cancelled.category, 'cancelled');
      assert.equal(cancelled.retryable, false);
    });

    it('anything else that goes wrong during a call is unexpected, and not retried', () => {
      const bug = asFlyError(new TypeError("Cannot read properties of null (reading 'ipAddresses')"));
      assert.equal(bug.category, 'unexpected');
      assert.equal(bug.retryable, false);
      const known = flyErrorFromResponse(404, '');
      assert.equal(asFlyError(known), known);
    });
  });

  describe('mapping to SwarmError at the provider boundary', () => {
    const mapped = (error: FlyError) => toSwarmError(error, context);
    const expectations: [FlyError, SwarmErrorCode, boolean][] = [
      [flyErrorFromResponse(401, '{"error":"bad token"}'), 'AUTH_FAILED', false],
      [flyErrorFromResponse(404, '{"error":"machine not found"}'), 'INSTANCE_NOT_FOUND', false],
      [flyErrorFromResponse(409, '{"error":"version mismatch"}'), 'CONFLICT', false],
      [flyErrorFromResponse(412, '{"error":"not stopped"}'), 'CONFLICT', false],
      [flyErrorFromResponse(422, '{"error":"invalid memory size"}'), 'INVALID_CONFIG', false],
      [flyErrorFromResponse(422, '{"error":"taken","status":"name_taken"}'), 'CONFLICT', false],
      [flyErrorFromResponse(429, ''), 'RATE_LIMITED', true],
      [flyErrorFromResponse(503, '{"error":"no capacity","status":"insufficient_capacity"}'), 'RESOURCE_LIMIT_EXCEEDED', true],
      [flyErrorFromResponse(500, 'boom'), 'PROVIDER_UNAVAILABLE', true],
      [flyErrorFromNetworkFailure(networkError('ECONNRESET'), false), 'PROVIDER_UNAVAILABLE', true],
      [flyErrorFromResponse(408, '{"error":"deadline_exceeded"}'), 'OPERATION_FAILED', true],
      [flyErrorFromNetworkFailure(new Error('aborted'), true), 'OPERATION_CANCELLED', false],
      [flyErrorFromResponse(418, 'teapot'), 'OPERATION_FAILED', false],
    ];
    for (const [error, code, retryable] of expectations) {
      it(`${error.category}/${error.code} becomes ${code}`, () => {
        const swarm = mapped(error);
        assert.ok(swarm instanceof SwarmError);
        assert.equal(swarm.code, code);
        assert.equal(swarm.retryable, retryable);
        assert.equal(swarm.cause, error);
        assert.match(swarm.message, /Starting "dev-1"/);
      });
    }

    it('tells how to fix what the user can fix, as a structured remedy in no front end\'s words', () => {
      const auth = mapped(flyErrorFromResponse(401, '{"error":"bad token"}'));
      assert.match(auth.message, /Set a valid token/);
      assert.deepEqual(auth.remedy, { kind: 'secret', secret: 'remoteSwarm.fly.apiToken', label: 'Fly.io API token' });
      const capacity = mapped(flyErrorFromResponse(503, '{"error":"x","status":"insufficient_capacity"}'));
      assert.match(capacity.message, /region ams.*another region/);
      assert.deepEqual(capacity.remedy, { kind: 'setting', setting: 'fly.region' });
      const network = mapped(flyErrorFromNetworkFailure(networkError('ECONNREFUSED'), false));
      assert.match(network.message, /https:\/\/api\.machines\.dev/);
      assert.deepEqual(network.remedy, { kind: 'setting', setting: 'fly.apiUrl' });
    });

    it('says how many attempts were made', () => {
      assert.match(mapped(flyErrorFromResponse(429, '').afterAttempts(4)).message, /after 4 attempts/);
    });

    it('passes SwarmErrors through and wraps anything else', () => {
      const original = new SwarmError('CONFLICT', 'already');
      assert.equal(toSwarmError(original, context), original);
      assert.equal(toSwarmError(new Error('weird'), context).code, 'OPERATION_FAILED');
    });
  });
});

import assert from 'node:assert/strict';
import { SwarmError, type SwarmErrorCode } from '../../src/core/errors';

/** For assert.rejects / assert.throws: a SwarmError with this code, and optionally a message and the offending field. */
export function swarmError(code: SwarmErrorCode, message?: RegExp, field?: string) {
  return (error: unknown) => {
    assert.ok(SwarmError.is(error), `expected a SwarmError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    if (field) assert.equal(error.details.field, field);
    return true;
  };
}

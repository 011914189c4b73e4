import assert from 'node:assert/strict';
import { compareNaturally } from '../../src/core/naturalOrder';

describe('compareNaturally', () => {
  it('orders numbered names by their numbers, as a group of workers reads', () => {
    const names = ['worker-10', 'worker-2', 'coordinator', 'worker-1', 'api', 'worker-100', 'worker-9'];
    assert.deepEqual([...names].sort(compareNaturally), ['api', 'coordinator', 'worker-1', 'worker-2', 'worker-9', 'worker-10', 'worker-100']);
  });

  it('puts a name before its longer continuations and keeps equal names equal', () => {
    assert.ok(compareNaturally('web', 'web-1') < 0);
    assert.equal(compareNaturally('db-01', 'db-01'), 0);
    assert.notEqual(compareNaturally('db-01', 'db-1'), 0, 'equal numbers written differently are still two names');
  });
});

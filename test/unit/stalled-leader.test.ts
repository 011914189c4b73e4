import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import type { LeaseTimings } from '../../src/core/coordination/leadership';
import { COST_LEDGER_KEY } from '../../src/core/cost/costLedger';
import { silentLogger } from '../../src/core/logger';
import { pollUntil } from '../e2e/harness/poll';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { FakeClock } from '../support/fakeClock';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

const TIMINGS: LeaseTimings = { ttlMs: 3_000, renewMs: 500, pollMs: 100 };

describe('A leader whose lease renewals stalled (real files, a clock the test moves)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness | undefined;

  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => {
    core?.dispose();
    temp.remove();
  });

  it('writes no cost ledger from the moment its lease could have lapsed, while another process may lead', async () => {
    const clock = new FakeClock({ start: Date.now() });
    const coordination = new FileCoordination(temp.path, { log: silentLogger, clock, timings: TIMINGS });
    core = await makeCore(temp.path, { memory: () => new MemoryProvider() }, { coordination, clock });
    const instance = await core.controller.create({ provider: 'memory', name: 'web' });
    core.swarm.startMonitoring();
    await pollUntil(() => coordination.leading || undefined, { what: 'the process to lead', timeoutMs: 5_000 });
    await core.swarm.meterNow();
    const stored = () => (JSON.parse(readFileSync(core!.storePath, 'utf8')) as Record<string, unknown>)[COST_LEDGER_KEY];
    const written = stored();
    assert.ok(written, 'the leader wrote the ledger');

    clock.jump(TIMINGS.ttlMs);
    assert.equal(coordination.leading, false, 'a leader that has not renewed for a lease no longer counts as leading');
    await core.controller.stop(instance.id);
    assert.equal(core.controller.get(instance.id).status, 'stopped');
    assert.deepEqual(stored(), written, 'the stalled leader wrote the ledger');
  });
});

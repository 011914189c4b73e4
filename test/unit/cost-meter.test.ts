import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CostLedger } from '../../src/core/cost/costLedger';
import { CostMeter } from '../../src/core/cost/costMeter';
import { PriceBook, type InstancePricing } from '../../src/core/cost/pricing';
import { JsonFileStore } from '../../src/core/jsonFileStore';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { FakeClock } from '../support/fakeClock';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

const HOUR = 3_600_000;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CostMeter (fake clock, file-backed ledger)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  let clock: FakeClock;
  let configured: Record<string, number>;
  let declared: Record<string, InstancePricing>;
  let meter: CostMeter;

  async function openMeter(): Promise<{ meter: CostMeter; ledger: CostLedger; problem: string | undefined }> {
    const ledger = new CostLedger(new JsonFileStore(join(temp.path, 'cost.json')));
    const problem = await ledger.load();
    const prices = new PriceBook((type) => declared[type], () => configured);
    return { meter: new CostMeter({ registry: core.registry, ledger, prices, clock }), ledger, problem };
  }

  beforeEach(async () => {
    temp = makeTempDir();
    clock = new FakeClock({ start: Date.UTC(2026, 10, 25, 12, 0, 0) });
    core = await makeCore(temp.path, { memory: () => new MemoryProvider(), cloud: () => new MemoryProvider() });
    configured = {};
    declared = { memory: () => ({ running: 0.36, stopped: 0.036 }) };
    meter = (await openMeter()).meter;
  });

  afterEach(() => {
    meter.dispose();
    core.dispose();
    temp.remove();
  });

  it('meters running time to the second at the running price, and stopped time at the stopped price', async () => {
    const { id } = await core.controller.create({ provider: 'memory', name: 'a' });
    clock.advance(100_000);
    await core.controller.stop(id);
    clock.advance(1_000_000);
    const [line] = meter.report().instances;
    assert.equal(line!.runningHours * 3600, 100);
    assert.ok(Math.abs(line!.monthToDate - (100 * 0.0001 + 1000 * 0.00001)) < 1e-9, `month to date ${line!.monthToDate}`);
    assert.equal(line!.hourlyRate, 0.036, 'stopped now: the stopped rate');
  });

  it('survives a reload: the time while VS Code was closed counts as what the instance last did', async () => {
    await core.controller.create({ provider: 'memory', name: 'a' });
    clock.advance(HOUR);
    await meter.tick();
    meter.dispose();

    clock.advance(2 * HOUR);
    const reopened = await openMeter();
    meter = reopened.meter;
    assert.equal(reopened.problem, undefined);
    const [line] = meter.report().instances;
    assert.ok(Math.abs(line!.runningHours - 3) < 1e-9, `running hours ${line!.runningHours}`);
    assert.ok(Math.abs(line!.monthToDate - 3 * 0.36) < 1e-9);
  });

  it('keeps what a change accrued even when no tick ran before the reload', async () => {
    const { id } = await core.controller.create({ provider: 'memory', name: 'a' });
    clock.advance(HOUR);
    await core.controller.stop(id);
    await settle();
    meter.dispose();
    meter = (await openMeter()).meter;
    assert.ok(Math.abs(meter.report().instances[0]!.runningHours - 1) < 1e-9);
  });

  it('splits a span at the end of the month', async () => {
    clock = new FakeClock({ start: Date.UTC(2026, 10, 30, 23, 30, 0) });
    meter.dispose();
    const opened = await openMeter();
    meter = opened.meter;
    await core.controller.create({ provider: 'memory', name: 'a' });
    clock.advance(HOUR);
    const report = meter.report();
    assert.equal(report.month, '2026-12');
    assert.ok(Math.abs(report.instances[0]!.runningHours - 0.5) < 1e-9);
    assert.ok(Math.abs(opened.ledger.usage('2026-11')[report.instances[0]!.id]!.runningSeconds - 1800) < 1e-6);
  });

  it('totals per instance, group and provider, and projects the month from the current rates', async () => {
    configured = { memory: 1 };
    declared.cloud = () => ({ running: 2, stopped: 0.5 });
    await core.controller.create({ provider: 'memory', name: 'a', overrides: { group: 'team-a' } });
    const b = await core.controller.create({ provider: 'cloud', name: 'b', overrides: { group: 'team-a' } });
    await core.controller.create({ provider: 'cloud', name: 'c' });
    clock.advance(HOUR);
    await core.controller.stop(b.id);
    const report = meter.report();
    const hoursLeft = (Date.UTC(2026, 11, 1) - clock.now()) / HOUR;
    assert.equal(report.month, '2026-11');
    assert.deepEqual(
      report.instances.map((line) => [line.name, line.monthToDate, line.hourlyRate]),
      [
        ['c', 2, 2],
        ['a', 1, 1],
        ['b', 2, 0.5],
      ],
    );
    assert.equal(report.monthToDate, 5);
    assert.ok(Math.abs(report.projected - (5 + (2 + 1 + 0.5) * hoursLeft)) < 1e-9);
    assert.deepEqual(report.byProvider.map((total) => [total.key, total.monthToDate]), [['cloud', 4], ['memory', 1]]);
    assert.deepEqual(report.byGroup.map((total) => [total.key, total.monthToDate]), [['(none)', 2], ['team-a', 3]]);
  });

  it('keeps the month line of a deleted instance, at no further cost', async () => {
    const { id } = await core.controller.create({ provider: 'memory', name: 'a' });
    clock.advance(HOUR);
    await core.controller.delete(id, { keepWorkspace: false });
    clock.advance(HOUR);
    const [line] = meter.report().instances;
    assert.equal(line!.status, undefined);
    assert.ok(Math.abs(line!.monthToDate - 0.36) < 1e-9);
    assert.equal(line!.projected, line!.monthToDate);
  });

  it('counts an instance as free when its provider has no price for it, and a price set by the user wins', async () => {
    declared.memory = () => {
      throw new Error('no price for this size');
    };
    const { id } = await core.controller.create({ provider: 'memory', name: 'a' });
    clock.advance(HOUR);
    assert.equal(meter.report().monthToDate, 0);
    configured = { memory: 0.5 };
    await meter.tick();
    clock.advance(HOUR);
    assert.equal(meter.report().instances.find((line) => line.id === id)!.monthToDate, 0.5);
  });

  it('keeps a ledger it cannot read aside and starts afresh', async () => {
    meter.dispose();
    const store = new JsonFileStore(join(temp.path, 'cost.json'));
    await store.update('remoteSwarm.cost.ledger', { schemaVersion: 99 });
    const reopened = await openMeter();
    meter = reopened.meter;
    assert.match(reopened.problem ?? '', /could not be read .*kept aside under "remoteSwarm\.cost\.ledger\.quarantine"/);
    assert.deepEqual(new JsonFileStore(join(temp.path, 'cost.json')).get<{ raw: unknown }>('remoteSwarm.cost.ledger.quarantine')?.raw, { schemaVersion: 99 });
  });
});

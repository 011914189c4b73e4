import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BudgetGuard, type BudgetEvent } from '../../src/core/cost/budgetGuard';
import { CostLedger } from '../../src/core/cost/costLedger';
import { CostMeter } from '../../src/core/cost/costMeter';
import { parseCostSettings, type CostSettings } from '../../src/core/cost/costSettings';
import { PriceBook } from '../../src/core/cost/pricing';
import { JsonFileStore } from '../../src/core/jsonFileStore';
import { stopReasonOf } from '../../src/core/stopReason';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { FakeClock } from '../support/fakeClock';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

const HOUR = 3_600_000;

describe('Budgets (fake clock)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  let clock: FakeClock;
  let settings: CostSettings;
  let meter: CostMeter;
  let guard: BudgetGuard;
  let events: string[];

  /** The meter and guard as a (re)started extension makes them, over the same ledger file. */
  async function open(): Promise<void> {
    const ledger = new CostLedger(new JsonFileStore(join(temp.path, 'cost.json')));
    await ledger.load();
    meter = new CostMeter({ registry: core.registry, ledger, prices: new PriceBook(() => undefined, () => settings.pricePerHour), clock });
    guard = new BudgetGuard({ controller: core.controller, ledger, settings: () => settings });
    guard.onEvent((event) => events.push(summary(event)));
  }

  function summary(event: BudgetEvent): string {
    const scope = event.budget.template ?? 'monthly';
    return event.kind === 'threshold' ? `${scope} ${event.threshold * 100}%` : `${scope} stopped ${event.instance}${event.error ? ` (${event.error})` : ''}`;
  }

  /** What the extension does every minute, here once per `hours`. */
  async function after(hours: number): Promise<void> {
    clock.advance(hours * HOUR);
    await meter.tick();
    await guard.review(meter.report());
  }

  beforeEach(async () => {
    temp = makeTempDir();
    clock = new FakeClock({ start: Date.UTC(2026, 10, 2, 0, 0, 0) });
    core = await makeCore(temp.path, { memory: () => new MemoryProvider() });
    settings = { ...parseCostSettings({}), pricePerHour: { memory: 1 }, monthlyBudget: 10 };
    events = [];
    await open();
  });

  afterEach(() => {
    meter.dispose();
    guard.dispose();
    core.dispose();
    temp.remove();
  });

  it('warns at 80% and at 100% of the monthly budget, each once, also across a reload', async () => {
    await core.controller.create({ provider: 'memory', name: 'a' });
    await after(7.5);
    assert.deepEqual(events, []);
    await after(1);
    assert.deepEqual(events, ['monthly 80%']);
    await after(1);
    assert.deepEqual(events, ['monthly 80%']);

    meter.dispose();
    guard.dispose();
    await open();
    await after(1);
    assert.deepEqual(events, ['monthly 80%', 'monthly 100%']);
    await after(1);
    meter.dispose();
    guard.dispose();
    await open();
    await after(1);
    assert.deepEqual(events, ['monthly 80%', 'monthly 100%'], 'not again after a reload');
    assert.equal(core.controller.get('a').status, 'running', 'stopping is off unless asked for');
  });

  it('announces only the highest threshold when both are passed at once, and a raised budget afresh', async () => {
    await core.controller.create({ provider: 'memory', name: 'a' });
    await after(12);
    assert.deepEqual(events, ['monthly 100%']);
    settings.monthlyBudget = 15;
    await after(0.1);
    assert.deepEqual(events, ['monthly 100%', 'monthly 80%']);
  });

  it('stops the running instances a used-up template budget covers, recording the reason, and leaves the others', async () => {
    settings = { ...settings, monthlyBudget: 0, templateBudgets: { agent: 2 }, stopWhenOverBudget: true };
    const agent = await core.controller.create({ provider: 'memory', name: 'agent-1', template: 'agent' });
    const dev = await core.controller.create({ provider: 'memory', name: 'dev-1', template: 'development' });
    await after(1.7);
    assert.deepEqual(events, ['agent 80%']);
    await after(0.5);
    assert.deepEqual(events, ['agent 80%', 'agent 100%', 'agent stopped agent-1']);
    const stopped = core.controller.get(agent.id);
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopReasonOf(stopped), 'budget');
    assert.equal(core.controller.get(dev.id).status, 'running');

    await core.controller.start(agent.id);
    assert.equal(stopReasonOf(core.controller.get(agent.id)), undefined, 'starting clears the reason');
    await after(0.1);
    assert.equal(core.controller.get(agent.id).status, 'stopped', 'the budget stays enforced this month');
  });

  it('leaves instances that cost nothing running under a used-up budget', async () => {
    settings = { ...settings, pricePerHour: { memory: 0 }, monthlyBudget: 0.000001, stopWhenOverBudget: true };
    await core.controller.create({ provider: 'memory', name: 'free' });
    await after(5);
    assert.deepEqual(events, []);
    assert.equal(core.controller.get('free').status, 'running');
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import type { LeaseTimings } from '../../src/core/coordination/leadership';
import { COST_LEDGER_KEY } from '../../src/core/cost/costLedger';
import { silentLogger } from '../../src/core/logger';
import { pollUntil } from '../e2e/harness/poll';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { HealthzServer } from '../support/healthzServer';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

/** Short enough for a test, long enough for two cores on a loaded machine with 2 cores. */
const TIMINGS: LeaseTimings = { ttlMs: 3_000, renewMs: 500, pollMs: 100 };

describe('Two Swarm cores over one state folder (two windows of one user)', function () {
  this.timeout(30_000);
  let temp: ReturnType<typeof makeTempDir>;
  let provider: MemoryProvider;
  let server: HealthzServer;
  let cores: CoreHarness[];

  beforeEach(async () => {
    temp = makeTempDir();
    provider = new MemoryProvider();
    server = await HealthzServer.start();
    provider.ideUrls.set('web', server.url);
    cores = [];
  });

  afterEach(async () => {
    for (const core of cores) core.dispose();
    await server.close();
    temp.remove();
  });

  /** A window: the core over the shared folder, coordinated through it, health checks every second. */
  async function openWindow(): Promise<CoreHarness> {
    const coordination = new FileCoordination(temp.path, { log: silentLogger, timings: TIMINGS });
    const core = await makeCore(temp.path, { memory: () => provider }, { coordination });
    core.otherSettings.health = { interval: 1, failureThreshold: 2, successThreshold: 1, recoveryBackoff: 0 };
    cores.push(core);
    return core;
  }

  function leaderOf(windows: CoreHarness[]): CoreHarness | undefined {
    const leaders = windows.filter((core) => core.swarm.coordination.leading);
    assert.ok(leaders.length <= 1, `${leaders.length} leaders`);
    return leaders[0];
  }

  it('elects one leader, which alone checks once a second, and the other shows its results', async () => {
    const first = await openWindow();
    const instance = await first.controller.create({ provider: 'memory', name: 'web' });
    const second = await openWindow();
    first.swarm.startMonitoring();
    second.swarm.startMonitoring();
    assert.equal(leaderOf([first, second]), first, 'the first to campaign leads');

    const start = Date.now();
    await pollUntil(() => (server.requests >= 4 || undefined), { what: 'four health checks', timeoutMs: 10_000 });
    const elapsedS = (Date.now() - start) / 1000;
    assert.ok(server.requests <= Math.ceil(elapsedS) + 1, `${server.requests} checks in ${elapsedS.toFixed(1)} s: one per second, not one per window`);
    assert.equal(first.swarm.health.statusOf(instance.id), 'HEALTHY');
    await pollUntil(() => (second.swarm.health.statusOf(instance.id) === 'HEALTHY' || undefined), { what: 'the follower to show HEALTHY', timeoutMs: 5_000 });
    // As JSON: the leader's samples carry fields set to undefined, which the follower never received.
    const history = (core: CoreHarness) => JSON.parse(JSON.stringify(core.swarm.health.recordOf(instance.id)?.samples ?? null)) as unknown;
    await pollUntil(() => (isDeepStrictEqual(history(second), history(first)) || undefined), { what: 'the follower to show the leader\'s history', timeoutMs: 5_000, intervalMs: 20 });
  });

  it('hands the lead over within a second when the leader closes, and keeps checking once a second', async () => {
    const first = await openWindow();
    await first.controller.create({ provider: 'memory', name: 'web' });
    const second = await openWindow();
    first.swarm.startMonitoring();
    second.swarm.startMonitoring();
    await pollUntil(() => (server.requests >= 2 || undefined), { what: 'two health checks', timeoutMs: 10_000 });

    const closedAt = Date.now();
    first.dispose();
    cores.shift();
    await pollUntil(() => (second.swarm.coordination.leading || undefined), { what: 'the second window to lead', timeoutMs: 5_000, intervalMs: 20 });
    const handoverMs = Date.now() - closedAt;
    assert.ok(handoverMs < 1_000, `took over in ${handoverMs} ms`);
    const before = server.requests;
    await pollUntil(() => (server.requests >= before + 2 || undefined), { what: 'the new leader to check', timeoutMs: 5_000 });
  });

  it('shows each window\'s operations in the other, and the leader does not undo a stop made in a follower', async () => {
    const first = await openWindow();
    const instance = await first.controller.create({ provider: 'memory', name: 'web' });
    const second = await openWindow();
    first.swarm.startMonitoring();
    second.swarm.startMonitoring();
    await pollUntil(() => (second.swarm.health.statusOf(instance.id) === 'HEALTHY' || undefined), { what: 'the follower to show HEALTHY', timeoutMs: 10_000 });

    await second.controller.stop(instance.id);
    await pollUntil(() => (first.controller.get(instance.id).status === 'stopped' || undefined), { what: 'the leader to see the stop', timeoutMs: 5_000 });
    const checksAfterStop = server.requests;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(server.requests, checksAfterStop, 'a stopped instance is not checked');
    assert.equal(provider.calls.filter((call) => call.startsWith('restart')).length, 0, 'and not restarted');

    const other = await first.controller.create({ provider: 'memory', name: 'other' });
    await pollUntil(() => (second.registry.get(other.id)?.status === 'running' || undefined), { what: 'the follower to see the new instance', timeoutMs: 5_000 });
    await first.controller.delete(other.id, { keepWorkspace: false });
    await pollUntil(() => (second.registry.get(other.id) === undefined || undefined), { what: 'the follower to see the delete', timeoutMs: 5_000 });
  });

  it('runs one operation on an instance at a time across windows', async () => {
    const first = await openWindow();
    const instance = await first.controller.create({ provider: 'memory', name: 'web' });
    const second = await openWindow();
    let open!: () => void;
    provider.gate = new Promise<void>((resolve) => (open = resolve));
    const restart = first.controller.restart(instance.id);
    await pollUntil(() => (provider.calls.includes(`restart:${instance.id}:begin`) || undefined), { what: 'the restart to begin', timeoutMs: 5_000, intervalMs: 10 });
    assert.equal(second.controller.isBusy(instance.id), true, 'the other window sees it busy (its sweeps and refreshes leave it alone)');
    const stop = second.controller.stop(instance.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(provider.calls.some((call) => call.startsWith('stop')), false, 'the stop waits for the restart');
    provider.gate = undefined;
    open();
    await Promise.all([restart, stop]);
    const lifecycle = provider.calls.filter((call) => /^(restart|stop):/.test(call));
    assert.deepEqual(lifecycle, [`restart:${instance.id}:begin`, `restart:${instance.id}:end`, `stop:${instance.id}:begin`, `stop:${instance.id}:end`]);
  });

  it('keeps one cost ledger, written by the leader only; the follower shows the leader\'s', async () => {
    const first = await openWindow();
    const instance = await first.controller.create({ provider: 'memory', name: 'web' });
    const second = await openWindow();
    first.swarm.startMonitoring();
    second.swarm.startMonitoring();
    await first.swarm.meterNow();
    const stored = () => (JSON.parse(readFileSync(first.storePath, 'utf8')) as Record<string, unknown>)[COST_LEDGER_KEY];
    const written = stored();
    await second.swarm.meterNow();
    assert.deepEqual(stored(), written, 'the follower does not meter');
    await second.controller.stop(instance.id);
    await pollUntil(() => (first.controller.get(instance.id).status === 'stopped' || undefined), { what: 'the leader to see the stop', timeoutMs: 5_000 });
    await first.swarm.meterNow();
    const ledger = stored() as { spans: Record<string, { running: boolean }> };
    assert.equal(ledger.spans[instance.id]?.running, false, 'the leader metered the follower\'s stop');
    await first.swarm.meterNow();
    await pollUntil(() => (second.swarm.cost.report().instances[0]?.status === 'stopped' || undefined), { what: 'the follower to show the leader\'s costs', timeoutMs: 5_000 });
    const leaderSeconds = first.swarm.cost.report().instances[0]!.runningHours * 3600;
    const followerSeconds = second.swarm.cost.report().instances[0]!.runningHours * 3600;
    assert.ok(Math.abs(leaderSeconds - followerSeconds) < 0.5, `leader ${leaderSeconds} s, follower ${followerSeconds} s`);
  });
});

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import { DEFAULT_LEASE_TIMINGS } from '../../src/core/coordination/leadership';
import { silentLogger } from '../../src/core/logger';
import type { Instance } from '../../src/core/models';
import { pollUntil } from '../e2e/harness/poll';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import type { MonitoringProcessEvent } from '../support/monitoringProcess';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const MONITORING_PROCESS = join(__dirname, '..', 'support', 'monitoringProcess.ts');
/** The health interval the processes run with (test/support/monitoringProcess.ts). */
const INTERVAL_MS = 1_000;

/** A monitoring process (a VS Code window, as far as the core can tell) and what it printed. */
class MonitoringProcess {
  readonly events: (MonitoringProcessEvent & { received: number })[] = [];
  readonly exited: Promise<number>;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    stateDir: string,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', MONITORING_PROCESS, stateDir, RUN_ID], { stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.events.push({ ...(JSON.parse(line) as MonitoringProcessEvent), received: Date.now() }));
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve(Date.now())));
  }

  get leading(): boolean {
    const last = this.events.filter((event) => event.event === 'leading' || event.event === 'ready').at(-1);
    return last !== undefined && 'leading' in last && last.leading;
  }

  count(kind: MonitoringProcessEvent['event'], since = 0): number {
    return this.events.filter((event) => event.event === kind && event.received >= since).length;
  }

  async ready(): Promise<this> {
    await pollUntil(() => (this.count('ready') > 0 || undefined), { what: `${this.name} to start`, timeoutMs: 30_000 });
    return this;
  }

  /** When it took the lead, waiting up to `timeoutMs`. */
  async leads(timeoutMs: number): Promise<number> {
    await pollUntil(() => (this.leading || undefined), { what: `${this.name} to lead`, timeoutMs, intervalMs: 20 });
    return Date.now();
  }

  close(signal: NodeJS.Signals): Promise<number> {
    this.child.kill(signal);
    return this.exited;
  }
}

describe('A leader among processes over one state folder (VS Code windows, CLI, MCP), against real containers', function () {
  this.timeout(240_000);
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  let processes: MonitoringProcess[];

  before(async () => {
    await requireDocker();
    ensureTestImage();
  });

  beforeEach(async () => {
    temp = makeTempDir();
    processes = [];
    core = await makeCore(temp.path, { docker: () => testProvider() }, { coordination: new FileCoordination(temp.path, { log: silentLogger }) });
    core.settings.defaultImage = ensureTestImage();
  });

  afterEach(async () => {
    await Promise.all(processes.map((child) => child.close('SIGKILL')));
    core.dispose();
    await removeTestResources();
    temp.remove();
  });

  async function servedInstance(name: string): Promise<Instance> {
    const instance = await core.controller.create({ provider: 'docker', template: 'development', name: `rs-test-${RUN_ID}-${name}` });
    await pollUntil(async () => ((await fetch(new URL('healthz', instance.urls.ide)).catch(() => undefined))?.ok || undefined), { what: 'the instance to answer /healthz', timeoutMs: 20_000, intervalMs: 50 });
    return instance;
  }

  const start = async (name: string) => {
    const child = new MonitoringProcess(name, temp.path);
    processes.push(child);
    return child.ready();
  };

  it('checks once per interval from one process, restarts an unhealthy instance once, hands over on close and on SIGKILL, and meters one ledger', async () => {
    const instance = await servedInstance('leader');
    const runningSince = Date.now();
    const first = await start('first');
    await first.leads(5_000);
    const second = await start('second');
    assert.equal(second.leading, false, 'one leader');

    const window = Date.now();
    await pollUntil(() => (Date.now() - window >= 5 * INTERVAL_MS || undefined), { what: 'five intervals', timeoutMs: 10_000 });
    const checks = first.count('probe', window);
    assert.ok(checks >= 3 && checks <= 6, `${checks} checks in five one-second intervals`);
    assert.equal(second.count('probe'), 0, 'the follower does not check');
    assert.ok(second.events.some((event) => event.event === 'health' && event.health.includes('HEALTHY')), 'the follower shows the leader\'s results');

    const result = await core.controller.exec(instance.id, ['sh', '-c', 'killall httpd']);
    assert.equal(result.exitCode, 0, result.stderr);
    await pollUntil(() => (first.count('restart') > 0 || undefined), { what: 'the leader to restart the instance', timeoutMs: 30_000 });
    await pollUntil(() => (second.events.some((event) => event.event === 'health' && event.recoveryAttempts === 1 && event.health.includes('HEALTHY')) || undefined), {
      what: 'the follower to show the leader\'s restart and the instance healthy again',
      timeoutMs: 30_000,
    });
    assert.equal(first.count('restart') + second.count('restart'), 1, 'one restart');

    const closedAt = await first.close('SIGTERM');
    const tookOverAt = await second.leads(5_000);
    assert.ok(tookOverAt - closedAt < 2 * DEFAULT_LEASE_TIMINGS.pollMs, `the second took over ${tookOverAt - closedAt} ms after the first closed`);
    const third = await start('third');
    assert.equal(third.leading, false);
    const since = Date.now();
    await pollUntil(() => (second.count('probe', since) >= 2 || undefined), { what: 'the new leader to check', timeoutMs: 10_000 });

    const killedAt = await second.close('SIGKILL');
    const thirdLeadsAt = await third.leads(DEFAULT_LEASE_TIMINGS.ttlMs + 2_000);
    assert.ok(thirdLeadsAt - killedAt <= DEFAULT_LEASE_TIMINGS.ttlMs + DEFAULT_LEASE_TIMINGS.pollMs, `the third took over ${thirdLeadsAt - killedAt} ms after the second was killed`);
    const afterKill = Date.now();
    await pollUntil(() => (third.count('probe', afterKill) >= 2 || undefined), { what: 'the third to check', timeoutMs: 10_000 });
    assert.equal(first.count('restart') + second.count('restart') + third.count('restart'), 1, 'still one restart');

    await third.close('SIGTERM');
    const ledger = await makeCore(temp.path, { docker: () => testProvider() });
    try {
      const line = ledger.swarm.cost.report().instances.find((candidate) => candidate.id === instance.id);
      const wallSeconds = (Date.now() - runningSince) / 1000;
      const meteredSeconds = line!.runningHours * 3600;
      assert.ok(Math.abs(meteredSeconds - wallSeconds) < 5, `metered ${meteredSeconds.toFixed(1)} s running, the clock says ${wallSeconds.toFixed(1)} s`);
    } finally {
      ledger.dispose();
    }
  });
});

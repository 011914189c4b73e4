import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import { HealthMonitor, type HealthEvent } from '../../src/core/health/healthMonitor';
import { parseHealthSettings, type HealthSettings } from '../../src/core/health/healthSettings';
import { parseIdleSettings } from '../../src/core/idle/idleSettings';
import { IdleWatcher } from '../../src/core/idle/idleWatcher';
import type { Instance } from '../../src/core/models';
import { stopReasonOf } from '../../src/core/stopReason';
import { pollUntil } from '../e2e/harness/poll';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, requireDocker, testProvider } from '../support/dockerTestEnv';
import { FakeClock } from '../support/fakeClock';
import { makeTempDir } from '../support/tempDir';

const MINUTE = 60_000;

describe('Health checks, auto-recovery and idle stops against real containers', function () {
  this.timeout(120_000);
  const docker = new Docker();
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  let clock: FakeClock;
  let settings: HealthSettings;
  let monitor: HealthMonitor;
  let events: HealthEvent[];
  let restarts: string[];

  before(async () => {
    await requireDocker();
    ensureTestImage();
  });

  beforeEach(async () => {
    temp = makeTempDir();
    core = await makeCore(temp.path, { docker: () => testProvider() });
    core.settings.defaultImage = ensureTestImage();
    clock = new FakeClock({ start: Date.now() });
    settings = { ...parseHealthSettings({}), timeoutMs: 2000, failureThreshold: 2, successThreshold: 1, recoveryBackoffMs: MINUTE, maxRecoveryAttempts: 2 };
    monitor = new HealthMonitor({ controller: core.controller, listings: core.swarm.listings, settings: () => settings, clock });
    events = [];
    monitor.onEvent((event) => events.push(event));
    restarts = [];
    core.controller.onOperation(({ operation, instance, phase }) => operation === 'restart' && phase === 'succeeded' && restarts.push(instance));
  });

  // Only this test's instances: a sweep of every test-labelled resource would take those of test runs going on beside it.
  // The root hook's sweep after the run is the safety net.
  afterEach(async () => {
    monitor.dispose();
    await Promise.allSettled(core.controller.list().map((instance) => core.controller.delete(instance.id, { keepWorkspace: false })));
    core.dispose();
    temp.remove();
  });

  /** Creates an instance and waits until its /healthz answers, so the checks start from a served instance. */
  async function servedInstance(name: string): Promise<Instance> {
    const instance = await core.controller.create({ provider: 'docker', template: 'development', name });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const response = await fetch(new URL('healthz', instance.urls.ide)).catch(() => undefined);
      if (response?.ok) return instance;
      if (Date.now() > deadline) throw new Error(`${instance.urls.ide}healthz did not answer within 10 s`);
      await delay(50);
    }
  }

  async function sweep(minutes = 1) {
    clock.advance(minutes * MINUTE);
    return monitor.sweep();
  }

  /** Sweeps until the instance has the health status, or fails after the deadline (real time). */
  async function sweepUntil(id: string, health: string, deadlineMs = 20_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (monitor.statusOf(id) !== health) {
      if (Date.now() > deadline) throw new Error(`still ${monitor.statusOf(id)} after ${deadlineMs} ms, not ${health}`);
      await sweep();
    }
  }

  async function shell(instance: Instance, script: string): Promise<void> {
    const result = await core.controller.exec(instance.id, ['sh', '-c', script]);
    assert.equal(result.exitCode, 0, result.stderr);
  }

  it('turns an instance whose server stopped answering UNHEALTHY after failureThreshold checks; recovery restarts it', async () => {
    const instance = await servedInstance('stops-answering');
    await sweep();
    assert.equal(monitor.statusOf(instance.id), 'HEALTHY');

    await shell(instance, 'killall httpd');
    await sweep();
    assert.equal(monitor.statusOf(instance.id), 'HEALTHY', 'one failure is not enough');
    const failed = monitor.recordOf(instance.id)!.samples.at(-1)!;
    assert.equal(failed.outcome, 'fail');
    assert.equal(failed.providerStatus, 'running', 'the container still runs; only its server is gone');
    assert.equal(failed.reachable, false);
    assert.match(failed.error ?? '', /connection (reset|refused)|no answer/);

    await sweep();
    assert.deepEqual(
      events.map((event) => event.kind),
      ['unhealthy', 'recovery-attempt'],
    );
    assert.deepEqual(restarts, ['stops-answering'], 'the second failure turned it UNHEALTHY and recovery restarted it');
    assert.equal(monitor.statusOf(instance.id), 'RECOVERING');

    await sweepUntil(instance.id, 'HEALTHY');
    assert.equal(events.at(-1)?.kind, 'recovered');
    assert.deepEqual(
      monitor.recordOf(instance.id)!.recoveryAttempts.map((attempt) => attempt.result),
      ['restarted'],
    );
  });

  it('gives up after the maximum number of restarts when they do not help, and says so once', async () => {
    settings.failureThreshold = 1;
    const instance = await core.controller.create({
      provider: 'docker',
      template: 'development',
      name: 'never-serves',
      overrides: { command: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'] },
    });
    for (let i = 0; i < 5; i++) await sweep();
    assert.deepEqual(
      events.map((event) => event.kind),
      ['unhealthy', 'recovery-attempt', 'recovery-attempt', 'recovery-gave-up'],
    );
    assert.deepEqual(restarts, ['never-serves', 'never-serves'], JSON.stringify(monitor.recordOf(instance.id)?.recoveryAttempts));
    assert.equal(monitor.statusOf(instance.id), 'UNHEALTHY');
    assert.equal((await docker.getContainer(core.controller.get(instance.id).metadata.containerId!).inspect()).State.Running, true, 'left running for the user to look at');
  });

  it('reads CPU and memory from docker stats', async () => {
    const instance = await servedInstance('measured');
    await sweep();
    await sweep();
    const usage = monitor.recordOf(instance.id)!.samples.at(-1)!.usage!;
    assert.ok(usage.memoryBytes > 0 && usage.memoryBytes < 64 * 1024 * 1024, `memory ${usage.memoryBytes}`);
    assert.equal(usage.memoryLimitBytes, 512 * 1024 * 1024, 'the development template limit');
    assert.ok(usage.cpuPercent !== undefined && usage.cpuPercent >= 0, 'CPU % from the second reading on');
  });

  describe('idle auto-stop', () => {
    let idle: IdleWatcher;

    beforeEach(() => {
      idle = new IdleWatcher({ controller: core.controller, settings: () => parseIdleSettings({ timeoutMinutes: 30 }), clock });
    });

    afterEach(() => idle.dispose());

    async function setHeartbeat(instance: Instance, lastHeartbeat: number): Promise<void> {
      await shell(instance, `printf '{"status":"alive","lastHeartbeat":%s}' ${lastHeartbeat} > /www/healthz`);
    }

    it('stops an instance unused for longer than the timeout after a warning, recording "inactivity"; a session inside it or a heartbeat is use', async () => {
      const unused = await servedInstance('unused');
      const inUse = await servedInstance('in-use');
      const warned: string[] = [];
      idle.onDidWarn(({ instance }) => warned.push(instance.name));
      const firstSight = clock.now();
      assert.deepEqual(await idle.review(await sweep(0)), [], 'never used (heartbeat 0), and just seen running');

      await setHeartbeat(unused, firstSight - 60 * MINUTE);
      await setHeartbeat(inUse, firstSight + 25 * MINUTE);
      // A command entered from outside, as a terminal or Dev Containers attach would be: `docker exec`.
      const session = await docker.getContainer(unused.metadata.containerId!).exec({ Cmd: ['sleep', '3'] });
      await session.start({ Detach: true });
      assert.deepEqual(await idle.review(await sweep(31)), []);
      assert.deepEqual(warned, [], 'a session runs inside "unused"; "in-use" has a recent heartbeat');

      await pollUntil(async () => ((await session.inspect()).Running ? undefined : true), { what: 'the session inside "unused" to end', timeoutMs: 20_000 });
      await setHeartbeat(inUse, clock.now() + 27 * MINUTE);
      assert.deepEqual(await idle.review(await sweep(28)), [], 'announced, not stopped yet');
      assert.deepEqual(warned, ['unused'], 'unused for 28 minutes since the session was last seen');
      const stops = await idle.review(await sweep(3));
      assert.deepEqual(
        stops.map((stop) => [stop.instance.name, Math.round(stop.idleMs / MINUTE)]),
        [['unused', 31]],
      );
      const stopped = core.controller.get(unused.id);
      assert.equal(stopped.status, 'stopped');
      assert.equal(stopReasonOf(stopped), 'inactivity');
      assert.equal((await docker.getContainer(stopped.metadata.containerId!).inspect()).State.Running, false);
      assert.equal(core.controller.get(inUse.id).status, 'running');
      assert.equal(stopReasonOf(core.controller.get(inUse.id)), undefined);

      await core.controller.start(unused.id);
      assert.equal(stopReasonOf(core.controller.get(unused.id)), undefined, 'starting it again clears the reason');
    });
  });
});

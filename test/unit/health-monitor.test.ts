import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { HealthMonitor, type HealthEvent } from '../../src/core/health/healthMonitor';
import { parseHealthSettings, type HealthSettings } from '../../src/core/health/healthSettings';
import type { Instance } from '../../src/core/models';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { FakeClock } from '../support/fakeClock';
import { HealthzServer } from '../support/healthzServer';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

describe('HealthMonitor (local HTTP servers, fake clock)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let provider: MemoryProvider;
  let core: CoreHarness;
  let clock: FakeClock;
  let settings: HealthSettings;
  let monitor: HealthMonitor;
  let events: HealthEvent[];
  const servers: HealthzServer[] = [];

  beforeEach(async () => {
    temp = makeTempDir();
    provider = new MemoryProvider();
    core = await makeCore(temp.path, { memory: () => provider });
    clock = new FakeClock();
    settings = { ...parseHealthSettings({}), failureThreshold: 3, successThreshold: 2, timeoutMs: 2000, recoveryBackoffMs: 60_000, maxRecoveryAttempts: 2 };
    monitor = new HealthMonitor({ controller: core.controller, listings: core.swarm.listings, settings: () => settings, clock });
    events = [];
    monitor.onEvent((event) => events.push(event));
  });

  afterEach(async () => {
    monitor.dispose();
    core.dispose();
    temp.remove();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  /** An instance whose /healthz is served by a real local server (its own, unless one is given). */
  async function instanceServedBy(name: string, options: { server?: HealthzServer; template?: string } = {}): Promise<{ instance: Instance; server: HealthzServer }> {
    const server = options.server ?? (await HealthzServer.start());
    if (!options.server) servers.push(server);
    provider.ideUrls.set(name, server.url);
    return { instance: await core.controller.create({ provider: 'memory', name, template: options.template }), server };
  }

  /** Sweeps n times, a minute apart on the fake clock. */
  async function sweeps(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      clock.advance(60_000);
      await monitor.sweep();
    }
  }

  it('turns HEALTHY at the first passing check and UNHEALTHY only after failureThreshold failures in a row', async () => {
    settings.autoRecovery = false;
    const { instance, server } = await instanceServedBy('web');
    assert.equal(monitor.statusOf(instance.id), 'UNKNOWN');
    await sweeps(1);
    assert.equal(monitor.statusOf(instance.id), 'HEALTHY');

    server.behaviour = { answer: 'json', status: 503 };
    await sweeps(2);
    assert.equal(monitor.statusOf(instance.id), 'HEALTHY', 'two failures are not enough');
    server.behaviour = { answer: 'json' };
    await sweeps(1);
    server.behaviour = { answer: 'json', status: 503 };
    await sweeps(2);
    assert.equal(monitor.statusOf(instance.id), 'HEALTHY', 'a pass in between starts the count again');
    await sweeps(1);
    assert.equal(monitor.statusOf(instance.id), 'UNHEALTHY');
    assert.deepEqual(
      events.map((event) => event.kind),
      ['unhealthy'],
    );
    assert.match((events[0] as Extract<HealthEvent, { kind: 'unhealthy' }>).error ?? '', /\/healthz answered HTTP 503/);

    server.behaviour = { answer: 'json' };
    await sweeps(1);
    assert.equal(monitor.statusOf(instance.id), 'UNHEALTHY', 'one pass is not enough to be healthy again');
    await sweeps(1);
    assert.equal(monitor.statusOf(instance.id), 'HEALTHY');
  });

  it('counts a server that stops answering, and one that answers too late, as failures', async () => {
    settings.autoRecovery = false;
    settings.failureThreshold = 1;
    settings.timeoutMs = 200;
    const refused = await instanceServedBy('refused');
    const late = await instanceServedBy('late');
    await refused.server.close();
    late.server.behaviour = { answer: 'json', delayMs: 1000 };
    await sweeps(1);
    const refusedRecord = monitor.recordOf(refused.instance.id)!;
    const lateRecord = monitor.recordOf(late.instance.id)!;
    assert.equal(refusedRecord.health, 'UNHEALTHY');
    assert.equal(refusedRecord.samples[0]!.error, 'connection refused');
    assert.equal(refusedRecord.samples[0]!.reachable, false);
    assert.equal(lateRecord.health, 'UNHEALTHY');
    assert.equal(lateRecord.samples[0]!.error, 'no answer within 0.2 s');
  });

  /** Resolves once the condition holds; fails after deadlineMs of real time. */
  async function until(condition: () => boolean, what: string, deadlineMs = 10_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`not within ${deadlineMs} ms: ${what}`);
      await delay(2);
    }
  }

  /** Once the startup watch of each new instance has had its answer, the servers count the health checks' requests only. */
  async function afterStartup(server: HealthzServer, instances: number): Promise<void> {
    await until(() => server.requests >= instances, 'every new instance answered its startup probe');
    server.requests = 0;
    server.maxConcurrent = 0;
  }

  it('counts an instance its provider reports in error as failing, and one whose provider cannot be asked as UNKNOWN', async () => {
    settings.autoRecovery = false;
    settings.failureThreshold = 1;
    const { instance } = await instanceServedBy('crashed');
    await sweeps(1);
    provider.instances.get(instance.id)!.instance.status = 'error';
    await sweeps(1);
    assert.equal(monitor.statusOf(instance.id), 'UNHEALTHY');
    assert.equal(monitor.recordOf(instance.id)!.samples[1]!.error, 'Memory reports it error');

    provider.unavailable = true;
    core.pool.reset();
    await sweeps(1);
    assert.equal(monitor.statusOf(instance.id), 'UNKNOWN');
    assert.match(monitor.recordOf(instance.id)!.samples[2]!.error ?? '', /^memory could not be asked: memory provider is switched off/);
  });

  it('records an instance stopped outside Remote Swarm as stopped, and neither checks nor restarts it', async () => {
    settings.failureThreshold = 1;
    const { instance, server } = await instanceServedBy('stopped-by-hand');
    await afterStartup(server, 1);
    await sweeps(1);
    assert.equal(monitor.statusOf(instance.id), 'HEALTHY');
    provider.instances.get(instance.id)!.instance.status = 'stopped';
    await sweeps(5);
    assert.equal(core.controller.get(instance.id).status, 'stopped', 'the registry says what the provider says');
    assert.equal(monitor.recordOf(instance.id), undefined, 'no longer checked');
    assert.equal(server.requests, 1, 'probed only while it ran');
    assert.deepEqual(provider.calls.filter((call) => call.startsWith('restart:')), []);
    assert.deepEqual(
      events.map((event) => [event.kind, event.instance.name]),
      [['stopped-outside', 'stopped-by-hand']],
    );
    assert.equal(monitor.snapshot().instances[0]!.monitored, false);
  });

  it('keeps historySize checks with availability, error rate and response times', async () => {
    settings.autoRecovery = false;
    settings.historySize = 4;
    const { instance, server } = await instanceServedBy('stats');
    await sweeps(2);
    server.behaviour = { answer: 'json', status: 500 };
    await sweeps(1);
    await server.close();
    await sweeps(1);
    const view = monitor.snapshot().instances.find((candidate) => candidate.id === instance.id)!;
    assert.equal(view.latency.length, 4);
    assert.equal(view.statistics.checks, 4);
    assert.equal(view.statistics.availability, 3 / 4, 'the 500 answered; the refused connection did not');
    assert.equal(view.statistics.errorRate, 2 / 4);
    assert.equal(view.latency[3]!.ms, null);
    assert.ok(view.statistics.averageResponseMs! > 0);
    assert.deepEqual(view.recentErrors.map((error) => error.message), ['connection refused', '/healthz answered HTTP 500']);

    await sweeps(3);
    assert.equal(monitor.recordOf(instance.id)!.samples.length, 4, 'the ring buffer keeps only the newest');
  });

  it('checks at most `concurrency` instances at once', async () => {
    settings.concurrency = 3;
    const shared = await HealthzServer.start({ answer: 'json', delayMs: 50 });
    servers.push(shared);
    for (let i = 0; i < 10; i++) await instanceServedBy(`worker-${i}`, { server: shared });
    await sweeps(1);
    assert.equal(shared.requests, 10);
    assert.equal(shared.maxConcurrent, 3);
  });

  it('probes the instances that answer while others hang: a sweep takes the hanging probes\' timeout, not the sum of them', async function () {
    // Real timeouts of seconds: longer than mocha's default for unit tests.
    this.timeout(15_000);
    settings.autoRecovery = false;
    settings.timeoutMs = 2000;
    const hanging = await HealthzServer.start({ answer: 'json' });
    const answering = await HealthzServer.start({ answer: 'json' });
    servers.push(hanging, answering);
    core.settings.maxInstances = 80;
    // More hanging instances than the old default of 16 slots, named so that they come first.
    for (let i = 0; i < 40; i++) await instanceServedBy(`hang-${i}`, { server: hanging });
    for (let i = 0; i < 40; i++) await instanceServedBy(`ok-${i}`, { server: answering });
    await afterStartup(hanging, 40);
    await afterStartup(answering, 40);
    hanging.behaviour = { answer: 'never' };

    const started = performance.now();
    clock.advance(60_000);
    const sweep = monitor.sweep();
    await until(() => answering.requests === 40, 'every answering instance probed');
    const answeredWithin = performance.now() - started;
    const checked = await sweep;
    const sweptWithin = performance.now() - started;
    assert.ok(answeredWithin < settings.timeoutMs, `the answering ones were probed within ${answeredWithin} ms, before the hanging ones timed out`);
    assert.ok(sweptWithin < settings.timeoutMs + 1000, `the sweep took ${sweptWithin} ms: one timeout, plus less than a second`);
    assert.equal(hanging.maxConcurrent, 40, 'every hanging probe waited at the same time');
    const outcomes = new Map<string, number>();
    for (const { instance, sample } of checked) {
      const key = `${instance.name.split('-')[0]} ${sample.outcome}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...outcomes], [
      ['hang fail', 40],
      ['ok pass', 40],
    ]);
  });

  it('probes first the instances that made the last sweep wait', async function () {
    // Real timeouts of seconds: longer than mocha's default for unit tests.
    this.timeout(15_000);
    settings.autoRecovery = false;
    settings.concurrency = 2;
    settings.timeoutMs = 3000;
    const slow = await HealthzServer.start({ answer: 'json', delayMs: 400 });
    const hanging = await HealthzServer.start({ answer: 'json' });
    servers.push(slow, hanging);
    for (let i = 0; i < 4; i++) await instanceServedBy(`slow-${i}`, { server: slow });
    await instanceServedBy('hanging', { server: hanging });
    await afterStartup(slow, 4);
    await afterStartup(hanging, 1);
    hanging.behaviour = { answer: 'never' };
    await sweeps(1);
    assert.deepEqual([slow.requests, hanging.requests], [4, 1]);

    clock.advance(60_000);
    const sweep = monitor.sweep();
    await until(() => hanging.requests === 2, 'the hanging instance probed again');
    assert.ok(slow.requests <= 5, `the hanging instance went first, beside one slow one (${slow.requests - 4} slow probed)`);
    await sweep;
  });

  it('bounds what a provider may keep a sweep waiting for by the timeout: its listing, and its CPU and memory figures', async () => {
    settings.autoRecovery = false;
    settings.timeoutMs = 300;
    const { instance } = await instanceServedBy('measured');
    let failedLate = 0;
    // Fails after the sweep stopped waiting for it: the failure reaches nobody (mocha would report an unhandled one).
    const late = () =>
      new Promise<never>((_resolve, reject) =>
        setTimeout(() => {
          failedLate += 1;
          reject(new Error('too late'));
        }, 500),
      );
    const list = provider.listInstances;
    provider.listInstances = late;
    await sweeps(1);
    assert.equal(monitor.statusOf(instance.id), 'UNKNOWN');
    assert.equal(monitor.recordOf(instance.id)!.samples[0]!.error, 'memory did not list its instances within 0.3 s');

    provider.listInstances = list;
    Object.assign(provider, { getInstanceStats: late });
    await sweeps(1);
    const sample = monitor.recordOf(instance.id)!.samples[1]!;
    assert.equal(sample.outcome, 'pass');
    assert.equal(sample.usage, undefined, 'a gap in the chart');
    await until(() => failedLate === 2, 'both late calls failed');
  });

  it('fails a check whose exec probe does not finish within the timeout, and stops waiting for it', async () => {
    settings.autoRecovery = false;
    settings.failureThreshold = 1;
    settings.timeoutMs = 300;
    settings.execProbe = ['pgrep', 'code-server'];
    const { instance } = await instanceServedBy('stuck-exec');
    const aborted: boolean[] = [];
    Object.assign(provider, {
      executeCommand: (_id: string, _argv: readonly string[], { signal }: { signal: AbortSignal }) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => (aborted.push(true), reject(new Error('exec cancelled'))))),
    });
    await sweeps(1);
    assert.equal(monitor.recordOf(instance.id)!.samples[0]!.error, 'exec probe `pgrep code-server` failed: no result within 0.3 s');
    assert.deepEqual(aborted, [true], 'the command was told to stop');
  });

  it('reuses the listing of a refresh just made, so a refresh and a sweep list the provider once; an operation makes it list again', async () => {
    const { instance } = await instanceServedBy('web');
    const lists = () => provider.calls.filter((call) => call === 'list').length;
    const before = lists();
    await core.swarm.refresher.refresh();
    await core.swarm.sweepNow();
    assert.equal(lists() - before, 1, 'the sweep used the refresh\'s listing');
    assert.equal(core.swarm.health.statusOf(instance.id), 'HEALTHY');

    await core.controller.restart(instance.id);
    await core.swarm.sweepNow();
    assert.equal(lists() - before, 2, 'after the restart the sweep listed afresh');
    await core.swarm.sweepNow();
    assert.equal(lists() - before, 3, 'a sweep does not reuse its own listing');
  });

  it('leaves stopped instances and instances with an operation in flight alone', async () => {
    const stopped = await instanceServedBy('stopped');
    const busy = await instanceServedBy('busy');
    await core.controller.stop(stopped.instance.id);
    let release!: () => void;
    provider.gate = new Promise((resolve) => (release = resolve));
    const restarting = core.controller.restart(busy.instance.id);
    await sweeps(1);
    release();
    await restarting;
    assert.equal(stopped.server.requests, 0);
    assert.equal(busy.server.requests, 0);
    assert.equal(monitor.snapshot().instances.find((view) => view.name === 'stopped')!.monitored, false);
  });

  describe('auto-recovery', () => {
    beforeEach(() => {
      settings.failureThreshold = 2;
    });

    function restarts(): string[] {
      return provider.calls.filter((call) => call.startsWith('restart:') && call.endsWith(':end'));
    }

    it('restarts an unhealthy instance, and it counts as recovered once its checks pass again', async () => {
      const { instance, server } = await instanceServedBy('flaky');
      await sweeps(1);
      server.behaviour = { answer: 'json', status: 502 };
      await sweeps(2);
      assert.equal(restarts().length, 1, 'restarted as soon as it turned unhealthy');
      assert.equal(monitor.statusOf(instance.id), 'RECOVERING');
      const [attempt] = monitor.recordOf(instance.id)!.recoveryAttempts;
      assert.deepEqual(attempt, { at: clock.now(), attempt: 1, result: 'restarted' });

      server.behaviour = { answer: 'json' };
      await sweeps(1);
      assert.equal(monitor.statusOf(instance.id), 'RECOVERING', 'one pass is not proof yet');
      await sweeps(1);
      assert.equal(monitor.statusOf(instance.id), 'HEALTHY');
      assert.deepEqual(
        events.map((event) => event.kind),
        ['unhealthy', 'recovery-attempt', 'recovered'],
      );
    });

    it('waits longer after each attempt and gives up after the maximum, saying so once', async () => {
      settings.maxRecoveryAttempts = 3;
      settings.recoveryBackoffMs = 5 * 60_000;
      const { instance, server } = await instanceServedBy('broken');
      server.behaviour = { answer: 'json', status: 500 };
      const attemptTimes: number[] = [];
      monitor.onEvent((event) => event.kind === 'recovery-attempt' && attemptTimes.push(event.attempt.at));
      const started = clock.now();
      await sweeps(40);
      assert.deepEqual(
        attemptTimes.map((at) => (at - started) / 60_000),
        [2, 7, 17],
        'first at once, then 5 min and 10 min after the attempt before (each due at the first sweep after)',
      );
      assert.equal(restarts().length, 3);
      assert.equal(events.filter((event) => event.kind === 'recovery-gave-up').length, 1);
      const gaveUp = events.find((event) => event.kind === 'recovery-gave-up') as Extract<HealthEvent, { kind: 'recovery-gave-up' }>;
      assert.equal(gaveUp.attempts.length, 3);
      assert.match(gaveUp.error ?? '', /HTTP 500/);
      assert.equal(monitor.statusOf(instance.id), 'UNHEALTHY');
      assert.equal(monitor.recordOf(instance.id)!.recoveryAttempts.length, 3, 'every attempt is recorded');
    });

    it('records a restart that fails; an instance found gone is no longer checked', async () => {
      const { instance, server } = await instanceServedBy('gone');
      provider.instances.delete(instance.id);
      await sweeps(2);
      const attempt = events.find((event) => event.kind === 'recovery-attempt') as Extract<HealthEvent, { kind: 'recovery-attempt' }>;
      assert.deepEqual(attempt.attempt, { at: clock.now(), attempt: 1, result: 'failed', error: `no ${instance.id}` });
      assert.equal(core.registry.get(instance.id)?.status, 'missing', 'the failed restart told the registry');
      await sweeps(3);
      assert.equal(monitor.recordOf(instance.id), undefined);
      assert.equal(server.requests, 0, 'never probed: its provider did not have it');
    });

    describe('the hourly restart budget', () => {
      /** Sweeps a minute apart for `minutes`; the server fails the first two sweeps of every `period` minutes and answers otherwise. */
      async function flap(server: HealthzServer, minutes: number, period: number): Promise<void> {
        for (let minute = 0; minute < minutes; minute++) {
          server.behaviour = minute % period < 2 ? { answer: 'json', status: 500 } : { answer: 'json' };
          await sweeps(1);
        }
      }

      function alerts(): Extract<HealthEvent, { kind: 'recovery-gave-up' }>[] {
        return events.filter((event) => event.kind === 'recovery-gave-up');
      }

      it('gives a flapping instance at most maxRestartsPerHour restarts, then one alert, and none until the user restarts it', async () => {
        settings.maxRestartsPerHour = 3;
        const { instance, server } = await instanceServedBy('flapping');
        // It fails twice (turns UNHEALTHY, is restarted), answers twice (HEALTHY again: a new episode), and so on.
        await flap(server, 60, 4);
        assert.equal(restarts().length, 3, 'three restarts in the hour (without the budget: 15)');
        assert.equal(alerts().length, 1);
        const [alert] = alerts();
        assert.equal(alert!.reason, 'hourly-budget');
        assert.deepEqual(
          alert!.attempts.map((attempt) => attempt.result),
          ['restarted', 'restarted', 'restarted'],
        );
        assert.match(alert!.error ?? '', /HTTP 500/);
        const later = events.filter((event) => event.kind === 'unhealthy').slice(4);
        assert.ok(later.length > 0 && later.every((event) => !event.autoRecovery && event.suspended), 'later unhealthy spells say nothing will restart it, and were alerted already');

        await flap(server, 120, 4);
        assert.equal(restarts().length, 3, 'still held back two hours on');
        assert.equal(alerts().length, 1, 'one alert, not one per spell');

        await core.controller.restart(instance.id);
        const byUser = restarts().length;
        await flap(server, 8, 4);
        assert.equal(restarts().length, byUser + 2, 'a restart by the user gives it a fresh budget');
        assert.equal(monitor.recordOf(instance.id)!.recoveryAttempts.length, 5, "the monitor's own restarts, not the user's");
      });

      it('takes a start or restart in another of the user\'s processes as the user acting, as one in this process', async () => {
        settings.maxRestartsPerHour = 2;
        const { instance, server } = await instanceServedBy('elsewhere');
        await flap(server, 60, 4);
        assert.equal(restarts().length, 2);
        assert.equal(alerts().length, 1);

        // What another window's restart shares with this one: the instance restarting, then running again.
        const later = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
        const current = core.controller.get(instance.id);
        core.registry.applyRemote(instance.id, { ...current, status: 'restarting', updatedAt: later(1) }, Date.now());
        core.registry.applyRemote(instance.id, { ...current, status: 'running', updatedAt: later(2) }, Date.now());
        await flap(server, 8, 4);
        assert.equal(restarts().length, 4, 'a fresh budget of two');
      });

      it('counts over a rolling hour: an instance restarted every 25 minutes is never held back', async () => {
        settings.maxRestartsPerHour = 3;
        const { server } = await instanceServedBy('now-and-then');
        await flap(server, 180, 25);
        assert.equal(restarts().length, 8);
        assert.deepEqual(alerts(), []);
      });
    });

    it('is off for a template that turns it off, and the unhealthy event says so', async () => {
      settings.autoRecoveryByTemplate = { development: false };
      const { instance, server } = await instanceServedBy('manual', { template: 'development' });
      const other = await instanceServedBy('automatic', { template: 'agent' });
      server.behaviour = other.server.behaviour = { answer: 'json', status: 500 };
      await sweeps(5);
      assert.ok(restarts().includes(`restart:${other.instance.id}:end`));
      assert.ok(!restarts().includes(`restart:${instance.id}:end`));
      assert.equal(monitor.statusOf(instance.id), 'UNHEALTHY');
      const unhealthy = events.filter((event) => event.kind === 'unhealthy');
      assert.deepEqual(
        unhealthy.map((event) => [event.instance.name, event.autoRecovery, event.error]),
        [
          ['automatic', true, '/healthz answered HTTP 500'],
          ['manual', false, '/healthz answered HTTP 500'],
        ],
      );
    });
  });
});

import assert from 'node:assert/strict';
import { READINESS_POLL_MS, STARTUP_GRACE_MS } from '../../src/core/health/instanceStartup';
import type { Instance } from '../../src/core/models';
import { SwarmError } from '../../src/core/errors';
import { pollUntil } from '../e2e/harness/poll';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { FakeClock } from '../support/fakeClock';
import { HealthzServer } from '../support/healthzServer';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

describe('A starting instance (local HTTP server as its code-server, fake clock)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let provider: MemoryProvider;
  let core: CoreHarness;
  let clock: FakeClock;
  let server: HealthzServer;

  beforeEach(async () => {
    temp = makeTempDir();
    provider = new MemoryProvider();
    clock = new FakeClock();
    core = await makeCore(temp.path, { memory: () => provider }, { clock });
    // code-server is not up yet: the container runs, but nothing answers /healthz with 2xx.
    server = await HealthzServer.start({ answer: 'json', status: 502 });
    provider.ideUrls.set('web', server.url);
  });

  afterEach(async () => {
    core.dispose();
    temp.remove();
    await server.close();
  });

  const startup = () => core.swarm.startup;
  const statistics = (id: string) => core.swarm.health.snapshot().instances.find((view) => view.id === id)!.statistics;

  /** Moves the clock on a readiness poll at a time (letting the probes answer in between) until `done`. */
  async function pollsUntil(what: string, done: () => boolean): Promise<void> {
    await pollUntil(
      () => {
        if (done()) return true;
        clock.advance(READINESS_POLL_MS);
        return undefined;
      },
      { what, timeoutMs: 5000, intervalMs: 10 },
    );
  }

  it('is starting from create until its /healthz answers 2xx, then running, watched a probe a second', async () => {
    const changes: boolean[] = [];
    const instance = await core.controller.create({ provider: 'memory', name: 'web' });
    startup().onDidChange(() => changes.push(startup().isStarting(instance.id)));
    assert.equal(instance.status, 'running', 'the provider reports the container running');
    assert.equal(startup().isStarting(instance.id), true);

    await pollsUntil('three probes of /healthz', () => server.requests >= 3);
    assert.equal(startup().isStarting(instance.id), true, 'still no 2xx from /healthz');

    server.behaviour = { answer: 'json' };
    await pollsUntil('the instance to have started', () => !startup().isStarting(instance.id));
    assert.deepEqual(changes, [false]);
  });

  it('does not count the checks that fail while it starts: availability and error rate count from the first that passes', async () => {
    const instance = await core.controller.create({ provider: 'memory', name: 'web' });
    await core.swarm.health.sweep();
    await core.swarm.health.sweep();
    assert.deepEqual(statistics(instance.id), { checks: 0 });
    assert.equal(core.swarm.health.statusOf(instance.id), 'UNKNOWN');

    server.behaviour = { answer: 'json' };
    await core.swarm.health.sweep();
    assert.equal(startup().isStarting(instance.id), false, 'the first passing check ends starting');
    assert.equal(statistics(instance.id).checks, 1);
    assert.equal(statistics(instance.id).availability, 1);
    assert.equal(statistics(instance.id).errorRate, 0);

    server.behaviour = { answer: 'json', status: 503 };
    await core.swarm.health.sweep();
    assert.equal(statistics(instance.id).errorRate, 0.5, 'once started, a failed check counts');
  });

  it('counts failed checks once the grace period is over, so an instance that never serves still turns unhealthy', async () => {
    core.otherSettings.health = { autoRecovery: false, failureThreshold: 1 };
    const instance = await core.controller.create({ provider: 'memory', name: 'web' });
    await core.swarm.health.sweep();
    assert.equal(statistics(instance.id).checks, 0);

    clock.advance(STARTUP_GRACE_MS);
    assert.equal(startup().isStarting(instance.id), false);
    await core.swarm.health.sweep();
    assert.equal(statistics(instance.id).errorRate, 1);
    assert.equal(core.swarm.health.statusOf(instance.id), 'UNHEALTHY');
  });

  it('starts again on a restart, and Open can wait for it: untilReady resolves once it serves', async () => {
    server.behaviour = { answer: 'json' };
    const instance = await core.controller.create({ provider: 'memory', name: 'web' });
    await core.swarm.startup.untilReady(instance.id);
    assert.equal(startup().isStarting(instance.id), false);

    server.behaviour = { answer: 'json', status: 502 };
    await core.controller.restart(instance.id);
    assert.equal(startup().isStarting(instance.id), true);
    let ready = false;
    const waiting = core.swarm.startup.untilReady(instance.id).then(() => (ready = true));
    const asked = server.requests;
    await pollsUntil('two more probes of /healthz', () => server.requests >= asked + 2);
    assert.equal(ready, false);
    server.behaviour = { answer: 'json' };
    await pollsUntil('untilReady to resolve', () => ready);
    await waiting;
    assert.equal(startup().isStarting(instance.id), false);
  });

  it('is no longer starting when it is stopped; waiting for it then fails saying so', async () => {
    const instance = await core.controller.create({ provider: 'memory', name: 'web' });
    await core.controller.stop(instance.id);
    await assert.rejects(core.swarm.startup.untilReady(instance.id), (error: unknown) => SwarmError.is(error, 'CONFLICT') && /"web" is stopped/.test(error.message));
    assert.equal(startup().isStarting(instance.id), false);
  });
});

describe('Starting instances created together (in-memory provider, a probe the test holds)', () => {
  it('are probed at most health.concurrency at a time, and each starts once its probe answers', async () => {
    const temp = makeTempDir();
    let inFlight = 0;
    let most = 0;
    let answer!: () => void;
    const answering = new Promise<void>((resolve) => (answer = resolve));
    const probe = async () => {
      most = Math.max(most, ++inFlight);
      await answering;
      inFlight -= 1;
      return { statusCode: 200, responseTimeMs: 1 };
    };
    const core = await makeCore(temp.path, { memory: () => new MemoryProvider() }, { probe });
    core.otherSettings.health = { concurrency: 3 };
    try {
      const created: Instance[] = [];
      for (let index = 0; index < 8; index++) created.push(await core.controller.create({ provider: 'memory', name: `web-${index}` }));
      await pollUntil(() => (inFlight === 3 || undefined), { what: 'three readiness probes in flight', timeoutMs: 5000, intervalMs: 10 });
      assert.equal(most, 3, 'no more than health.concurrency readiness probes at once');

      answer();
      await pollUntil(() => created.every((instance) => !core.swarm.startup.isStarting(instance.id)) || undefined, { what: 'every instance to have started', timeoutMs: 5000, intervalMs: 10 });
      assert.equal(most, 3);
    } finally {
      core.dispose();
      temp.remove();
    }
  });
});

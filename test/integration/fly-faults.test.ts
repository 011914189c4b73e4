import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SwarmError, type SwarmErrorCode } from '../../src/core/errors';
import { FlyClient } from '../../src/providers/fly/flyClient';
import { type FlyProvider } from '../../src/providers/fly/flyProvider';
import { FlyError } from '../../src/providers/fly/flyErrors';
import { waitForMachineState } from '../../src/providers/fly/flyWait';
import { swarmError } from '../support/swarmAssertions';
import type { FlyEmulator } from '../support/flyEmulator';
import { FakeClock } from '../support/fakeClock';
import { makeCore } from '../support/coreHarness';
import { emulatorEndpoint, newFlyInstance, testAppName, testFlyClient, testFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';
import { makeTempDir } from '../support/tempDir';

const NOTHING_LEFT = { apps: [], machines: 0, volumes: 0, ips: 0 };

/**
 * Faults injected into the emulator. The provider's client runs on a fake clock, so its backoff costs no real time;
 * the emulator's own rate limits are off here (the rate-limit suite covers them with real time).
 */
describe('Fly provider under injected faults', function () {
  this.timeout(20_000);
  let endpoint: EmulatorEndpoint;
  let emulator: FlyEmulator;
  let clock: FakeClock;
  let provider: FlyProvider;

  before(async () => {
    endpoint = await emulatorEndpoint({ rateLimitScale: 0 });
    emulator = endpoint.emulator;
  });

  beforeEach(async () => {
    clock = new FakeClock({ start: 0, instantSleeps: true });
    provider = testFlyProvider(endpoint, { client: { clock } });
    await provider.initialize();
  });

  afterEach(() => {
    emulator.faults.clear();
    emulator.setTransitionDelay(10);
    assert.deepEqual(emulator.inventory(), NOTHING_LEFT, 'every test leaves nothing behind');
  });

  after(async () => {
    await endpoint?.close();
  });

  const sent = (operation: string) => emulator.requests.filter((request) => request.operation === operation).length;

  async function createAndDelete(request = newFlyInstance(endpoint)) {
    const created = await provider.createInstance(request);
    await provider.deleteInstance(request.id, { keepWorkspace: false });
    return created;
  }

  describe('retries', () => {
    it('waits out a 429 for as long as Retry-After says, then succeeds', async () => {
      emulator.faults.rateLimited('machines.create', 2);
      const before = sent('machines.create');
      await createAndDelete();
      assert.equal(sent('machines.create') - before, 2);
      assert.ok(clock.sleeps.includes(2000), `backed off ${clock.sleeps.join(', ')} ms`);
    });

    it('retries 503 insufficient_capacity, and gives up at the attempt limit with what to do', async () => {
      emulator.faults.insufficientCapacity('machines.create', 2);
      await createAndDelete();
      emulator.faults.insufficientCapacity('machines.create', 10);
      const before = sent('machines.create');
      await assert.rejects(provider.createInstance(newFlyInstance(endpoint)), swarmError('RESOURCE_LIMIT_EXCEEDED', /no capacity .* in region iad \(after 4 attempts\)\. Try another region/));
      assert.equal(sent('machines.create') - before, 4, 'stops at the limit');
    });

    it('retries a read whose connection was reset', async () => {
      const { id, config } = newFlyInstance(endpoint);
      await provider.createInstance({ id, config });
      emulator.faults.connectionReset('machines.list', 'before');
      const before = sent('machines.list');
      assert.equal((await provider.getInstance(id))?.status, 'running');
      assert.equal(sent('machines.list') - before, 2);
      await provider.deleteInstance(id, { keepWorkspace: false });
    });

    for (const [status, body] of [
      [401, { error: 'token expired' }],
      [404, { error: 'app not found' }],
      [409, { error: 'lease currently held' }],
      [412, { error: 'stale metadata version' }],
      [422, { error: 'invalid config' }],
    ] as const) {
      it(`does not retry a ${status}`, async () => {
        emulator.faults.reply('volumes.create', status, body, 5);
        const before = sent('volumes.create');
        await assert.rejects(provider.createInstance(newFlyInstance(endpoint)), SwarmError);
        assert.equal(sent('volumes.create') - before, 1);
        assert.deepEqual(clock.sleeps, []);
      });
    }
  });

  describe('a create that fails midway leaves no app, volume, machine or IP behind', () => {
    const steps: [string, SwarmErrorCode][] = [
      ['secrets.set', 'INVALID_CONFIG'],
      ['volumes.create', 'INVALID_CONFIG'],
      ['ips.allocate', 'INVALID_CONFIG'],
      ['machines.create', 'INVALID_CONFIG'],
      ['machine.wait', 'INVALID_CONFIG'],
    ];
    for (const [operation, code] of steps) {
      it(`when ${operation} fails`, async () => {
        emulator.faults.reply(operation, 422, { error: `refused ${operation}` });
        await assert.rejects(provider.createInstance({ ...newFlyInstance(endpoint), password: 'pw' }), swarmError(code, new RegExp(`refused ${operation}`)));
      });
    }

    it('when the second IP address fails', async () => {
      emulator.faults.pass('ips.allocate').reply('ips.allocate', 422, { error: 'no more IPv4' });
      await assert.rejects(provider.createInstance(newFlyInstance(endpoint)), swarmError('INVALID_CONFIG', /no more IPv4/));
      assert.equal(emulator.requests.filter((r) => r.operation === 'ips.allocate').at(-1)?.status, 422);
    });

    it('when the answer to creating the machine is lost after it was made (not retried: it is not idempotent)', async () => {
      emulator.faults.connectionReset('machines.create', 'after');
      const before = sent('machines.create');
      await assert.rejects(provider.createInstance(newFlyInstance(endpoint)), swarmError('PROVIDER_UNAVAILABLE', /cannot reach Fly\.io/));
      assert.equal(sent('machines.create') - before, 1);
    });

    it('when the answer to creating the app is lost after it was made', async () => {
      emulator.faults.connectionReset('apps.create', 'after');
      await assert.rejects(provider.createInstance(newFlyInstance(endpoint)), swarmError('PROVIDER_UNAVAILABLE'));
    });

    it('when the app name is taken: nothing of someone else\'s is deleted', async () => {
      const request = newFlyInstance(endpoint);
      emulator.reserveAppName(testAppName(request.id));
      const deletes = sent('app.delete');
      await assert.rejects(provider.createInstance(request), swarmError('CONFLICT', /app name is taken/));
      assert.equal(sent('app.delete'), deletes);
    });

    it('when the machine does not start within the deadline (a slow /wait)', async () => {
      emulator.setTransitionDelay(1500);
      const slow = testFlyProvider(endpoint, { startTimeoutSeconds: 1 });
      await slow.initialize();
      await assert.rejects(slow.createInstance(newFlyInstance(endpoint)), swarmError('OPERATION_FAILED', /did not reach state "started" within 1 s/));
    });

    it('when the machine fails to launch: at once, not at the start deadline, with its last event as the reason', async () => {
      const slowToGiveUp = testFlyProvider(endpoint, { startTimeoutSeconds: 300 });
      await slowToGiveUp.initialize();
      emulator.failNextLaunch('failed to pull image "remote-swarm/test-busybox:latest": not found');
      const started = performance.now();
      await assert.rejects(
        slowToGiveUp.createInstance(newFlyInstance(endpoint)),
        swarmError('OPERATION_FAILED', /failed to start \(state "failed"\): launch: failed, failed to pull image .*: not found\. `fly logs --app rs-test-/),
      );
      assert.ok(performance.now() - started < 5_000, 'the /wait ended on the failure');
    });

    it('when cancelled', async () => {
      const controller = new AbortController();
      const onProgress = (message: string) => {
        if (message.startsWith('Creating the machine')) controller.abort();
      };
      await assert.rejects(provider.createInstance(newFlyInstance(endpoint), { signal: controller.signal, onProgress }), swarmError('OPERATION_CANCELLED'));
    });

    it('when cancelled while Fly creates the app: the app it made is removed too', async () => {
      const controller = new AbortController();
      // Fly takes the request and makes the app; the cancel comes before its answer does.
      const answerLostToCancel: typeof fetch = async (input, init) => {
        const response = await fetch(input, { ...init, signal: null });
        const url = input instanceof Request ? input.url : String(input);
        if (init?.method === 'POST' && new URL(url).pathname.endsWith('/apps')) {
          controller.abort();
          throw new DOMException('This operation was aborted', 'AbortError');
        }
        return response;
      };
      const cancelling = testFlyProvider(endpoint, { client: { clock, fetch: answerLostToCancel } });
      await cancelling.initialize();
      const before = sent('apps.create');
      await assert.rejects(cancelling.createInstance(newFlyInstance(endpoint), { signal: controller.signal }), swarmError('OPERATION_CANCELLED'));
      assert.equal(sent('apps.create') - before, 1, 'Fly was asked for the app');
    });

    it('through the controller: no registry entry or password either', async () => {
      const temp = makeTempDir();
      const core = await makeCore(temp.path, { fly: () => testFlyProvider(endpoint, { client: { clock } }) });
      try {
        core.settings.defaultImage = endpoint.image;
        emulator.faults.reply('machines.create', 422, { error: 'image not allowed' });
        await assert.rejects(core.controller.create({ provider: 'fly', name: 'fly-broken' }), swarmError('INVALID_CONFIG', /image not allowed/));
        assert.equal(core.registry.size, 0);
        assert.deepEqual(JSON.parse(readFileSync(join(temp.path, 'secrets.json'), 'utf8')), {});
      } finally {
        core.dispose();
        temp.remove();
      }
    });

    it('and says exactly what is left when removing it fails too', async () => {
      const request = newFlyInstance(endpoint);
      emulator.faults.reply('machines.create', 422, { error: 'bad machine' }).reply('app.delete', 500, { error: 'database on fire' }, 4);
      let failure: SwarmError | undefined;
      await provider.createInstance(request).catch((error: SwarmError) => (failure = error));
      const app = testAppName(request.id);
      assert.equal(failure?.code, 'INVALID_CONFIG');
      assert.match(failure?.message ?? '', new RegExp(`bad machine.*Removing what was made failed too \\(database on fire \\(after 4 attempts\\)\\); still on Fly\\.io: app ${app} with volume vol_\\w+, IP addresses 2a09:[\\w:]+, a shared IPv4\\. Delete it with \`fly apps destroy ${app}\``));
      const leftovers = failure?.details.leftovers as { app: string; volume: string; machine?: string; ips: string[] };
      assert.equal(leftovers.app, app);
      assert.equal(leftovers.machine, undefined);
      assert.deepEqual(emulator.inventory(), { apps: [app], machines: 0, volumes: 1, ips: 2 });
      await testFlyClient(endpoint).deleteApp(app);
    });
  });

  it('a start whose launch fails ends at once with the reason, and the instance shows the error', async () => {
    const request = newFlyInstance(endpoint);
    await provider.createInstance(request);
    await provider.stopInstance(request.id);
    emulator.failNextLaunch('exec format error');
    await assert.rejects(provider.startInstance(request.id), swarmError('OPERATION_FAILED', /failed to start \(state "failed"\): launch: failed, exec format error/));
    assert.equal((await provider.getInstance(request.id))?.status, 'error');
    assert.equal((await provider.startInstance(request.id)).status, 'running', 'the next start works');
    await provider.deleteInstance(request.id, { keepWorkspace: false });
  });

  describe('slow answers', () => {
    let client: FlyClient;

    beforeEach(() => {
      client = new FlyClient({ apiUrl: endpoint.apiUrl, graphqlUrl: endpoint.graphqlUrl, token: endpoint.token, requestTimeoutMs: 300 });
    });

    async function stoppedMachine(): Promise<{ app: string; machineId: string; instanceId: string }> {
      const app = testAppName(`slow-${Date.now()}`);
      await client.createApp(app, endpoint.org);
      const machine = await client.createMachine(app, { region: 'iad', config: { image: 'busybox', guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 } }, skipLaunch: true });
      return { app, machineId: machine.id, instanceId: machine.instance_id };
    }

    it('gives up on a /wait that does not answer in time and asks again', async () => {
      const { app, machineId } = await stoppedMachine();
      await client.startMachine(app, machineId);
      emulator.faults.slow('machine.wait', 1500);
      const before = sent('machine.wait');
      await client.waitMachine(app, machineId, { states: ['started'], timeoutSeconds: 1 });
      assert.equal(sent('machine.wait') - before, 2);
      await client.deleteApp(app);
    });

    it('does not resend a start whose answer is late: it may have happened', async () => {
      const { app, machineId } = await stoppedMachine();
      emulator.faults.slow('machine.start', 1000);
      const before = sent('machine.start');
      await assert.rejects(client.startMachine(app, machineId), (error: FlyError) => error.category === 'network' && error.code === 'ETIMEDOUT');
      assert.equal(sent('machine.start') - before, 1);
      await client.deleteApp(app);
    });

    it('asks /wait again after a 408 until the deadline', async () => {
      const { app, machineId, instanceId } = await stoppedMachine();
      emulator.setTransitionDelay(1500);
      await client.startMachine(app, machineId);
      const before = emulator.requests.length;
      await waitForMachineState(client, app, { id: machineId, instance_id: instanceId }, 'started', { deadlineSeconds: 5, requestSeconds: 1 });
      const waits = emulator.requests.slice(before).filter((request) => request.operation === 'machine.wait').map((request) => request.status);
      assert.deepEqual(waits, [408, 200]);
      await client.deleteApp(app);
    });
  });
});

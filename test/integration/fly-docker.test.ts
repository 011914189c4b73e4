import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import Docker from 'dockerode';
import type { FlyProvider } from '../../src/providers/fly/flyProvider';
import { ensureTestImage, requireDocker, TEST_LABEL } from '../support/dockerTestEnv';
import type { FlyEmulator } from '../support/flyEmulator';
import { emulatorEndpoint, newFlyInstance, testFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';

/** Polls what a started machine serves on /healthz until it answers or the deadline passes. */
async function healthz(address: string | undefined, deadlineMs = 10_000): Promise<unknown> {
  assert.ok(address, 'the machine is started and published on a loopback port');
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const response = await fetch(new URL('healthz', address));
      if (response.ok) return await response.json();
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`${address}healthz did not answer within ${deadlineMs} ms`);
    await delay(50);
  }
}

describe('Fly provider on an emulator whose machines are Docker containers', function () {
  this.timeout(60_000);
  const docker = new Docker();
  let emulator: FlyEmulator;
  let provider: FlyProvider;
  let endpoint: EmulatorEndpoint;

  before(async () => {
    await requireDocker();
    ensureTestImage();
    endpoint = await emulatorEndpoint({ runtime: 'docker' });
    emulator = endpoint.emulator;
    provider = testFlyProvider(endpoint);
    await provider.initialize();
  });

  after(async () => {
    await endpoint?.close();
  });

  const containersOf = async (machineId: string) => docker.listContainers({ all: true, filters: { label: [TEST_LABEL], name: [`fly-emulator-${machineId}`] } });

  it('serves /healthz from a started machine, keeps the workspace volume across stop, start, restart and update, and runs exec', async () => {
    const { id, config } = newFlyInstance(endpoint);
    const created = await provider.createInstance({ id, config, password: 's3cret' });
    const app = created.metadata.app!;
    assert.deepEqual(await healthz(await emulator.machineAddress(app)), { status: 'alive', lastHeartbeat: 0 });

    const env = await provider.executeCommand(id, ['env']);
    assert.equal(env.exitCode, 0);
    assert.match(env.stdout, /^PASSWORD=s3cret$/m, 'the password reaches the machine as an app secret');
    assert.doesNotMatch(JSON.stringify(await provider.getInstance(id)), /s3cret/, 'and appears nowhere in what the API shows');

    await provider.executeCommand(id, ['touch', '/workspace/kept']);
    const inWorkspace = await provider.executeCommand(id, ['sh', '-c', 'pwd; echo "$GREETING"; exit 3'], { workdir: '/workspace', env: { GREETING: 'hello there' } });
    assert.deepEqual(inWorkspace, { stdout: '/workspace\nhello there\n', stderr: '', exitCode: 3 });

    await provider.stopInstance(id);
    assert.equal(await emulator.machineAddress(app), undefined);
    assert.equal((await containersOf(created.metadata.machineId!))[0]?.State, 'exited');
    await provider.startInstance(id);
    await healthz(await emulator.machineAddress(app));
    await provider.restartInstance(id);
    const updated = await provider.updateInstance(id, { ...config, env: { EDITOR: 'nano' } });
    assert.equal(updated.status, 'running');
    await healthz(await emulator.machineAddress(app));
    const after = await provider.executeCommand(id, ['sh', '-c', 'ls /workspace; echo "$EDITOR"']);
    assert.equal(after.stdout, 'kept\nnano\n', 'the workspace survived; the new env applies');

    await provider.deleteInstance(id, { keepWorkspace: false });
    assert.deepEqual(await containersOf(created.metadata.machineId!), []);
    const volumes = (await docker.listVolumes({ filters: { label: [TEST_LABEL], name: [`fly-emulator-${created.metadata.volume}`] } })).Volumes ?? [];
    assert.deepEqual(volumes, []);
  });

  it('reports a command on a stopped instance as CONFLICT', async () => {
    const { id, config } = newFlyInstance(endpoint);
    await provider.createInstance({ id, config });
    await provider.stopInstance(id);
    await assert.rejects(provider.executeCommand(id, ['true']), /not running; start it first/);
    await provider.deleteInstance(id, { keepWorkspace: false });
  });
});

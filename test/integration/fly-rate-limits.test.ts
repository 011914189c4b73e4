import assert from 'node:assert/strict';
import { FlyClient } from '../../src/providers/fly/flyClient';
import type { FlyEmulator } from '../support/flyEmulator';
import { FakeClock } from '../support/fakeClock';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { emulatorEndpoint, newFlyInstance, testAppName, testFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';
import { makeTempDir } from '../support/tempDir';

/** Fly's documented limits, in real time: the emulator answers 429 to whatever exceeds them. */
describe('Fly rate limits under bursts of 20 concurrent operations', function () {
  this.timeout(30_000);
  let endpoint: EmulatorEndpoint;
  let emulator: FlyEmulator;

  before(async () => {
    endpoint = await emulatorEndpoint({ rateLimitScale: 1 });
    emulator = endpoint.emulator;
  });

  after(async () => {
    await endpoint?.close();
  });

  const refusedSince = (start: number) => emulator.requests.slice(start).filter((request) => request.status === 429);

  it('20 lifecycle operations through the controller, 5 on each of 4 instances, stay within the limits', async () => {
    const temp = makeTempDir();
    let core: CoreHarness | undefined;
    try {
      core = await makeCore(temp.path, { fly: () => testFlyProvider(endpoint) });
      core.settings.defaultImage = endpoint.image;
      const controller = core.controller;
      const names = ['burst-a', 'burst-b', 'burst-c', 'burst-d'];
      await Promise.all(names.map((name) => controller.create({ provider: 'fly', name, overrides: { resources: { cpuCores: 1, memoryMB: 256, storageGB: 1 } } })));
      const start = emulator.requests.length;
      const operations = names.flatMap((name) => [controller.stop(name), controller.start(name), controller.restart(name), controller.stop(name), controller.start(name)]);
      const results = await Promise.allSettled(operations);
      assert.deepEqual(results.filter((result) => result.status === 'rejected'), []);
      assert.deepEqual(refusedSince(start), []);
      assert.deepEqual(names.map((name) => controller.get(name).status), ['running', 'running', 'running', 'running']);
      await Promise.all(names.map((name) => controller.delete(name, { keepWorkspace: false })));
    } finally {
      core?.dispose();
      temp.remove();
    }
  });

  it('20 concurrent reads of one machine are paced to a burst, then 5 a second', async () => {
    const client = new FlyClient({ apiUrl: endpoint.apiUrl, graphqlUrl: endpoint.graphqlUrl, token: endpoint.token });
    const provider = testFlyProvider(endpoint);
    await provider.initialize();
    const request = newFlyInstance(endpoint);
    const { metadata } = await provider.createInstance(request);
    const start = emulator.requests.length;
    const started = performance.now();
    await Promise.all(Array.from({ length: 20 }, () => client.getMachine(metadata.app!, metadata.machineId!)));
    const elapsed = performance.now() - started;
    assert.deepEqual(refusedSince(start), []);
    assert.ok(elapsed >= 2000, `paced over ${Math.round(elapsed)} ms, not less than 2 s`);
    await provider.deleteInstance(request.id, { keepWorkspace: false });
  });

  it('would be refused without the client\'s pacing', async () => {
    const unpaced = new FlyClient({
      apiUrl: endpoint.apiUrl,
      graphqlUrl: endpoint.graphqlUrl,
      token: endpoint.token,
      rateLimits: { default: { perSecond: 1000, burst: 1000 } },
      clock: new FakeClock({ start: 0, instantSleeps: true }),
    });
    const app = testAppName(`unpaced-${Date.now()}`);
    await unpaced.createApp(app, endpoint.org);
    const start = emulator.requests.length;
    await Promise.allSettled(Array.from({ length: 20 }, () => unpaced.listMachines(app)));
    assert.ok(refusedSince(start).length >= 17, `only ${refusedSince(start).length} refused`);
    await unpaced.deleteApp(app);
  });
});

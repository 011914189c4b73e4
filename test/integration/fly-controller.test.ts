import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { SwarmError } from '../../src/core/errors';
import { instancePasswordKey } from '../../src/core/stores';
import { FlyError } from '../../src/providers/fly/flyErrors';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { flyTestEndpoint, sweepTestApps, testFlyClient, testAppName, testFlyProvider, type FlyTestEndpoint } from '../support/flyTestEnv';
import { makeTempDir } from '../support/tempDir';

describe('SwarmController with the Fly provider (the emulator, or REMOTE_SWARM_FLY_API_URL)', function () {
  this.timeout(30_000);
  let endpoint: FlyTestEndpoint;
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;

  const coreOnEndpoint = async () => {
    const made = await makeCore(temp.path, { fly: () => testFlyProvider(endpoint) });
    made.settings.defaultImage = endpoint.image;
    return made;
  };

  before(async () => {
    endpoint = await flyTestEndpoint();
  });

  beforeEach(async () => {
    temp = makeTempDir();
    core = await coreOnEndpoint();
  });

  afterEach(async () => {
    core.dispose();
    temp.remove();
    await sweepTestApps(endpoint);
  });

  after(async () => {
    await endpoint?.close();
  });

  it('creates from a template, stops, starts, and deletes', async () => {
    const created = await core.controller.create({ provider: 'fly', template: 'development', name: 'fly-dev' });
    const app = testAppName(created.id);
    assert.equal(created.status, 'running');
    assert.equal(created.urls.ide, `https://${app}.fly.dev/`);
    assert.equal(created.metadata.region, endpoint.region);
    assert.equal(created.metadata.size, 'shared-cpu-1x 512MB');
    assert.equal(created.metadata.pricePerHourUsd, ((3.19 + 10 * 0.15) / 720).toFixed(5));
    assert.ok(await core.secrets.get(instancePasswordKey(created.id)), 'the code-server password is in the secret store');

    assert.equal((await core.controller.stop('fly-dev')).status, 'stopped');
    assert.equal((await core.controller.start('fly-dev')).status, 'running');
    const updated = await core.controller.update('fly-dev', { resources: { memoryMB: 1024 } });
    assert.equal(updated.metadata.size, 'shared-cpu-1x 1024MB');
    assert.equal(updated.config.resources.memoryMB, 1024);

    await core.controller.delete('fly-dev', { keepWorkspace: false });
    assert.equal(core.registry.size, 0);
    assert.equal(await core.secrets.get(instancePasswordKey(created.id)), undefined);
    await assert.rejects(testFlyClient(endpoint).getApp(app), (error: unknown) => error instanceof FlyError && error.category === 'not_found', 'the app is gone');
  });

  it('finds its instances again after the registry is wiped', async () => {
    const dev = await core.controller.create({ provider: 'fly', template: 'development', name: 'fly-wiped-dev' });
    await core.controller.create({ provider: 'fly', template: 'agent', name: 'fly-wiped-agent' });
    await core.controller.stop('fly-wiped-agent');
    core.dispose();
    rmSync(core.storePath);

    core = await coreOnEndpoint();
    const [report] = await core.controller.reconcile(['fly']);
    assert.equal(report!.error, undefined);
    assert.deepEqual(report!.adopted.map((instance) => instance.name).sort(), ['fly-wiped-agent', 'fly-wiped-dev']);
    const adopted = core.controller.get('fly-wiped-dev');
    assert.equal(adopted.id, dev.id);
    assert.equal(adopted.status, 'running');
    assert.equal(adopted.urls.ide, dev.urls.ide);
    assert.deepEqual(adopted.config, dev.config);
    const agent = core.controller.get('fly-wiped-agent');
    assert.equal(agent.status, 'stopped');
    assert.equal(agent.metadata.size, 'shared-cpu-2x 2048MB');
  });

  it('marks an instance whose app was deleted behind its back as missing', async () => {
    const created = await core.controller.create({ provider: 'fly', name: 'fly-vanishing' });
    await testFlyClient(endpoint).deleteApp(testAppName(created.id));
    const [report] = await core.controller.reconcile(['fly']);
    assert.deepEqual(report!.vanished.map((instance) => instance.name), ['fly-vanishing']);
    assert.equal(core.controller.get('fly-vanishing').status, 'missing');
    await core.controller.delete('fly-vanishing', { keepWorkspace: false });
    assert.equal(core.registry.size, 0);
  });

  it('rejects a size Fly would refuse before making anything', async () => {
    await assert.rejects(
      core.controller.create({ provider: 'fly', name: 'fly-too-small', overrides: { resources: { cpuCores: 0.25 } } }),
      (error: unknown) => SwarmError.is(error, 'INVALID_CONFIG') && error.details.field === 'resources.cpuCores',
    );
    assert.equal(core.registry.size, 0);
    assert.deepEqual((await testFlyClient(endpoint).listApps(endpoint.org)).filter((app) => app.name.startsWith(testAppName(''))), []);
  });

});

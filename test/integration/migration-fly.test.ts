import assert from 'node:assert/strict';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { FlyProvider } from '../../src/providers/fly/flyProvider';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { emulatorEndpoint, dockerBackedFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';
import { FIXTURE_SAMPLES, fillWorkspace, workspaceManifest } from '../support/workspaceFixture';

/** The local IDE image (test/setup/build-ide-image.sh): the Fly transfer's receiver runs on its Node.js. */
const IDE_IMAGE = 'remote-swarm/ide:latest';
const WORKSPACE = '/workspace';

/** Docker → Fly through the core, on the real engine and the Fly emulator, whose machines are Docker containers. */
describe('migrating an instance from Docker to Fly (real engine, Fly emulator with Docker-backed machines)', function () {
  this.timeout(240_000);
  const docker = new Docker();
  let temp: ReturnType<typeof makeTempDir>;
  let endpoint: EmulatorEndpoint;
  let fly: FlyProvider;
  let core: CoreHarness;

  before(async () => {
    await requireDocker();
    temp = makeTempDir('remote-swarm-migrate-fly-');
    endpoint = await emulatorEndpoint({ runtime: 'docker' });
    fly = dockerBackedFlyProvider(endpoint);
    core = await makeCore(join(temp.path, 'state'), { docker: () => testProvider(), fly: () => fly });
  });

  after(async () => {
    for (const instance of core?.controller.list() ?? []) await core.controller.delete(instance.id, { keepWorkspace: false }).catch(() => undefined);
    core?.dispose();
    await endpoint?.close();
    await removeTestResources(docker);
    temp?.remove();
  });

  it('moves the workspace to a Fly machine, stop-and-copy: the same manifest there, the name on the machine, the Docker source deleted', async () => {
    const source = await core.controller.create({ provider: 'docker', name: `mig-${RUN_ID}-fly`, overrides: { image: ensureTestImage(), workspacePath: WORKSPACE } });
    await fillWorkspace(await core.pool.get('docker'), source.id, WORKSPACE, 8);
    const before = await workspaceManifest(await core.pool.get('docker'), source.id, WORKSPACE);
    for (const sample of FIXTURE_SAMPLES) assert.ok(before.includes(sample), sample);

    const plan = core.swarm.migrations.plan({
      instance: source.name,
      to: 'fly',
      strategy: 'stop-and-copy',
      keepSourceHours: 0,
      // The machine only sleeps: the transfer's receiver needs the image's Node.js, not code-server.
      overrides: { image: IDE_IMAGE, command: ['sleep', 'infinity'], resources: { cpuCores: 1, memoryMB: 512, storageGB: 1 } },
    });
    const result = await core.swarm.migrations.migrate(plan);
    assert.equal(result.instance.name, source.name);
    assert.equal(result.instance.provider, 'fly');
    assert.equal(result.keptSource, undefined);
    assert.deepEqual(core.controller.list().map((instance) => [instance.name, instance.provider]), [[source.name, 'fly']]);
    assert.deepEqual(await workspaceManifest(fly, result.instance.id, WORKSPACE), before, 'every file, mode, link and hash as on the source');
    console.log(`      ${result.verifiedEntries} entries verified, ${result.durationMs} ms`);
  });
});

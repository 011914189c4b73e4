import assert from 'node:assert/strict';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Instance } from '../../src/core/models';
import type { Provider } from '../../src/core/provider';
import { manifestInPlace } from '../../src/core/workspaces/manifestInPlace';
import { compareManifests, readManifest } from '../../src/core/workspaces/workspaceManifest';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';
import { fillWorkspace } from '../support/workspaceFixture';

const WORKSPACE = '/workspace';

/**
 * The manifest a migration verifies with, computed inside the instance (BusyBox's find, stat and sha256sum in the test
 * image), is the one its export gives: every entry, mode, size, hash and link target alike.
 */
describe('a workspace manifest computed in place (real engine, BusyBox tools)', function () {
  this.timeout(120_000);
  const docker = new Docker();
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  let provider: Provider;
  let instance: Instance;

  before(async () => {
    await requireDocker();
    temp = makeTempDir('remote-swarm-in-place-');
    core = await makeCore(join(temp.path, 'state'), { docker: () => testProvider() });
    provider = await core.pool.get('docker');
    instance = await core.controller.create({ provider: 'docker', name: `inplace-${RUN_ID}`, overrides: { image: ensureTestImage(), workspacePath: WORKSPACE } });
    await fillWorkspace(provider, instance.id, WORKSPACE, 2);
  });
  after(async () => {
    core?.dispose();
    await removeTestResources(docker);
    temp?.remove();
  });

  it('gives the export\'s manifest, whole and for chosen paths, without reading the content out', async () => {
    const exported = await readManifest(await provider.workspaces!.exportWorkspace(instance.id));
    const inPlace = await manifestInPlace(provider, instance.id, WORKSPACE);
    assert.ok(inPlace, 'BusyBox has what it needs');
    assert.deepEqual(compareManifests(exported, inPlace), []);
    assert.equal(inPlace.size, exported.size);
    assert.equal(inPlace.get('link-to-leaf')?.target, 'src/nested/deeper/leaf.txt');
    assert.equal(inPlace.get('hard-link.txt')?.sha256, exported.get('src/hello.txt')?.sha256);

    const chosen = await manifestInPlace(provider, instance.id, WORKSPACE, { paths: ['src/nested', 'dangling', 'not-there'] });
    assert.deepEqual([...chosen!.entries.keys()].sort(), ['dangling', 'src/nested', 'src/nested/deeper', 'src/nested/deeper/leaf.txt']);
  });

  it('lists a stopped instance\'s workspace through a helper container of its image, which it removes', async () => {
    await core.controller.stop(instance.id);
    assert.equal(await manifestInPlace(provider, instance.id, WORKSPACE), undefined, 'a stopped container has no exec');
    const exported = await readManifest(await provider.workspaces!.exportWorkspace(instance.id));
    const listed = await manifestInPlace(provider, instance.id, WORKSPACE, { stopped: true });
    assert.ok(listed);
    assert.deepEqual(compareManifests(exported, listed), []);
    const metadata = await manifestInPlace(provider, instance.id, WORKSPACE, { stopped: true, hashes: false, paths: ['src'] });
    assert.deepEqual([...metadata!.entries.values()].filter((entry) => entry.type === 'file').map((entry) => [entry.path, entry.size, entry.sha256]).sort(), [
      ['src/hello.txt', 6, undefined],
      ['src/nested/deeper/leaf.txt', 7, undefined],
    ]);
    const helpers = await docker.listContainers({ all: true, filters: { label: ['remote-swarm.helper-of'] } });
    assert.deepEqual(helpers.filter((helper) => helper.Labels['remote-swarm.helper-of'] === instance.id), []);
    await core.controller.start(instance.id);
  });

  it('gives up (the caller reads the export) on a name with a newline, running or stopped', async () => {
    const made = await provider.executeCommand(instance.id, ['sh', '-c', 'printf x > "$1/two\nlines"', 'sh', WORKSPACE]);
    assert.equal(made.exitCode, 0, made.stderr);
    assert.equal(await manifestInPlace(provider, instance.id, WORKSPACE), undefined);
    await core.controller.stop(instance.id);
    assert.equal(await manifestInPlace(provider, instance.id, WORKSPACE, { stopped: true }), undefined);
  });
});

import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { instancePasswordKey } from '../../src/core/stores';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';

/** The code-server password of an instance one front end made, as another front end (or the same after a reinstall) gets it. */
describe('an adopted instance\'s password, on the real Docker engine', function () {
  this.timeout(60_000);
  const temps: ReturnType<typeof makeTempDir>[] = [];
  const cores: CoreHarness[] = [];

  async function frontEnd(): Promise<CoreHarness> {
    const temp = makeTempDir();
    temps.push(temp);
    const core = await makeCore(temp.path, { docker: () => testProvider() });
    core.settings.defaultImage = ensureTestImage();
    cores.push(core);
    return core;
  }

  before(requireDocker);
  afterEach(async () => {
    for (const core of cores.splice(0)) core.dispose();
    for (const temp of temps.splice(0)) temp.remove();
    await removeTestResources();
  });

  it('is read back from the container when the other front end adopts it, and kept', async () => {
    const maker = await frontEnd();
    const made = await maker.controller.create({ provider: 'docker', name: 'pw-adopted', template: 'development' });
    const original = await maker.secrets.get(instancePasswordKey(made.id));

    const other = await frontEnd();
    await other.controller.reconcile(['docker']);
    assert.equal(await other.secrets.get(instancePasswordKey(made.id)), undefined, 'adopted without a password');
    assert.equal(await other.controller.getPassword('pw-adopted'), original, 'recovered from the container');
    assert.equal(await other.secrets.get(instancePasswordKey(made.id)), original, 'and kept from then on');
  });

  it('Reset Password gives the container a new one, keeping the workspace', async () => {
    const core = await frontEnd();
    const made = await core.controller.create({ provider: 'docker', name: 'pw-reset', template: 'development', overrides: { workspacePath: '/workspace' } });
    await core.controller.exec(made.id, ['sh', '-c', 'echo kept > /workspace/note']);
    const before = await core.controller.getPassword(made.id);

    const reset = await core.controller.resetPassword(made.id);
    assert.equal(reset.status, 'running');
    const after = await core.controller.getPassword(made.id);
    assert.ok(after && after !== before, 'a new password is kept');
    const [container] = await new Docker().listContainers({ filters: { label: [`remote-swarm.instance=${made.id}`] } });
    const env = (await new Docker().getContainer(container!.Id).inspect()).Config.Env;
    assert.ok(env.includes(`PASSWORD=${after}`), 'the container runs with the new password');
    assert.equal((await core.controller.exec(made.id, ['cat', '/workspace/note'])).stdout, 'kept\n');
  });
});

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import Docker from 'dockerode';
import { instancePasswordKey } from '../../src/core/stores';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, RUN_LABEL_FILTER, testProvider } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';

const docker = new Docker();

async function containersAndVolumes(): Promise<{ containers: string[]; volumes: string[] }> {
  const filters = { label: [RUN_LABEL_FILTER] };
  const containers = (await docker.listContainers({ all: true, filters })).map((c) => c.Names[0] ?? c.Id);
  const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name);
  return { containers, volumes };
}

async function occupiedLoopbackPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('SwarmController with the Docker provider (real engine)', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  let image: string;

  before(async () => {
    await requireDocker();
    image = ensureTestImage();
  });

  beforeEach(async () => {
    temp = makeTempDir();
    core = await makeCore(temp.path, { docker: () => testProvider() });
    core.settings.defaultImage = image;
  });

  afterEach(async () => {
    core.dispose();
    temp.remove();
    await removeTestResources(docker);
  });

  it('finds its instances again after the registry is wiped', async () => {
    const dev = await core.controller.create({ provider: 'docker', template: 'development', name: 'wiped-dev' });
    const agent = await core.controller.create({ provider: 'docker', template: 'agent', name: 'wiped-agent' });
    await core.controller.stop(agent.id);
    core.dispose();
    rmSync(core.storePath);

    const fresh = await makeCore(temp.path, { docker: () => testProvider() });
    try {
      assert.equal(fresh.registry.size, 0);
      const [report] = await fresh.controller.reconcile(['docker']);
      assert.equal(report!.error, undefined);
      assert.deepEqual(report!.adopted.map((i) => i.name).sort(), ['wiped-agent', 'wiped-dev']);
      const adoptedDev = fresh.controller.get('wiped-dev');
      assert.equal(adoptedDev.id, dev.id);
      assert.equal(adoptedDev.status, 'running');
      assert.equal(adoptedDev.urls.ide, dev.urls.ide);
      assert.equal(adoptedDev.config.template, 'development');
      assert.deepEqual(adoptedDev.config.resources, dev.config.resources);
      assert.equal(fresh.controller.get('wiped-agent').status, 'stopped');
      assert.ok(await fresh.controller.getPassword('wiped-dev'), 'the password is still in the secret store');
    } finally {
      fresh.dispose();
    }
  });

  it('marks an instance whose container was removed behind its back as missing', async () => {
    const created = await core.controller.create({ provider: 'docker', name: 'vanishing' });
    await docker.getContainer(created.metadata.containerId!).remove({ force: true });
    const [report] = await core.controller.reconcile(['docker']);
    assert.deepEqual(report!.vanished.map((i) => i.name), ['vanishing']);
    assert.equal(core.controller.get('vanishing').status, 'missing');
    await core.controller.delete('vanishing', { keepWorkspace: false });
    assert.deepEqual(await containersAndVolumes(), { containers: [], volumes: [] });
  });

  it('serialises concurrent operations on one instance: the last one asked wins', async () => {
    const { id, metadata } = await core.controller.create({ provider: 'docker', name: 'busy' });
    const container = docker.getContainer(metadata.containerId!);

    const order: string[] = [];
    const stop = core.controller.stop(id).then(() => order.push('stop'));
    const start = core.controller.start(id).then(() => order.push('start'));
    const stopAgain = core.controller.stop(id).then(() => order.push('stop-again'));
    await Promise.all([stop, start, stopAgain]);

    assert.deepEqual(order, ['stop', 'start', 'stop-again']);
    assert.equal((await container.inspect()).State.Running, false);
    assert.equal(core.controller.get(id).status, 'stopped');
  });

  it('a create that fails on a missing image leaves no container, volume, registry entry or secret', async () => {
    const ids: string[] = [];
    core.registry.onDidChange((change) => ids.push(change.instance.id));
    await assert.rejects(
      core.controller.create({ provider: 'docker', name: 'no-image', overrides: { image: 'remote-swarm/does-not-exist:1' } }),
      { code: 'IMAGE_NOT_FOUND', message: /remote-swarm\/does-not-exist:1/ },
    );
    assert.equal(core.registry.size, 0);
    assert.equal(await core.secrets.get(instancePasswordKey(ids[0]!)), undefined);
    assert.deepEqual(await containersAndVolumes(), { containers: [], volumes: [] });
  });

  it('a create that fails on a port clash leaves nothing behind and says which port', async () => {
    const { port, server } = await occupiedLoopbackPort();
    try {
      await assert.rejects(
        core.controller.create({ provider: 'docker', name: 'clash', overrides: { ports: [{ container: 8080, host: port, purpose: 'ide' }] } }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'CONFLICT');
          assert.match(error.message, new RegExp(String(port)));
          return true;
        },
      );
    } finally {
      server.close();
    }
    assert.equal(core.registry.size, 0);
    assert.deepEqual(await containersAndVolumes(), { containers: [], volumes: [] });
  });
});

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import Docker from 'dockerode';
import { SwarmError } from '../../src/core/errors';
import type { Group } from '../../src/core/groups/groupView';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, RUN_LABEL_FILTER, testProvider } from '../support/dockerTestEnv';
import { outputOf, resolvedAddresses } from '../support/memberCommands';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const docker = new Docker();
const SMALL = { resources: { cpuCores: 0.25, memoryMB: 128, storageGB: 1 }, workspacePath: '/workspace' };

/** What this run left on the engine: containers, volumes and networks carrying its label. */
async function leftovers(): Promise<string[]> {
  const filters = { label: [RUN_LABEL_FILTER] };
  const containers = (await docker.listContainers({ all: true, filters })).map((c) => `container ${c.Names[0]}`);
  const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => `volume ${v.Name}`);
  const networks = (await docker.listNetworks({ filters })).map((n) => `network ${n.Name}`);
  return [...containers, ...volumes, ...networks];
}

describe('groups on the Docker provider (real engine)', function () {
  this.timeout(180_000);
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  const groupName = (label: string) => `g${RUN_ID}${label}`;

  before(async () => {
    await requireDocker();
    ensureTestImage();
  });

  beforeEach(async () => {
    temp = makeTempDir();
    core = await makeCore(temp.path, { docker: () => testProvider() });
    core.settings.defaultImage = ensureTestImage();
    core.settings.maxInstances = 20;
  });

  afterEach(async () => {
    core.dispose();
    temp.remove();
    await removeTestResources(docker);
  });

  const roles = (group: Group) => group.members.map((member) => member.config.groupRole);

  it('puts a coordinator and its workers on their own network, where workers reach the coordinator by name and no other group can', async () => {
    const alpha = await core.swarm.groups.create({ name: groupName('a'), provider: 'docker', coordinatorTemplate: 'development', workerTemplate: 'agent', workers: 2, overrides: SMALL });
    const beta = await core.swarm.groups.create({ name: groupName('b'), provider: 'docker', coordinatorTemplate: 'development', workerTemplate: 'agent', workers: 1, overrides: SMALL });
    assert.deepEqual(roles(alpha), ['coordinator', 'worker-1', 'worker-2']);
    assert.deepEqual(alpha.members.map((member) => member.status), ['running', 'running', 'running']);
    await outputOf(core.controller, alpha.coordinator!.name, 'sh', '-c', 'echo alpha > /www/whoami');
    await outputOf(core.controller, beta.coordinator!.name, 'sh', '-c', 'echo beta > /www/whoami');

    const worker = alpha.workers[1]!.name;
    assert.equal((await outputOf(core.controller, worker, 'wget', '-qO-', 'http://coordinator:8080/whoami')).trim(), 'alpha');
    const env = await outputOf(core.controller, worker, 'env');
    for (const line of [`REMOTE_SWARM_GROUP=${alpha.name}`, 'REMOTE_SWARM_ROLE=worker-2', 'REMOTE_SWARM_COORDINATOR=coordinator:8080', 'REMOTE_SWARM_WORKERS=workers']) {
      assert.ok(env.split('\n').includes(line), `${line} in\n${env}`);
    }
    assert.equal((await resolvedAddresses(core.controller, worker, 'workers')).length, 2);

    const outsider = beta.workers[0]!.name;
    assert.equal((await outputOf(core.controller, outsider, 'wget', '-qO-', 'http://coordinator:8080/whoami')).trim(), 'beta', "another group's `coordinator` is its own");
    assert.deepEqual(await resolvedAddresses(core.controller, outsider, alpha.coordinator!.name), [], "alpha's coordinator has no name on beta's network");
    const alphaAddress = Object.values((await docker.getContainer(alpha.coordinator!.metadata.containerId ?? `remote-swarm-${alpha.coordinator!.name}`).inspect()).NetworkSettings.Networks);
    assert.deepEqual(alphaAddress.length, 1, 'a member is on its group network only, not also on the default bridge');
  });

  it('scales 2 → 5 → 1 by adding and removing the highest-numbered workers, and the workers name follows', async () => {
    const name = groupName('s');
    await core.swarm.groups.create({ name, provider: 'docker', workers: 2, overrides: SMALL });
    const grown = await core.swarm.groups.scale(name, 5);
    assert.deepEqual(roles(grown), ['coordinator', 'worker-1', 'worker-2', 'worker-3', 'worker-4', 'worker-5']);
    assert.equal((await resolvedAddresses(core.controller, `${name}-coordinator`, 'workers')).length, 5);
    assert.equal((await outputOf(core.controller, `${name}-worker-5`, 'wget', '-qO-', 'http://coordinator:8080/healthz')).includes('alive'), true);

    const shrunk = await core.swarm.groups.scale(name, 1);
    assert.deepEqual(roles(shrunk), ['coordinator', 'worker-1']);
    assert.equal((await resolvedAddresses(core.controller, `${name}-coordinator`, 'workers')).length, 1);
    assert.deepEqual((await leftovers()).filter((entry) => entry.startsWith('container')).length, 2);
  });

  it('leaves no member, volume or network behind when a member cannot be made', async () => {
    core.userTemplates.push({ name: 'broken-worker', image: `remote-swarm/no-such-image-${RUN_ID}:never`, resources: SMALL.resources });
    const failure = await core.swarm.groups
      .create({ name: groupName('f'), provider: 'docker', coordinatorTemplate: 'development', workerTemplate: 'broken-worker', workers: 3 })
      .then(() => undefined, (error: unknown) => error);
    assert.ok(SwarmError.is(failure, 'IMAGE_NOT_FOUND'), String(failure));
    assert.deepEqual(await leftovers(), []);
    assert.equal(core.registry.size, 0);
    assert.deepEqual(core.swarm.groups.list(), []);
  });

  it('leaves nothing behind when the create is cancelled midway', async () => {
    const cancel = new AbortController();
    const failure = await core.swarm.groups
      .create({ name: groupName('c'), provider: 'docker', workers: 6, overrides: SMALL }, { signal: cancel.signal, onProgress: (message) => message.startsWith('1 of') && cancel.abort() })
      .then(() => undefined, (error: unknown) => error);
    assert.ok(SwarmError.is(failure, 'OPERATION_CANCELLED'), String(failure));
    assert.deepEqual(await leftovers(), []);
    assert.equal(core.registry.size, 0);
  });

  it('is rebuilt from the engine after the registry is lost, and deletes as one with its network', async () => {
    const name = groupName('r');
    await core.swarm.groups.create({ name, provider: 'docker', workers: 2, overrides: SMALL });
    core.dispose();
    rmSync(core.storePath);
    core = await makeCore(temp.path, { docker: () => testProvider() });
    core.settings.maxInstances = 20;
    await core.controller.reconcile(['docker']);
    const [adopted] = core.swarm.groups.list();
    assert.equal(adopted?.name, name);
    assert.deepEqual(roles(adopted!), ['coordinator', 'worker-1', 'worker-2']);
    assert.equal(adopted!.workerTemplate, 'agent');

    await core.swarm.groups.delete(name);
    assert.deepEqual(await leftovers(), []);
  });
});

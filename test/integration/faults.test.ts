import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import { SwarmError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/logger';
import { instancePasswordKey } from '../../src/core/stores';
import { LABEL } from '../../src/providers/dockerEngine/dockerLabels';
import { toProviderInstance } from '../../src/providers/docker/dockerInstances';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import type { CreatingProcessEvent } from '../support/creatingProcess';
import { removeTestResources, RUN_LABEL_FILTER, testProvider } from '../support/dockerTestEnv';
import { readUntil } from '../support/readUntil';
import { usePrivateEngine } from '../support/swarmTestRig';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const CREATING_PROCESS = join(__dirname, '..', 'support', 'creatingProcess.ts');

/** The moments of a Docker create the faults strike at: the workspace volume is made, then the container. */
const CREATE_MOMENTS = ['Creating container', 'Starting container'] as const;
/** The moments of a Docker delete: the container is still there, then it is gone and the workspace volume not yet. */
const DELETE_MOMENTS = ['Removing container', 'Removing workspace volume'] as const;

/** This run's containers and volumes on the engine, by the instance id they carry. */
async function onEngine(docker: Docker): Promise<{ containers: Map<string, Docker.ContainerInfo>; volumes: Set<string> }> {
  const filters = { label: [RUN_LABEL_FILTER] };
  const containers = new Map((await docker.listContainers({ all: true, filters })).map((container) => [container.Labels[LABEL.instance]!, container]));
  const volumes = new Set(((await docker.listVolumes({ filters })).Volumes ?? []).map((volume) => volume.Labels[LABEL.instance]!));
  return { containers, volumes };
}

/**
 * The registry agrees with the engine: every container and volume of the run has its entry, each entry shows its
 * container's state (or "missing" when it has none), none is left "creating", and the password kept opens the IDE.
 */
async function assertAgreement(core: CoreHarness, docker: Docker): Promise<void> {
  const { containers, volumes } = await onEngine(docker);
  for (const id of [...containers.keys(), ...volumes]) assert.ok(core.registry.get(id), `the container or volume of ${id} has a registry entry`);
  for (const instance of core.registry.list()) {
    const container = containers.get(instance.id);
    assert.equal(instance.status, container ? toProviderInstance(container, undefined).status : 'missing', `${instance.name} shows what the engine has`);
    if (!container) continue;
    const env = (await docker.getContainer(container.Id).inspect()).Config.Env;
    assert.ok(env.includes(`PASSWORD=${await core.secrets.get(instancePasswordKey(instance.id))}`), `the password kept for ${instance.name} is its container's`);
  }
}

async function assertLeftNothing(core: CoreHarness, docker: Docker, id: string): Promise<void> {
  const { containers, volumes } = await onEngine(docker);
  assert.equal(containers.has(id), false, 'no container');
  assert.equal(volumes.has(id), false, 'no workspace volume');
  assert.equal(core.registry.get(id), undefined, 'no registry entry');
  assert.equal(await core.secrets.get(instancePasswordKey(id)), undefined, 'no password in the secret store');
}

describe('Faults on a real Docker Engine: dockerd restarts and a window reloads in the middle of operations', function () {
  // A dockerd stops its running containers within their 10 s stop timeout before it exits.
  this.timeout(180_000);
  const rig = usePrivateEngine();
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  const provider = () => testProvider({ host: rig.engine.engine });

  beforeEach(async () => {
    temp = makeTempDir();
    core = await makeCore(temp.path, { docker: provider });
    core.settings.defaultImage = rig.engine.image;
  });

  afterEach(async () => {
    core.dispose();
    temp.remove();
    await removeTestResources(rig.engine.docker);
  });

  for (const moment of CREATE_MOMENTS) {
    it(`dockerd restarting at "${moment}" of a create: the create fails, and after a refresh the registry agrees with the engine`, async () => {
      const { engine } = rig;
      const name = `restarted-${moment.split(' ')[0]!.toLowerCase()}`;
      let id: string | undefined;
      const failure = await core.controller
        .create({ provider: 'docker', name }, {
          onProgress: (message) => {
            if (!message.startsWith(moment)) return;
            id = core.registry.findByName(name)?.id;
            engine.halt();
          },
        })
        .then(() => undefined, (error: unknown) => error);
      await engine.resume();
      assert.ok(id, `the create reported "${moment}"`);
      assert.ok(SwarmError.is(failure, 'PROVIDER_UNAVAILABLE'), `the create failed for want of the engine: ${String(failure)}`);

      const [report] = await core.controller.reconcile(['docker']);
      assert.equal(report!.error, undefined);
      await assertAgreement(core, engine.docker);
      if (moment === 'Creating container') {
        await assertLeftNothing(core, engine.docker, id);
        return;
      }
      // The container was made before the engine went: it is the instance, and it works as one.
      assert.equal(core.controller.get(id).status, 'stopped');
      assert.equal((await core.controller.start(id)).status, 'running');
      await core.controller.delete(id, { keepWorkspace: false });
      await assertLeftNothing(core, engine.docker, id);
    });
  }

  for (const moment of DELETE_MOMENTS) {
    it(`dockerd restarting at "${moment}" of a delete: the instance stays registered as the engine has it, and a second delete finishes`, async () => {
      const { engine } = rig;
      const { id } = await core.controller.create({ provider: 'docker', name: `deleted-${moment.split(' ')[1]}` });
      const failure = await core.controller
        .delete(id, { keepWorkspace: false, onProgress: (message) => message.startsWith(moment) && engine.halt() })
        .then(() => undefined, (error: unknown) => error);
      await engine.resume();
      assert.ok(SwarmError.is(failure, 'PROVIDER_UNAVAILABLE'), `the delete failed for want of the engine: ${String(failure)}`);

      await core.controller.reconcile(['docker']);
      await assertAgreement(core, engine.docker);
      // Never half gone: the entry stays until its workspace is gone too, showing whether its container is.
      const { containers, volumes } = await onEngine(engine.docker);
      assert.ok(volumes.has(id), 'the workspace volume is still there');
      assert.equal(core.controller.get(id).status, moment === 'Removing container' ? 'running' : 'missing');
      assert.equal(containers.has(id), moment === 'Removing container');

      await core.controller.delete(id, { keepWorkspace: false });
      await assertLeftNothing(core, engine.docker, id);
    });
  }

  for (const moment of CREATE_MOMENTS) {
    it(`a window reloading at "${moment}" of a create: the next window's refresh adopts what was made or removes what was left`, async () => {
      const { engine } = rig;
      core.dispose();
      const child = spawn(process.execPath, ['--import', 'tsx', CREATING_PROCESS, temp.path, RUN_ID, engine.engine, engine.image, 'reloaded', moment], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = once(child, 'exit');
      let id: string;
      try {
        const seen = await readUntil(child.stdout!, new RegExp(`"progress":"${moment}`), 60_000);
        id = (JSON.parse(seen.trim().split('\n').at(-1)!) as CreatingProcessEvent).instance;
        // The next window, while the first is still in the middle of its create, leaves that create alone.
        const next = await makeCore(temp.path, { docker: provider }, { coordination: new FileCoordination(temp.path, { log: silentLogger }) });
        try {
          await next.controller.reconcile(['docker']);
          assert.equal(next.controller.get(id).status, 'creating', 'a create in flight in a live window is left to it');
        } finally {
          next.dispose();
        }
      } finally {
        child.kill('SIGKILL');
        await exited;
      }

      core = await makeCore(temp.path, { docker: provider }, { coordination: new FileCoordination(temp.path, { log: silentLogger }) });
      core.settings.defaultImage = engine.image;
      assert.equal(core.controller.get(id).status, 'creating', 'the reloaded window left its entry "creating"');
      const [report] = await core.controller.reconcile(['docker']);
      assert.equal(report!.error, undefined);
      await assertAgreement(core, engine.docker);
      if (moment === 'Creating container') {
        assert.deepEqual(report!.discarded.map((instance) => instance.id), [id]);
        await assertLeftNothing(core, engine.docker, id);
        return;
      }
      assert.equal(core.controller.get(id).status, 'stopped', 'the container it made is the instance now');
      assert.equal((await core.controller.start(id)).status, 'running');
    });
  }
});

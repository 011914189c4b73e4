import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { runExec } from '../../src/providers/dockerEngine/dockerExec';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { suiteUserSettings } from '../vscode/suiteSettings';
import { testInstanceName } from '../vscode/testInstanceNames';
import { packageExtension } from './harness/extensionPackages';
import { useWorkbenchSession } from './harness/sessionHooks';
import { testContainers } from './harness/testInstanceCleanup';

const docker = new Docker();

/** The test containers that carry one of these instance names (a container keeps the name it was made with), by name. */
async function containersOf(...names: string[]): Promise<Record<string, Docker.ContainerInfo>> {
  const containers = (await testContainers(docker)).filter((container) => names.includes(container.Labels['remote-swarm.name'] ?? ''));
  return Object.fromEntries(containers.map((container) => [container.Labels['remote-swarm.name'], container]));
}

/** The container a move made for its target: named after the instance, "-moving-" and a suffix of its own. */
async function movingContainerOf(name: string): Promise<Docker.ContainerInfo | undefined> {
  return (await testContainers(docker)).find((container) => container.Labels['remote-swarm.name']?.startsWith(`${name}-moving-`));
}

/** Runs a shell script in a container and returns what it printed. */
async function shellIn(container: Docker.ContainerInfo, script: string): Promise<string> {
  return (await runExec(docker.getContainer(container.Id), ['sh', '-c', script])).stdout;
}

describe('Migrate Instance… in the code-server workbench (busybox instances on the real Docker Engine)', function () {
  this.timeout(240_000);

  // Other test runs on the shared engine may add instances to the view meanwhile: the limit leaves room for theirs.
  const session = useWorkbenchSession(async () => {
    await requireDocker();
    return { extensions: [await packageExtension()], settings: { ...suiteUserSettings(ensureTestImage()), 'remoteSwarm.maxInstances': 1000 } };
  });

  const name = testInstanceName('mig');

  it('moves a running instance to a new container from the wizard, its plan confirmed: the tree shows the name running there and the source kept stopped as <name>-old', async () => {
    const { workbench } = session();
    await workbench.openRemoteSwarmView();
    await workbench.createInstance('development', name);
    await workbench.waitForStatusIcon(name, 'vm-running');
    const source = (await containersOf(name))[name]!;
    const folder = (JSON.parse(source.Labels['remote-swarm.config']!) as { workspacePath: string }).workspacePath;
    assert.equal(await shellIn(source, `echo made-before-the-move > "${folder}/note.txt" && echo ok`), 'ok\n');

    await workbench.runContextMenuAction(name, 'Migrate Instance…');
    await workbench.quickInput.getByPlaceholder(`Move "${name}" (docker) to`).waitFor();
    await workbench.pick('Docker');
    await workbench.quickInputAsking('How to copy the workspace').waitFor();
    await workbench.pick('Pre-copy');
    await workbench.quickInputAsking('After the move').waitFor();
    await workbench.pick('Keep the source stopped for 24 hours');
    await workbench.dialog.getByText(`Migrate "${name}" to Docker?`).waitFor();
    await workbench.dialog.getByText(/Strategy: pre-copy/).waitFor();
    await workbench.answerDialog('Migrate');

    await workbench.waitForStatusIcon(`${name}-old`, 'vm-outline');
    await workbench.waitForStatusIcon(name, 'vm-running');
    const containers = await containersOf(name);
    const target = await movingContainerOf(name);
    assert.equal(containers[name]?.State, 'exited', 'the source\'s container is stopped');
    assert.equal(target?.State, 'running', 'the container made for the target serves the name');
    assert.equal(await shellIn(target!, `cat "${folder}/note.txt"`), 'made-before-the-move\n');
  });
});

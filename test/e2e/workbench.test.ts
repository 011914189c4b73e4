import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { suiteUserSettings } from '../vscode/suiteSettings';
import { testInstanceName } from '../vscode/testInstanceNames';
import { packageExtension } from './harness/extensionPackages';
import { useWorkbenchSession } from './harness/sessionHooks';
import { requireNoForeignInstances, testContainers } from './harness/testInstanceCleanup';

const docker = new Docker();

/** The Docker state of the test instance named `name`, e.g. "running" or "exited"; undefined when it has no container. */
async function containerState(name: string): Promise<string | undefined> {
  return (await testContainers(docker)).find((container) => container.Labels['remote-swarm.name'] === name)?.State;
}

describe('Remote Swarm in the code-server workbench (busybox instances on the real Docker Engine)', function () {
  this.timeout(180_000);

  const session = useWorkbenchSession(async () => {
    await requireDocker();
    await requireNoForeignInstances(docker);
    return { extensions: [await packageExtension()], settings: suiteUserSettings(ensureTestImage()) };
  });

  it('opens the view and shows its welcome content while there are no instances', async () => {
    const { workbench } = session();
    await workbench.openRemoteSwarmView();
    await workbench.remoteSwarmView.getByText('No instances yet').waitFor();
    await workbench.remoteSwarmView.getByRole('button', { name: 'Create Instance' }).waitFor();
  });

  it('shows the validation message for an invalid name typed in the create wizard and creates nothing', async () => {
    const { workbench } = session();
    await workbench.startCreateWizard('development');
    await workbench.typeInQuickInput('Not_Valid!');
    await workbench.quickInputMessage().getByText('Name must use only lower-case letters, digits and hyphens').waitFor();
    await workbench.page.keyboard.press('Enter');
    await workbench.quickInputMessage().getByText('Name must use only lower-case letters').waitFor();
    await workbench.page.keyboard.press('Escape');
    await workbench.quickInput.waitFor({ state: 'hidden' });
    await workbench.remoteSwarmView.getByText('No instances yet').waitFor();
    assert.deepEqual(await testContainers(docker), []);
  });

  describe('an instance made with the wizard, through its life', () => {
    const name = testInstanceName('wizard');

    it('Create Instance from the command palette makes it appear with the running icon', async () => {
      const { workbench } = session();
      await workbench.createInstance('development', name);
      await workbench.waitForStatusIcon(name, 'vm-running');
      assert.equal(await containerState(name), 'running');
    });

    it('Stop turns it stopped', async () => {
      const { workbench } = session();
      await workbench.clickInlineAction(name, 'Stop Instance');
      await workbench.waitForStatusIcon(name, 'vm-outline');
      assert.equal(await containerState(name), 'exited');
    });

    it('Start runs it again', async () => {
      const { workbench } = session();
      await workbench.clickInlineAction(name, 'Start Instance');
      await workbench.waitForStatusIcon(name, 'vm-running');
      assert.equal(await containerState(name), 'running');
    });

    it('Show Logs opens its output with what the container printed', async () => {
      const { workbench } = session();
      await workbench.runContextMenuAction(name, 'Show Instance Logs');
      await workbench.outputView(`Remote Swarm: ${name}`).getByText('busybox httpd serving /healthz').first().waitFor();
    });

    it('Delete, once confirmed, removes it from the tree and its container from Docker', async () => {
      const { workbench } = session();
      await workbench.runContextMenuAction(name, 'Delete Instance');
      await workbench.dialog.getByText(`Delete the instance "${name}"?`).waitFor();
      await workbench.answerDialog('Delete and Remove Workspace');
      await workbench.instanceRow(name).waitFor({ state: 'detached' });
      await workbench.remoteSwarmView.getByText('No instances yet').waitFor();
      assert.equal(await containerState(name), undefined);
      const { Volumes } = await docker.listVolumes({ filters: { label: [`remote-swarm.name=${name}`] } });
      assert.deepEqual(Volumes ?? [], []);
    });
  });
});

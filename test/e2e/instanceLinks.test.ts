import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { suiteUserSettings } from '../vscode/suiteSettings';
import { testInstanceName } from '../vscode/testInstanceNames';
import { packageExtension } from './harness/extensionPackages';
import { useWorkbenchSession } from './harness/sessionHooks';
import { requireNoForeignInstances, testContainers } from './harness/testInstanceCleanup';
import type { Workbench } from './harness/workbench';

const docker = new Docker();
/** code-server's IDE port inside an instance, which Docker publishes on a free port of this machine. */
const IDE_PORT = 8080;

/**
 * Follows a link as VS Code does when one is clicked anywhere: Developer: Open URL hands it to the URL service, which
 * asks whether Remote Swarm may open it (VS Code's own question for links from outside) and then calls its handler.
 */
async function followLink(workbench: Workbench, link: string): Promise<void> {
  await workbench.runCommand('Developer: Open URL');
  await workbench.typeInQuickInput(link);
  await workbench.page.keyboard.press('Enter');
  await workbench.dialog.getByText("Allow 'Remote Swarm' extension to open this URI?").waitFor();
  await workbench.answerDialog('Open');
}

function notification(workbench: Workbench, text: string) {
  return workbench.page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

describe('Links that open an instance, and the remote indicator menu, in the code-server workbench', function () {
  this.timeout(180_000);
  const name = testInstanceName('link');
  const link = (query: string) => `vscode://remote-swarm.remote-swarm/open?${query}`;

  const session = useWorkbenchSession(async () => {
    await requireDocker();
    await requireNoForeignInstances(docker);
    return { extensions: [await packageExtension()], settings: suiteUserSettings(ensureTestImage()) };
  });

  /** The published port of the instance's code-server: the page Open in Browser opens reaches it through this port. */
  let idePort = 0;

  it('creates an instance to open', async () => {
    const { workbench } = session();
    await workbench.openRemoteSwarmView();
    await workbench.createInstance('development', name);
    await workbench.waitForStatusIcon(name, 'vm-running');
    const [container] = (await testContainers(docker)).filter((candidate) => candidate.Labels['remote-swarm.name'] === name);
    idePort = container?.Ports.find((binding) => binding.PrivatePort === IDE_PORT)?.PublicPort ?? 0;
    assert.ok(idePort, `no published IDE port for ${name}`);
  });

  it('offers Connect to Instance and Create Instance in the remote indicator menu; Connect to Instance opens the way picked', async () => {
    const { workbench } = session();
    await workbench.page.locator('[id="status.host"]').click();
    await workbench.quickInput.locator('.monaco-list-row', { hasText: 'Create Instance' }).waitFor();
    await workbench.quickInput.locator('.monaco-list-row', { hasText: 'Connect to Instance...' }).click();
    // With one running instance there is nothing to choose: it goes straight to the ways into it.
    await workbench.quickInput.locator('.monaco-list-row', { hasText: 'Open in VS Code Tab' }).waitFor();
    const [opened] = await Promise.all([workbench.page.context().waitForEvent('page'), workbench.pick('Open in Browser')]);
    // Through the one-time sign-in page, on to the instance's port.
    await opened.waitForURL(new RegExp(`[:/]${idePort}\\b`));
    await opened.close();
  });

  it('opens an instance in the browser from a link, once the user agrees in a dialog naming it and the way', async () => {
    const { workbench } = session();
    await followLink(workbench, link(`instance=${name}&via=browser`));
    await workbench.dialog.getByText(`Open the instance "${name}" in your browser?`).waitFor();
    const [opened] = await Promise.all([workbench.page.context().waitForEvent('page'), workbench.answerDialog('Open in Browser')]);
    // Through the one-time sign-in page, on to the instance's port.
    await opened.waitForURL(new RegExp(`[:/]${idePort}\\b`));
    await opened.close();
  });

  it('refuses a link with a way it does not know, saying what the ways are, and asks nothing', async () => {
    const { workbench } = session();
    await followLink(workbench, link(`instance=${name}&via=shell`));
    await notification(workbench, 'Remote Swarm did not follow the link: via: "shell" is not a way to open an instance; use via=tab').waitFor();
    assert.equal(await workbench.dialog.count(), 0);
  });

  it('refuses a link to an instance that is not there', async () => {
    const { workbench } = session();
    await followLink(workbench, link('instance=no-such-instance&via=tab'));
    await notification(workbench, 'No instance is named "no-such-instance"').waitFor();
    assert.equal(await workbench.dialog.count(), 0);
  });
});

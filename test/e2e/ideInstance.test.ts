import assert from 'node:assert/strict';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { suiteUserSettings } from '../vscode/suiteSettings';
import { testInstanceName } from '../vscode/testInstanceNames';
import { servesHealthz } from './harness/codeServer';
import { packageExtension } from './harness/extensionPackages';
import { pollUntil } from './harness/poll';
import { useWorkbenchSession } from './harness/sessionHooks';
import { ensureIdeImage } from './harness/setupScripts';
import { testContainers } from './harness/testInstanceCleanup';

const IDE_TEMPLATE = 'local-ide';

describe('An instance of the real IDE image (Debian, openssh-server, Node.js 20, code-server) opened in Chromium', function () {
  this.timeout(5 * 60_000);
  const name = testInstanceName('ide');

  const session = useWorkbenchSession(async () => {
    await requireDocker();
    const image = await ensureIdeImage();
    const template = { name: IDE_TEMPLATE, description: 'The IDE image built by test/setup/build-ide-image.sh', image, resources: { memoryMB: 1024 } };
    return {
      extensions: [await packageExtension()],
      settings: { ...suiteUserSettings(ensureTestImage()), 'remoteSwarm.templates': [template] },
      permissions: ['clipboard-read', 'clipboard-write'],
    };
  });

  /** Runs a Copy … entry of the instance's context menu and returns what it put on the clipboard. */
  async function copyFromContextMenu(instance: string, action: string): Promise<string> {
    const { workbench } = session();
    await workbench.writeClipboard('');
    await workbench.runContextMenuAction(instance, action);
    return pollUntil(async () => (await workbench.readClipboard()) || undefined, { what: `${action} to fill the clipboard`, timeoutMs: 10_000 });
  }

  it('is created from its template; its URL signs in with the password Remote Swarm stored and shows the remote workbench', async () => {
    const { workbench, page } = session();
    await workbench.openRemoteSwarmView();
    await workbench.createInstance(IDE_TEMPLATE, name);
    await workbench.waitForStatusIcon(name, 'vm-running');

    // "running" means the container runs; code-server in it needs a moment more before it serves.
    const url = await copyFromContextMenu(name, 'Copy URL');
    await pollUntil(async () => ((await servesHealthz(url)) ? true : undefined), { what: `code-server in "${name}" to answer ${url}healthz`, timeoutMs: 60_000 });
    const password = await copyFromContextMenu(name, 'Copy Password');

    const [remote] = await Promise.all([page.context().waitForEvent('page'), workbench.clickInlineAction(name, 'Open in Browser')]);
    await remote.locator('input[type="password"]').fill(password);
    await remote.keyboard.press('Enter');
    // The remote workbench, with the instance's workspace folder open in its Explorer.
    await remote.locator('.monaco-workbench .pane-header', { hasText: 'project' }).waitFor({ timeout: 120_000 });
    await remote.close();

    await workbench.runContextMenuAction(name, 'Delete Instance');
    await workbench.answerDialog('Delete and Remove Workspace');
    await workbench.instanceRow(name).waitFor({ state: 'detached' });
    assert.deepEqual(await testContainers(), []);
  });
});

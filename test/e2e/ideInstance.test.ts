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

  it('is created from its template; its URL signs in with the password Remote Swarm stored and shows the remote workbench', async () => {
    const { workbench } = session();
    await workbench.openRemoteSwarmView();
    await workbench.createInstance(IDE_TEMPLATE, name);
    await workbench.waitForStatusIcon(name, 'vm-running');

    // "running" means the container runs; code-server in it needs a moment more before it serves.
    const url = await workbench.copyFromContextMenu(name, 'Copy URL');
    await pollUntil(async () => ((await servesHealthz(url)) ? true : undefined), { what: `code-server in "${name}" to answer ${url}healthz`, timeoutMs: 60_000 });
    const remote = await workbench.openInstanceSignedIn(name);
    await remote.close();

    await workbench.runContextMenuAction(name, 'Delete Instance');
    await workbench.answerDialog('Delete and Remove Workspace');
    await workbench.instanceRow(name).waitFor({ state: 'detached' });
    assert.deepEqual(await testContainers(), []);
  });
});

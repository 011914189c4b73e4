import assert from 'node:assert/strict';
import Docker from 'dockerode';
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
const REMOTE_WORKBENCH_TIMEOUT_MS = 120_000;

describe('An instance of the real IDE image (Debian, openssh-server, Node.js 20, code-server) opened in Chromium', function () {
  this.timeout(5 * 60_000);
  const docker = new Docker();
  const name = testInstanceName('ide');

  const session = useWorkbenchSession(async () => {
    await requireDocker();
    const image = await ensureIdeImage();
    const template = { name: IDE_TEMPLATE, description: 'The IDE image built by test/setup/build-ide-image.sh', image, resources: { cpuCores: 1, memoryMB: 1024 } };
    return {
      extensions: [await packageExtension()],
      settings: {
        ...suiteUserSettings(ensureTestImage()),
        'remoteSwarm.templates': [template],
        // The shared engine may hold other test runs' instances, which this workbench lists too: it must not restart them.
        'remoteSwarm.health.autoRecovery': false,
      },
      permissions: ['clipboard-read', 'clipboard-write'],
    };
  });

  async function containerOf(instanceName: string): Promise<Docker.ContainerInspectInfo> {
    const [container] = (await testContainers(docker)).filter((candidate) => candidate.Labels['remote-swarm.name'] === instanceName);
    assert.ok(container, `no container for ${instanceName}`);
    return docker.getContainer(container.Id).inspect();
  }

  it('shows starting until code-server serves, then running; Open in Browser lands signed in, without the password typed', async () => {
    const { workbench } = session();
    await workbench.openRemoteSwarmView();
    await workbench.createInstance(IDE_TEMPLATE, name);
    await workbench.waitForStatusIcon(name, 'vm-running');
    const url = await workbench.copyFromContextMenu(name, 'Copy URL');
    assert.equal(await servesHealthz(url), true, 'shown running only once code-server answers');

    const remote = await workbench.openInstanceSignedIn(name);
    assert.doesNotMatch(remote.url(), /password/);
    await remote.close();
  });

  it('takes the instance selected in the view for a command from the palette: Open in VS Code Tab, signed in, without asking which', async () => {
    const { workbench } = session();
    await workbench.instanceRow(name).click();
    await workbench.runCommand('Remote Swarm: Open in VS Code Tab');
    await workbench.simpleBrowserWorkbench().waitFor({ timeout: REMOTE_WORKBENCH_TIMEOUT_MS });
    assert.equal(await workbench.quickInputAsking('Instance to open in a VS Code tab').count(), 0, 'the selected one was taken');
  });

  it('changes CPU and memory from the palette, live: the container keeps running with the new limits', async () => {
    const { workbench } = session();
    const before = await containerOf(name);
    // The instance's own workbench, open in the Simple Browser from the test before, keeps taking the focus (its trust
    // dialog) from the palette: its tab is closed first.
    const simpleBrowserTab = workbench.page.locator('.tabs-container .tab', { hasText: 'Simple Browser' });
    if ((await simpleBrowserTab.count()) > 0) {
      await simpleBrowserTab.first().hover();
      await simpleBrowserTab.first().locator('.codicon-close').click();
      await simpleBrowserTab.first().waitFor({ state: 'detached' });
    }
    await workbench.instanceRow(name).click();
    await workbench.runCommand('Remote Swarm: Change Resources…');
    await workbench.quickInputMessage().getByText(`CPU cores for "${name}" (now 1)`).waitFor();
    await workbench.typeInQuickInput('0.25x');
    await workbench.quickInputMessage().getByText('must be a number of CPU cores').waitFor();
    await workbench.typeInQuickInput('1.5');
    await workbench.page.keyboard.press('Enter');
    await workbench.quickInputMessage().getByText(`Memory in MB for "${name}" (now 1024)`).waitFor();
    await workbench.typeInQuickInput('1536');
    await workbench.page.keyboard.press('Enter');
    await workbench.instanceRow(name).getByText('1.5 CPU / 1536 MB').waitFor();

    const after = await pollUntil(async () => {
      const inspected = await containerOf(name);
      return inspected.HostConfig.NanoCpus === 1.5e9 ? inspected : undefined;
    }, { what: 'the new CPU limit on the container', timeoutMs: 30_000 });
    assert.equal(after.HostConfig.Memory, 1536 * 1024 * 1024);
    assert.equal(after.Id, before.Id, 'the same container: applied live, not recreated');
    assert.equal(after.State.StartedAt, before.State.StartedAt, 'not restarted');
  });

  it('is deleted, leaving no container', async () => {
    const { workbench } = session();
    await workbench.runContextMenuAction(name, 'Delete Instance');
    await workbench.answerDialog('Delete and Remove Workspace');
    await workbench.instanceRow(name).waitFor({ state: 'detached' });
    assert.deepEqual(await testContainers(), []);
  });
});

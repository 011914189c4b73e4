import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { suiteUserSettings } from '../vscode/suiteSettings';
import { testInstanceName } from '../vscode/testInstanceNames';
import { packageExtension } from './harness/extensionPackages';
import { useWorkbenchSession } from './harness/sessionHooks';

describe('Open Terminal from the tree in the code-server workbench (busybox instance on the real Docker Engine)', function () {
  this.timeout(180_000);

  const session = useWorkbenchSession(async () => {
    await requireDocker();
    // The DOM renderer puts the terminal's text in the page, where the test can read it.
    const settings = { ...suiteUserSettings(ensureTestImage()), 'terminal.integrated.gpuAcceleration': 'off' };
    return { extensions: [await packageExtension()], settings };
  });

  it('opens a terminal named after the instance that shows the output of a typed command, then its exit code', async () => {
    const { workbench } = session();
    const name = testInstanceName('terminal');
    await workbench.openRemoteSwarmView();
    await workbench.createInstance('development', name);
    await workbench.waitForStatusIcon(name, 'vm-running');

    await workbench.runContextMenuAction(name, 'Open Terminal');
    const terminal = workbench.page.locator('.terminal-wrapper.active .xterm-rows');
    await workbench.page.locator('.terminal-tabs-entry, .single-terminal-tab', { hasText: name }).first().waitFor();
    await terminal.getByText('#').first().waitFor(); // busybox sh's prompt
    await workbench.page.keyboard.type('echo "answer=$((6*7))"');
    await workbench.page.keyboard.press('Enter');
    await terminal.getByText('answer=42').waitFor();

    await workbench.page.keyboard.type('exit 3');
    await workbench.page.keyboard.press('Enter');
    await terminal.getByText('The shell exited with code 3.').waitFor();
  });
});

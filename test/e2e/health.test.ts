import assert from 'node:assert/strict';
import Docker from 'dockerode';
import type { Locator } from 'playwright-core';
import { runExec } from '../../src/providers/dockerEngine/dockerExec';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { suiteUserSettings } from '../vscode/suiteSettings';
import { testInstanceName } from '../vscode/testInstanceNames';
import { packageExtension } from './harness/extensionPackages';
import { useWorkbenchSession } from './harness/sessionHooks';
import { foreignInstanceNames, testContainers } from './harness/testInstanceCleanup';
import type { Workbench } from './harness/workbench';

const docker = new Docker();

/** The health status bar item, by the text it shows ("$(pulse) 1/1 healthy" renders as an icon and the words). */
function healthStatusBar(workbench: Workbench): Locator {
  return workbench.page.locator('.statusbar-item', { hasText: /\d+\/\d+ healthy/ });
}

describe('Health and cost in the code-server workbench (a busybox instance on the real Docker Engine)', function () {
  this.timeout(180_000);
  const name = testInstanceName('health');

  const session = useWorkbenchSession(async () => {
    await requireDocker();
    assert.deepEqual(await foreignInstanceNames(docker), [], 'The Docker engine holds Remote Swarm instances no test made; the status bar would count them.');
    const settings = {
      ...suiteUserSettings(ensureTestImage()),
      'remoteSwarm.health.interval': 1,
      'remoteSwarm.health.failureThreshold': 1,
      'remoteSwarm.health.autoRecovery': false,
      'remoteSwarm.idle.timeoutMinutes': 0,
    };
    return { extensions: [await packageExtension()], settings };
  });

  it('counts a running instance as healthy in the status bar', async () => {
    const { workbench } = session();
    await workbench.openRemoteSwarmView();
    await workbench.createInstance('development', name);
    await workbench.waitForStatusIcon(name, 'vm-running');
    await healthStatusBar(workbench).filter({ hasText: '1/1 healthy' }).waitFor();
  });

  it('opens the health panel from the status bar, showing the instance HEALTHY with its checks', async () => {
    const { workbench } = session();
    await healthStatusBar(workbench).click();
    const panel = workbench.activeWebview();
    await panel.getByRole('heading', { name: 'Instance health' }).waitFor();
    const row = panel.locator('table.instances tr', { hasText: name });
    await row.locator('.badge.health-healthy').waitFor();
    await panel.getByRole('heading', { name: 'Response time' }).waitFor();
    await panel.locator('svg.latency polyline.latency-line').waitFor();
  });

  it('turns the status bar to warning colours, naming the instance, once its server stops answering', async () => {
    const { workbench } = session();
    const [container] = (await testContainers(docker)).filter((candidate) => candidate.Labels['remote-swarm.name'] === name);
    assert.ok(container, `no container for ${name}`);
    const killed = await runExec(docker.getContainer(container.Id), ['killall', 'httpd']);
    assert.equal(killed.exitCode, 0, killed.stderr);

    const warning = healthStatusBar(workbench).filter({ hasText: '0/1 healthy' });
    await warning.waitFor();
    assert.match((await warning.getAttribute('class')) ?? '', /warning-kind/);
    assert.match((await warning.getAttribute('aria-label')) ?? '', new RegExp(`0 of 1 instances healthy; ${name} is unhealthy: connection`));
    await workbench.activeWebview().locator('table.instances tr', { hasText: name }).locator('.badge.health-unhealthy').waitFor();
  });

  it('opens the cost panel with the instance in its table', async () => {
    const { workbench } = session();
    await workbench.runCommand('Remote Swarm: Show Cost');
    const panel = workbench.activeWebview();
    await panel.getByRole('heading', { name: /^Cost — / }).waitFor();
    await panel.locator('table tr', { hasText: name }).waitFor();
  });

  it('keeps its view state when hidden and shown again, which reloads its webview', async () => {
    const { workbench } = session();
    await workbench.activeWebview().getByRole('combobox', { name: 'Group costs by' }).selectOption('provider');
    await workbench.activeWebview().locator('svg.cost-bars text', { hasText: 'docker' }).waitFor();
    await workbench.page.getByRole('tab', { name: 'Remote Swarm Health' }).click();
    await workbench.activeWebview().getByRole('heading', { name: 'Instance health' }).waitFor();
    await workbench.page.getByRole('tab', { name: 'Remote Swarm Cost' }).click();
    const shownAgain = workbench.activeWebview();
    await shownAgain.getByRole('heading', { name: /^Cost — / }).waitFor();
    assert.equal(await shownAgain.getByRole('combobox', { name: 'Group costs by' }).inputValue(), 'provider');
  });
});

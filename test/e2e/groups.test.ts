import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { suiteUserSettings } from '../vscode/suiteSettings';
import { testInstanceName } from '../vscode/testInstanceNames';
import { packageExtension } from './harness/extensionPackages';
import { useWorkbenchSession } from './harness/sessionHooks';
import { testContainers, testGroupNetworks } from './harness/testInstanceCleanup';

const docker = new Docker();

/** The names of the group's containers on the engine with their Docker state, by name. */
async function memberStates(group: string): Promise<Record<string, string>> {
  const members = (await testContainers(docker)).filter((container) => container.Labels['remote-swarm.group'] === group);
  return Object.fromEntries(members.map((container) => [container.Labels['remote-swarm.name'], container.State]).sort());
}

describe('Groups in the code-server workbench (busybox members on the real Docker Engine)', function () {
  this.timeout(240_000);

  // Other test runs on the shared engine may add instances to the view meanwhile: the test finds its own rows by name,
  // and the limit leaves room for theirs, which the view adopts.
  const session = useWorkbenchSession(async () => {
    await requireDocker();
    return { extensions: [await packageExtension()], settings: { ...suiteUserSettings(ensureTestImage()), 'remoteSwarm.maxInstances': 1000 } };
  });

  // Named like every test instance, so its members (<group>-coordinator, <group>-worker-N) and network are swept.
  const group = testInstanceName('grp');
  const coordinator = `${group}-coordinator`;
  const worker = (number: number) => `${group}-worker-${number}`;

  it('Create Group from the palette: agent-swarm with 1 worker, confirmed from its plan, shows the group over its running members', async () => {
    const { workbench } = session();
    await workbench.openRemoteSwarmView();
    await workbench.runCommand('Remote Swarm: Create Group...');
    await workbench.quickInput.locator('.quick-input-title', { hasText: 'Create Group' }).waitFor();
    await workbench.pick('agent-swarm');
    await workbench.quickInputAsking('Where should the group run?').waitFor();
    await workbench.pick('Docker');
    await workbench.quickInputMessage().getByText('Group name:').waitFor();
    await workbench.typeInQuickInput(group);
    await workbench.page.keyboard.press('Enter');
    await workbench.quickInputMessage().getByText('Number of workers').waitFor();
    await workbench.typeInQuickInput('1');
    await workbench.page.keyboard.press('Enter');

    await workbench.dialog.getByText(`Create the group "${group}": 2 instances on Docker?`).waitFor();
    await workbench.dialog.getByText(`Network: group-${group}, private to the group`).waitFor();
    await workbench.answerDialog('Create Group');

    await workbench.instanceRow(group).getByText('2/2 running').waitFor({ timeout: 120_000 });
    await workbench.waitForStatusIcon(coordinator, 'vm-running');
    await workbench.waitForStatusIcon(worker(1), 'vm-running');
    assert.deepEqual(await memberStates(group), { [coordinator]: 'running', [worker(1)]: 'running' });
    assert.deepEqual((await testGroupNetworks(docker)).map((network) => network.Name), [`remote-swarm-group-${group}`]);
  });

  it('Scale Group to 2 workers adds worker-2 under the group', async () => {
    const { workbench } = session();
    await workbench.runContextMenuAction(group, 'Scale Group...');
    await workbench.quickInputMessage().getByText('Number of workers (now 1)').waitFor();
    await workbench.typeInQuickInput('2');
    await workbench.page.keyboard.press('Enter');
    await workbench.instanceRow(group).getByText('3/3 running').waitFor({ timeout: 120_000 });
    await workbench.waitForStatusIcon(worker(2), 'vm-running');
    assert.deepEqual(Object.keys(await memberStates(group)), [coordinator, worker(1), worker(2)]);
  });

  it('Run Command in Group runs it on every member and shows one table of exit codes and output', async () => {
    const { workbench } = session();
    await workbench.runContextMenuAction(group, 'Run Command in Group...');
    await workbench.typeInQuickInput('sh -c \'echo "I am $REMOTE_SWARM_ROLE, coordinator at $REMOTE_SWARM_COORDINATOR"\'');
    await workbench.page.keyboard.press('Enter');
    const editor = workbench.page.locator('.editor-instance .view-lines');
    await editor.getByText('on 3 members').waitFor({ timeout: 60_000 });
    await editor.getByText('3 exited 0.').waitFor();
    for (const role of ['coordinator', 'worker-1', 'worker-2']) await editor.getByText(`I am ${role}, coordinator at coordinator:8080`).waitFor();
  });

  it('Open Terminals for Group opens one terminal per member, side by side', async () => {
    const { workbench } = session();
    await workbench.runContextMenuAction(group, 'Open Terminals for Group');
    for (const member of [coordinator, worker(1), worker(2)]) await workbench.page.locator('.terminal-tabs-entry', { hasText: member }).first().waitFor();
  });

  it('Delete Group, once confirmed, removes the group, its members and its network', async () => {
    const { workbench } = session();
    await workbench.runContextMenuAction(group, 'Delete Group');
    await workbench.dialog.getByText(`Delete the group "${group}" and its 3 members?`).waitFor();
    await workbench.answerDialog('Delete and Remove Workspaces');
    await workbench.instanceRow(group).waitFor({ state: 'detached', timeout: 120_000 });
    for (const member of [coordinator, worker(1), worker(2)]) await workbench.instanceRow(member).waitFor({ state: 'detached' });
    assert.deepEqual(await memberStates(group), {});
    assert.deepEqual(await testGroupNetworks(docker), []);
    const { Volumes } = await docker.listVolumes({ filters: { label: ['remote-swarm.instance'] } });
    assert.deepEqual((Volumes ?? []).filter((volume) => volume.Labels?.['remote-swarm.name']?.startsWith(group)), []);
    await workbench.page.locator('.terminal-tabs-entry', { hasText: coordinator }).waitFor({ state: 'detached' });
  });
});

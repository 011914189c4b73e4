import assert from 'node:assert/strict';
import { join } from 'node:path';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { makeSshRig, type SshRig } from '../support/sshTestRig';

/** SSH hosts as a group's members: no network is made; each member is the host it names, reached by its host name. */
describe('a group of SSH hosts (real sshd)', function () {
  this.timeout(120_000);
  let rig: SshRig;
  let core: CoreHarness;

  beforeEach(async () => {
    rig = await makeSshRig();
    core = await makeCore(join(rig.home, 'state'), { ssh: () => rig.provider() });
  });
  afterEach(async () => {
    core.dispose();
    await rig.dispose();
  });

  it('registers a host per role, runs a command on every member, scales with the next host, and forgets them all on delete', async () => {
    const { image, workspacePath, resources, options } = rig.hostConfig('template');
    const shared = { image, workspacePath, resources };
    const plan = core.swarm.groups.plan({ name: 'lab', provider: 'ssh', workers: 1, overrides: shared, memberOptions: { coordinator: options, 'worker-1': options } });
    assert.equal(plan.network, undefined, 'SSH hosts get no private network');

    const group = await core.swarm.groups.create({ name: 'lab', provider: 'ssh', workers: 1, overrides: shared, memberOptions: { coordinator: options, 'worker-1': options } });
    assert.deepEqual(group.members.map((member) => [member.name, member.config.groupRole, member.config.options.host]), [
      ['lab-coordinator', 'coordinator', rig.sshd.host],
      ['lab-worker-1', 'worker-1', rig.sshd.host],
    ]);

    const results = await core.swarm.groups.exec('lab', ['sh', '-c', 'echo "$HOME"']);
    assert.deepEqual(results.map((entry) => [entry.member, entry.result?.exitCode, entry.result?.stdout.trim()]), [
      ['lab-coordinator', 0, rig.sshd.home],
      ['lab-worker-1', 0, rig.sshd.home],
    ]);

    const missingHost = await core.swarm.groups.scale('lab', 2).then(() => undefined, (error: unknown) => error);
    assert.match(String(missingHost), /options/, 'a new SSH member needs its host');
    const grown = await core.swarm.groups.scale('lab', 2, { memberOptions: { 'worker-2': options } });
    assert.deepEqual(grown.members.map((member) => member.config.groupRole), ['coordinator', 'worker-1', 'worker-2']);

    await core.swarm.groups.delete('lab');
    assert.equal(core.registry.size, 0);
    assert.deepEqual(core.swarm.groups.list(), []);
  });
});

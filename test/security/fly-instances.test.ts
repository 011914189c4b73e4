import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { userOwnerId } from '../../src/core/installationId';
import { waitForMachineState } from '../../src/providers/fly/flyWait';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { countingFetch, emulatorEndpoint, newFlyInstance, sweepTestApps, testAppName, testFlyClient, testFlyProvider, TEST_OWNER, type EmulatorEndpoint } from '../support/flyTestEnv';
import { swarmError } from '../support/swarmAssertions';
import { makeTempDir } from '../support/tempDir';

describe('security: Fly.io instances', function () {
  this.timeout(30_000);
  let endpoint: EmulatorEndpoint;
  const made: { core: CoreHarness; dir: ReturnType<typeof makeTempDir> }[] = [];

  /** A front end of its own (its own registry) whose Fly provider marks and takes machines as `owner`'s. */
  async function frontEnd(owner: string): Promise<CoreHarness> {
    const dir = makeTempDir();
    const core = await makeCore(dir.path, { fly: () => testFlyProvider(endpoint, { owner }) });
    core.settings.defaultImage = endpoint.image;
    made.push({ core, dir });
    return core;
  }

  before(async () => {
    endpoint = await emulatorEndpoint();
  });
  afterEach(async () => {
    for (const { core, dir } of made.splice(0)) {
      core.dispose();
      dir.remove();
    }
    await sweepTestApps(endpoint);
  });
  after(async () => {
    await endpoint?.close();
  });

  it('refuses auth "none" (a public https app anyone could open) with INVALID_CONFIG naming auth.type, before any API call', async () => {
    const requests = countingFetch();
    const provider = testFlyProvider(endpoint, { client: { fetch: requests.fetch } });
    await provider.initialize();
    requests.reset();
    const request = newFlyInstance(endpoint, { auth: { type: 'none' } });
    await assert.rejects(provider.createInstance(request), swarmError('INVALID_CONFIG', /public https app/, 'auth.type'));
    assert.deepEqual(requests.sent, []);

    const { id, config } = newFlyInstance(endpoint);
    await provider.createInstance({ id, config, password: 'pw' });
    await assert.rejects(provider.updateInstance(id, { ...config, auth: { type: 'none' } }), swarmError('INVALID_CONFIG', undefined, 'auth.type'));
  });

  it('adopts only the apps this installation made: a colleague\'s in the same organization is neither listed nor adopted', async () => {
    const mine = await frontEnd(TEST_OWNER);
    const colleague = await frontEnd('someone-else');
    const theirs = await colleague.controller.create({ provider: 'fly', template: 'development', name: 'theirs' });
    const own = await mine.controller.create({ provider: 'fly', template: 'development', name: 'mine' });
    const [machine] = await testFlyClient(endpoint).listMachines(testAppName(theirs.id));
    assert.equal(machine?.config.metadata?.remote_swarm_owner, 'someone-else', 'the machine carries its maker\'s mark');

    const [report] = await mine.controller.reconcile(['fly']);
    assert.equal(report?.error, undefined);
    assert.deepEqual(report?.adopted, []);
    assert.deepEqual(mine.controller.list().map((instance) => instance.name), ['mine']);
    const provider = await mine.pool.get('fly');
    assert.deepEqual((await provider.listInstances()).map((instance) => instance.id), [own.id], 'the colleague\'s app is not listed');
    await assert.rejects(provider.stopInstance(theirs.id), swarmError('INSTANCE_NOT_FOUND'), 'nor reachable by its id');
    await assert.rejects(provider.deleteInstance(theirs.id, { keepWorkspace: false }), swarmError('INSTANCE_NOT_FOUND', /another installation's machine/), 'nor deleted');

    // Another front end of the same installation (same owner, its own registry) adopts what this one made.
    const sameOwner = await frontEnd(TEST_OWNER);
    const [adoption] = await sameOwner.controller.reconcile(['fly']);
    assert.deepEqual(adoption?.adopted.map((instance) => instance.name), ['mine']);
    assert.equal(colleague.controller.get('theirs').status, 'running', 'the colleague\'s instance runs on');
  });

  it('keeps an instance made before owners were marked in the registry that has it, and lets no other adopt it', async () => {
    const mine = await frontEnd(TEST_OWNER);
    const created = await mine.controller.create({ provider: 'fly', template: 'development', name: 'older' });
    // As an earlier version made it: the same machine without the owner mark.
    const client = testFlyClient(endpoint);
    const app = testAppName(created.id);
    const [machine] = await client.listMachines(app);
    const { remote_swarm_owner: _owner, ...metadata } = machine!.config.metadata!;
    const updated = await client.updateMachine(app, machine!.id, { config: { ...machine!.config, metadata }, currentVersion: machine!.instance_id });
    await waitForMachineState(client, app, updated, 'started', { deadlineSeconds: 10 });

    const [kept] = await mine.controller.reconcile(['fly']);
    assert.deepEqual(kept?.vanished, [], 'its registry keeps it');
    assert.equal(mine.controller.get('older').status, 'running');
    const other = await frontEnd('someone-else');
    const [report] = await other.controller.reconcile(['fly']);
    assert.deepEqual(report?.adopted, [], 'nobody adopts it anew');
  });

  it('keeps one owner id per user, made on first use in a file only the user reads, which every front end shares', () => {
    const dir = makeTempDir();
    try {
      const first = userOwnerId(dir.path);
      assert.match(first, /^[0-9a-f]{16}$/);
      assert.equal(userOwnerId(dir.path), first, 'the CLI and the extension read the same id');
      assert.equal(statSync(join(dir.path, 'owner-id')).mode & 0o777, 0o600);
    } finally {
      dir.remove();
    }
  });
});

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { SwarmError } from '../../src/core/errors';
import type { Group } from '../../src/core/groups/groupView';
import type { Instance } from '../../src/core/models';
import { FlyError } from '../../src/providers/fly/flyErrors';
import { decodeConfig, METADATA } from '../../src/providers/fly/flyMetadata';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { emulatorEndpoint, sweepTestApps, testAppName, testFlyClient, testFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';
import { outputOf, resolvedAddresses } from '../support/memberCommands';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const SMALL = { resources: { cpuCores: 1, memoryMB: 256, storageGB: 1 }, workspacePath: '/workspace' };

describe('groups on the Fly provider (the emulator, its machines Docker containers)', function () {
  this.timeout(120_000);
  let endpoint: EmulatorEndpoint;
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  const groupName = (label: string) => `g${RUN_ID}${label}`;

  const coreOnEmulator = async () => {
    const made = await makeCore(temp.path, { fly: () => testFlyProvider(endpoint) });
    made.settings.defaultImage = endpoint.image;
    made.settings.maxInstances = 20;
    return made;
  };

  before(async () => {
    await requireDocker();
    ensureTestImage();
    endpoint = await emulatorEndpoint({ runtime: 'docker' });
  });

  beforeEach(async () => {
    temp = makeTempDir();
    core = await coreOnEmulator();
  });

  afterEach(async () => {
    core.dispose();
    temp.remove();
    await sweepTestApps(endpoint);
  });

  after(async () => {
    await endpoint?.close();
  });

  /** Each test app's private network, as Fly's app listing shows it. */
  async function appNetworks(): Promise<Map<string, string | undefined>> {
    const apps = await testFlyClient(endpoint).listAppNetworks(endpoint.org);
    return new Map(apps.filter((app) => app.name.startsWith(testAppName(''))).map((app) => [app.name, app.network]));
  }

  async function networksOf(group: Group): Promise<(string | undefined)[]> {
    const networks = await appNetworks();
    return group.members.map((member) => networks.get(testAppName(member.id)));
  }

  async function metadataOf(member: Instance): Promise<Record<string, string>> {
    const [machine] = await testFlyClient(endpoint).listMachines(testAppName(member.id));
    return machine?.config.metadata ?? {};
  }

  const internalHost = (member: Instance | undefined) => `${testAppName(member!.id)}.internal`;
  const roles = (group: Group) => group.members.map((member) => member.config.groupRole);

  it("puts a group's apps on one Fly network with the group in their metadata; a worker fetches the coordinator's page at <app>.internal, another group cannot resolve it", async () => {
    const alpha = await core.swarm.groups.create({ name: groupName('a'), provider: 'fly', workers: 2, overrides: SMALL });
    const beta = await core.swarm.groups.create({ name: groupName('b'), provider: 'fly', workers: 1, overrides: SMALL });
    assert.deepEqual(roles(alpha), ['coordinator', 'worker-1', 'worker-2']);

    const [alphaNetwork, ...alphaRest] = await networksOf(alpha);
    const [betaNetwork, ...betaRest] = await networksOf(beta);
    assert.ok(alphaNetwork && alphaNetwork !== 'default', `alpha's apps are on a network of their own, not ${alphaNetwork}`);
    assert.deepEqual(alphaRest, [alphaNetwork, alphaNetwork], "every member's app is on its group's network");
    assert.deepEqual(betaRest, [betaNetwork]);
    assert.notEqual(betaNetwork, alphaNetwork, 'another group is on another network');
    for (const member of alpha.members) {
      const metadata = await metadataOf(member);
      assert.equal(metadata[METADATA.group], alpha.name);
      assert.equal(decodeConfig(metadata)?.groupRole, member.config.groupRole);
    }
    const networks = await (await core.pool.get('fly')).networks!.listNetworks();
    assert.deepEqual(networks.map((network) => network.name).sort(), [alpha.network, beta.network].sort());

    await outputOf(core.controller, alpha.coordinator!.name, 'sh', '-c', 'echo alpha > /www/whoami');
    const worker = alpha.workers[1]!.name;
    const coordinator = internalHost(alpha.coordinator);
    assert.equal((await outputOf(core.controller, worker, 'wget', '-qO-', `http://${coordinator}:8080/whoami`)).trim(), 'alpha');
    const env = (await outputOf(core.controller, worker, 'env')).split('\n');
    for (const line of [`REMOTE_SWARM_GROUP=${alpha.name}`, 'REMOTE_SWARM_ROLE=worker-2', `REMOTE_SWARM_COORDINATOR=${coordinator}:8080`]) {
      assert.ok(env.includes(line), `${line} in\n${env.join('\n')}`);
    }
    assert.ok(!env.some((line) => line.startsWith('REMOTE_SWARM_WORKERS=')), 'Fly has no one name for every worker, so none is given');

    assert.equal((await resolvedAddresses(core.controller, beta.workers[0]!.name, coordinator)).length, 0, "alpha's coordinator has no name on beta's network");
    assert.equal((await resolvedAddresses(core.controller, beta.workers[0]!.name, internalHost(beta.coordinator))).length, 1, "beta's own coordinator has");
  });

  it('scales 1 → 3 → 1: new workers join the network and reach the coordinator, removed ones take their apps with them', async () => {
    const name = groupName('s');
    const created = await core.swarm.groups.create({ name, provider: 'fly', workers: 1, overrides: SMALL });
    const [network] = await networksOf(created);

    const grown = await core.swarm.groups.scale(name, 3);
    assert.deepEqual(roles(grown), ['coordinator', 'worker-1', 'worker-2', 'worker-3']);
    assert.deepEqual(await networksOf(grown), [network, network, network, network]);
    assert.match(await outputOf(core.controller, `${name}-worker-3`, 'wget', '-qO-', `http://${internalHost(grown.coordinator)}:8080/healthz`), /alive/);

    const shrunk = await core.swarm.groups.scale(name, 1);
    assert.deepEqual(roles(shrunk), ['coordinator', 'worker-1']);
    assert.deepEqual([...(await appNetworks()).keys()].sort(), shrunk.members.map((member) => testAppName(member.id)).sort());
  });

  it('leaves no app behind when a member cannot be made', async () => {
    core.userTemplates.push({ name: 'broken-worker', image: `remote-swarm/no-such-image-${RUN_ID}:never`, resources: SMALL.resources });
    const failure = await core.swarm.groups
      .create({ name: groupName('f'), provider: 'fly', coordinatorTemplate: 'development', workerTemplate: 'broken-worker', workers: 3, overrides: { workspacePath: '/workspace' } })
      .then(() => undefined, (error: unknown) => error);
    assert.ok(SwarmError.is(failure), String(failure));
    assert.deepEqual([...(await appNetworks()).keys()], []);
    assert.equal(core.registry.size, 0);
    assert.deepEqual(core.swarm.groups.list(), []);
  });

  it('is rebuilt from the machines\' metadata after the registry is lost, and deletes every app', async () => {
    const name = groupName('r');
    await core.swarm.groups.create({ name, provider: 'fly', workers: 2, overrides: SMALL });
    core.dispose();
    rmSync(core.storePath);
    core = await coreOnEmulator();
    await core.controller.reconcile(['fly']);
    const [adopted] = core.swarm.groups.list();
    assert.equal(adopted?.name, name);
    assert.deepEqual(roles(adopted!), ['coordinator', 'worker-1', 'worker-2']);
    assert.equal(adopted!.workerTemplate, 'agent');

    await core.swarm.groups.delete(name);
    assert.deepEqual([...(await appNetworks()).keys()], []);
    assert.deepEqual(await (await core.pool.get('fly')).networks!.listNetworks(), []);
  });

  it('refuses to move an existing app onto or off a network, as Fly cannot', async () => {
    const networks = (await core.pool.get('fly')).networks!;
    await assert.rejects(networks.connectInstance('group-x', 'abc123', ['coordinator']), (error: unknown) => SwarmError.is(error, 'CONFLICT') && /set when the app is created/.test(error.message));
    await assert.rejects(networks.disconnectInstance('group-x', 'abc123'), (error: unknown) => SwarmError.is(error, 'CONFLICT'));
  });

  it('the emulator lists the network an app was created on and refuses a network name that is not a DNS label', async () => {
    const client = testFlyClient(endpoint);
    const [plain, grouped] = [testAppName(`plain${RUN_ID}`), testAppName(`net${RUN_ID}`)];
    await client.createApp(plain, endpoint.org);
    await client.createApp(grouped, endpoint.org, { network: 'some-network' });
    const networks = await appNetworks();
    assert.equal(networks.get(plain), 'default');
    assert.equal(networks.get(grouped), 'some-network');
    await assert.rejects(client.createApp(testAppName(`bad${RUN_ID}`), endpoint.org, { network: 'Not A Label!' }), (error: unknown) => error instanceof FlyError && /invalid network/.test(error.message));
  });
});

import assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/logger';
import type { ProviderInstance } from '../../src/core/provider';
import type { FlyProvider } from '../../src/providers/fly/flyProvider';
import { emulatorEndpoint, seedFlyInstances, testAppName, testFlyClient, testFlyProvider, type EmulatorEndpoint } from '../support/flyTestEnv';

/** Listing Fly instances: one paged GraphQL query for the organization's apps with their machines, REST where it cannot answer. */
describe('Fly listing of instances', function () {
  this.timeout(20_000);
  let endpoint: EmulatorEndpoint;

  beforeEach(async () => {
    endpoint = await emulatorEndpoint();
  });

  afterEach(async () => {
    await endpoint?.close();
  });

  const answered = (operation: string) => endpoint.emulator.requests.filter((request) => request.operation === operation && request.status === 200).length;

  async function pagingProvider(options: Parameters<typeof testFlyProvider>[1] = {}): Promise<FlyProvider> {
    const provider = testFlyProvider(endpoint, { ...options, client: { pageSizes: { appsWithMachines: 2 }, ...options.client } });
    await provider.initialize();
    return provider;
  }

  const byId = (instances: readonly ProviderInstance[]) => [...instances].sort((a, b) => a.id.localeCompare(b.id));

  it('lists 7 apps with ceil(7 / 2) GraphQL requests and none per app, each instance as a lookup of its app sees it', async () => {
    const ours = await seedFlyInstances(endpoint, 5);
    await seedFlyInstances(endpoint, 1, 'another-installation');
    await testFlyClient(endpoint).createApp('not-an-instance', endpoint.org);
    const provider = await pagingProvider();

    const listed = await provider.listInstances();
    assert.equal(answered('apps.machines.list'), 4);
    assert.equal(answered('machines.list') + answered('apps.list'), 0);
    assert.deepEqual(listed.map((instance) => instance.id).sort(), [...ours].sort(), 'ours only: not another installation\'s, not other apps');
    const lookedUp = await Promise.all(ours.map((id) => provider.getInstance(id)));
    assert.deepEqual(byId(listed), byId(lookedUp.filter((instance) => instance !== undefined)), 'the same as the Machines API gives for each app');
  });

  it('lists an app over REST when its machines do not fit in the query\'s page', async () => {
    const [crowded, alone] = await seedFlyInstances(endpoint, 2);
    await testFlyClient(endpoint).createMachine(testAppName(crowded!), { region: endpoint.region, config: { image: endpoint.image, guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 } } });
    const provider = await pagingProvider({ client: { pageSizes: { machinesPerApp: 1 } } });

    assert.deepEqual((await provider.listInstances()).map((instance) => instance.id).sort(), [crowded, alone].sort());
    assert.equal(answered('machines.list'), 1, 'only the app with two machines');
  });

  it('lists every app over REST when Fly does not understand the query, and says so once', async () => {
    const ours = await seedFlyInstances(endpoint, 3);
    const warnings: string[] = [];
    const provider = await pagingProvider({ logger: { ...silentLogger, warn: (message) => warnings.push(message) } });
    endpoint.emulator.faults.reply('apps.machines.list', 200, { data: null, errors: [{ message: 'Field \'machines\' doesn\'t exist on type \'App\'' }] });

    for (let listing = 0; listing < 2; listing++) {
      assert.deepEqual((await provider.listInstances()).map((instance) => instance.id).sort(), [...ours].sort());
    }
    assert.equal(endpoint.emulator.requests.filter((request) => request.operation === 'apps.machines.list').length, 1, 'the query is not sent again');
    assert.equal(answered('apps.list'), 2);
    assert.equal(answered('machines.list'), 6, 'one per app, each time');
    assert.equal(warnings.filter((message) => /GraphQL listing .* failed \(Field 'machines' doesn't exist/.test(message)).length, 1);
  });
});

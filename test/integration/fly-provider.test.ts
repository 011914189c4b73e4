import assert from 'node:assert/strict';
import { memoryProviderContext } from '../support/providerContext';
import { SwarmError } from '../../src/core/errors';
import { ProviderFactory } from '../../src/core/provider';
import { FLY_CAPABILITIES, flyProvider } from '../../src/providers/fly';
import { FlyProvider, type FlyProviderOptions } from '../../src/providers/fly/flyProvider';
import { swarmError } from '../support/swarmAssertions';
import { countingFetch, flyTestEndpoint, newFlyInstance, sweepTestApps, testAppName, testFlyProvider, type FlyTestEndpoint } from '../support/flyTestEnv';

describe('FlyProvider against a Machines API (the emulator, or REMOTE_SWARM_FLY_API_URL)', function () {
  this.timeout(30_000);
  let endpoint: FlyTestEndpoint;
  let provider: FlyProvider;
  const requests = countingFetch();

  before(async () => {
    endpoint = await flyTestEndpoint();
    provider = testFlyProvider(endpoint, { client: { fetch: requests.fetch } });
    await provider.initialize();
  });

  afterEach(async () => {
    await sweepTestApps(endpoint);
  });

  after(async () => {
    await endpoint?.close();
  });

  /** Runs `operation` and returns how many API requests it sent. */
  async function cost(operation: () => Promise<unknown>): Promise<number> {
    requests.reset();
    await operation();
    return requests.sent.length;
  }

  it('runs the lifecycle: create, get, list, stop, start, restart, update, delete', async () => {
    const { id, config } = newFlyInstance(endpoint, { group: 'crew' });
    const progress: string[] = [];
    const created = await provider.createInstance({ id, config, password: 's3cret' }, { onProgress: (message) => progress.push(message) });
    const app = testAppName(id);
    assert.equal(created.id, id);
    assert.equal(created.status, 'running');
    assert.deepEqual(created.urls, { ide: `https://${app}.fly.dev/` });
    assert.deepEqual(created.config, config);
    assert.equal(created.metadata.app, app);
    assert.equal(created.metadata.region, endpoint.region);
    assert.equal(created.metadata.size, 'shared-cpu-1x 256MB');
    assert.equal(created.metadata.pricePerHourUsd, ((1.94 + 0.15) / 720).toFixed(5));
    assert.deepEqual(progress, [
      `Creating Fly.io app ${app}`,
      'Storing the code-server password as an app secret',
      `Creating the 1 GB workspace volume in ${endpoint.region}`,
      'Allocating shared IPv4 and IPv6 addresses',
      'Creating the machine (shared-cpu-1x, 256 MB)',
      'Waiting for the machine to start',
    ]);

    assert.equal((await provider.getInstance(id))?.status, 'running');
    const listed = (await provider.listInstances()).find((instance) => instance.id === id);
    assert.deepEqual(listed?.config, config, 'the config comes back from the machine metadata');

    const stopped = await provider.stopInstance(id);
    assert.equal(stopped.status, 'stopped');
    assert.deepEqual(stopped.urls, {});
    assert.equal((await provider.stopInstance(id)).status, 'stopped', 'stopping a stopped instance changes nothing');
    assert.equal((await provider.startInstance(id)).status, 'running');
    assert.equal((await provider.restartInstance(id)).status, 'running');
    assert.equal((await provider.stopInstance(id, { force: true })).status, 'stopped');
    assert.equal((await provider.restartInstance(id)).status, 'running', 'restarting a stopped instance starts it');

    const bigger = { ...config, resources: { cpuCores: 2, memoryMB: 4096, storageGB: 3 } };
    const updated = await provider.updateInstance(id, bigger);
    assert.equal(updated.status, 'running');
    assert.equal(updated.metadata.size, 'shared-cpu-2x 4096MB');
    assert.equal(updated.metadata.machineId, created.metadata.machineId, 'the same machine, updated in place');
    assert.equal(updated.metadata.volume, created.metadata.volume, 'the same volume, extended');
    assert.deepEqual(updated.config, bigger);

    await provider.deleteInstance(id, { keepWorkspace: false });
    assert.equal(await provider.getInstance(id), undefined);
    assert.equal((await provider.listInstances()).some((instance) => instance.id === id), false);
    await assert.rejects(provider.deleteInstance(id, { keepWorkspace: false }), swarmError('INSTANCE_NOT_FOUND'));
    await assert.rejects(provider.startInstance(id), swarmError('INSTANCE_NOT_FOUND', /no longer exists/));
  });

  it('costs 7 API requests to create, 3 to start, 3 to stop, 2 to delete and 1 to list', async () => {
    const { id, config } = newFlyInstance(endpoint);
    // Create: app, password secret, volume, IPv6, shared IPv4, machine, /wait.
    assert.equal(await cost(() => provider.createInstance({ id, config, password: 'pw' })), 7, requests.sent.join('\n'));
    // Start and stop: list the app's machines, the action, /wait.
    assert.equal(await cost(() => provider.stopInstance(id)), 3, requests.sent.join('\n'));
    assert.equal(await cost(() => provider.startInstance(id)), 3, requests.sent.join('\n'));
    // Delete: the app's machines (is it this installation's?), then the app, which takes its machine, volume and IP addresses with it.
    assert.equal(await cost(() => provider.deleteInstance(id, { keepWorkspace: false })), 2, requests.sent.join('\n'));
    // Without a password there is no secret to store.
    const second = newFlyInstance(endpoint);
    assert.equal(await cost(() => provider.createInstance(second)), 6, requests.sent.join('\n'));
    // Listing: one GraphQL request for a page of the organization's apps with their machines.
    assert.equal(await cost(() => provider.listInstances()), 1, requests.sent.join('\n'));
  });

  it('refuses what Fly would refuse before any API call, naming the field', async () => {
    const cases: [Partial<Parameters<typeof newFlyInstance>[1]>, string][] = [
      [{ resources: { cpuCores: 0.5, memoryMB: 256, storageGB: 1 } }, 'resources.cpuCores'],
      [{ resources: { cpuCores: 1, memoryMB: 300, storageGB: 1 } }, 'resources.memoryMB'],
      [{ resources: { cpuCores: 1, memoryMB: 256, storageGB: 600 } }, 'resources.storageGB'],
      [{ workspacePath: '/' }, 'workspacePath'],
    ];
    for (const [overrides, field] of cases) {
      const request = newFlyInstance(endpoint, overrides);
      assert.equal(await cost(() => assert.rejects(provider.createInstance(request), swarmError('INVALID_CONFIG', undefined, field))), 0, field);
    }
  });

  it('keeps a stopped instance stopped through an update, and refuses to shrink its volume', async () => {
    const { id, config } = newFlyInstance(endpoint, { resources: { cpuCores: 1, memoryMB: 256, storageGB: 2 } });
    await provider.createInstance({ id, config });
    await provider.stopInstance(id);
    const updated = await provider.updateInstance(id, { ...config, env: { EDITOR: 'nano' } });
    assert.equal(updated.status, 'stopped');
    assert.deepEqual(updated.config?.env, { EDITOR: 'nano' });
    await assert.rejects(provider.updateInstance(id, { ...config, resources: { ...config.resources, storageGB: 1 } }), swarmError('INVALID_CONFIG', /cannot shrink; the workspace has 2 GB/, 'resources.storageGB'));
  });

  it('declines what the Machines API does not offer: keeping the workspace on delete, logs, a shell', async () => {
    const { id, config } = newFlyInstance(endpoint);
    await provider.createInstance({ id, config });
    await assert.rejects(provider.deleteInstance(id, { keepWorkspace: true }), swarmError('INVALID_CONFIG', /cannot keep their workspace/, 'keepWorkspace'));
    assert.equal((await provider.getInstance(id))?.status, 'running', 'a refused delete deletes nothing');
    await assert.rejects(provider.getInstanceLogs(id), swarmError('OPERATION_FAILED', new RegExp(`fly logs --app ${testAppName(id)}`)));
    await assert.rejects(provider.openShell(id), swarmError('OPERATION_FAILED', new RegExp(`fly ssh console --app ${testAppName(id)}`)));
    const capabilities = provider.getCapabilities();
    assert.deepEqual([capabilities.logs, capabilities.shell, capabilities.keepWorkspaceOnDelete, capabilities.exec], [false, false, false, true]);
  });

  describe('initialize', () => {
    const providerWith = (options: Partial<FlyProviderOptions>) => testFlyProvider(endpoint, options);

    it('asks for a token when none is set, with the secret to set as its remedy', async () => {
      await assert.rejects(providerWith({ getToken: async () => undefined }).initialize(), (error: unknown) => {
        swarmError('AUTH_FAILED', /No Fly\.io API token is set.*fly tokens create org/)(error);
        return (error as SwarmError).remedy?.kind === 'secret';
      });
    });

    it('reports a token Fly refuses as AUTH_FAILED', async () => {
      await assert.rejects(providerWith({ getToken: async () => 'not-a-valid-token' }).initialize(), swarmError('AUTH_FAILED', /refused the API token/));
    });

    it('reports an unknown organization or region as INVALID_CONFIG of its setting', async () => {
      await assert.rejects(providerWith({ org: 'no-such-org' }).initialize(), swarmError('INVALID_CONFIG', /no-such-org/, 'fly.org'));
      await assert.rejects(providerWith({ region: 'xyz' }).initialize(), swarmError('INVALID_CONFIG', /"xyz" is not a Fly\.io region; use one of: .*iad/, 'fly.region'));
    });
  });

  it('registers as "fly" with its capabilities, pricing and the remoteSwarm.fly settings', async () => {
    const factory = new ProviderFactory();
    factory.register(flyProvider);
    const description = factory.describe('fly');
    assert.equal(description?.displayName, 'Fly.io');
    assert.deepEqual(description?.capabilities, FLY_CAPABILITIES);
    assert.equal(typeof description?.pricing, 'function');
    const registered = await factory.create('fly', { org: endpoint.org, region: endpoint.region, apiUrl: endpoint.apiUrl, graphqlUrl: endpoint.graphqlUrl }, memoryProviderContext({ 'remoteSwarm.fly.apiToken': endpoint.token }));
    await registered.initialize();
    assert.ok(Array.isArray(await registered.listInstances()));
    assert.ok((await factory.create('fly', { org: '', region: '' }, memoryProviderContext())) instanceof FlyProvider, 'empty settings mean the defaults');
    await assert.rejects(factory.create('fly', { region: 42 }, memoryProviderContext()), swarmError('INVALID_CONFIG', /fly\.region/));
  });
});

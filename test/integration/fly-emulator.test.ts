import assert from 'node:assert/strict';
import { FlyClient } from '../../src/providers/fly/flyClient';
import { FlyError, type FlyErrorCategory } from '../../src/providers/fly/flyErrors';
import type { FlyMachineConfig, FlyWaitState } from '../../src/providers/fly/flyTypes';
import { startFlyEmulator, type FlyEmulator } from '../support/flyEmulator';
import { scaledRateLimits } from '../support/flyTestEnv';

function flyError(category: FlyErrorCategory, pattern?: RegExp, code?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof FlyError, `expected a FlyError, got ${String(error)}`);
    assert.equal(error.category, category, `${error.code}: ${error.message}`);
    if (pattern) assert.match(error.message, pattern);
    if (code) assert.equal(error.code, code);
    return true;
  };
}

const machineConfig = (overrides: Partial<FlyMachineConfig> = {}): FlyMachineConfig => ({
  image: 'remote-swarm/test-busybox:latest',
  guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 },
  ...overrides,
});

/** The emulator refuses what Fly refuses, with Fly's statuses, and the client classifies each over real HTTP. */
describe('Fly emulator, through the FlyClient', function () {
  this.timeout(20_000);
  let emulator: FlyEmulator;
  let client: FlyClient;
  let appCount = 0;

  before(async () => {
    emulator = await startFlyEmulator({ rateLimitScale: 10 });
    client = new FlyClient({ apiUrl: emulator.apiUrl, graphqlUrl: emulator.graphqlUrl, token: emulator.token, rateLimits: scaledRateLimits(10) });
  });

  after(async () => {
    await emulator?.close();
  });

  /** A request as any HTTP client would send it: for what the FlyClient never sends. */
  function raw(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${emulator.apiUrl}${path}`, { method, headers: { Authorization: `Bearer ${emulator.token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  /** Requests of an operation the emulator answered (not those turned away for the rate limit). */
  const answered = (operation: string) => emulator.requests.filter((request) => request.operation === operation && request.status === 200);

  async function newApp(): Promise<string> {
    const name = `emulator-test-${++appCount}`;
    await client.createApp(name, emulator.org);
    return name;
  }

  it('refuses a wrong token with 401 on REST and GraphQL', async () => {
    const stranger = new FlyClient({ apiUrl: emulator.apiUrl, graphqlUrl: emulator.graphqlUrl, token: 'wrong' });
    await assert.rejects(stranger.listApps(emulator.org), flyError('auth', /authenticated/));
    await assert.rejects(stranger.listRegions(), flyError('auth'));
  });

  it('refuses taken and invalid app names, and unknown organizations', async () => {
    emulator.reserveAppName('someone-elses-app');
    await assert.rejects(client.createApp('someone-elses-app', emulator.org), flyError('validation', /already been taken/, 'name_taken'));
    const app = await newApp();
    await assert.rejects(client.createApp(app, emulator.org), flyError('validation', undefined, 'name_taken'));
    await assert.rejects(client.createApp('Not_An_App', emulator.org), flyError('validation', /invalid app name/));
    await client.createApp(`${appCount}-starts-with-a-digit`, emulator.org);
    await assert.rejects(client.createApp('fine-name', 'no-such-org'), flyError('not_found', /organization/));
    await assert.rejects(client.getApp('no-such-app'), flyError('not_found', /app not found/));
  });

  it('validates machine requests against the spec and Fly\'s rules', async () => {
    const app = await newApp();
    const refused = (config: FlyMachineConfig, region = 'iad') => client.createMachine(app, { region, config });
    await assert.rejects(refused(machineConfig({ guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 300 } })), flyError('validation', /multiple of 256MB/));
    await assert.rejects(refused(machineConfig({ guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 4096 } })), flyError('validation', /between 256MB and 2048MB/));
    await assert.rejects(refused(machineConfig({ guest: { cpu_kind: 'performance', cpus: 3, memory_mb: 4096 } })), flyError('validation', /number of CPUs/));
    await assert.rejects(refused(machineConfig(), 'xyz'), flyError('validation', /invalid region "xyz"/));
    await assert.rejects(refused(machineConfig({ image: '' })), flyError('validation', /image is required/));
    const wrongType = machineConfig({ guest: { cpu_kind: 'shared', cpus: '1' as unknown as number, memory_mb: 256 } });
    await assert.rejects(refused(wrongType), flyError('validation', /config\.guest\.cpus: expected integer, got string/));
    const elsewhere = await client.createVolume(app, { name: 'data', region: 'ams', sizeGb: 1 });
    await assert.rejects(refused(machineConfig({ mounts: [{ volume: elsewhere.id, path: '/data' }] })), flyError('validation', /in region ams/));
    await assert.rejects(client.createVolume(app, { name: 'Bad-Name', region: 'iad', sizeGb: 1 }), flyError('validation', /volume name/));
    await assert.rejects(client.createVolume(app, { name: 'big', region: 'iad', sizeGb: 501 }), flyError('validation', /size_gb/));
  });

  it('runs the machine state machine, waiting through /wait', async () => {
    const app = await newApp();
    const volume = await client.createVolume(app, { name: 'workspace', region: 'iad', sizeGb: 1 });
    const machine = await client.createMachine(app, { region: 'iad', config: machineConfig({ mounts: [{ volume: volume.id, path: '/w' }] }), skipLaunch: true });
    assert.equal(machine.state, 'created');
    assert.equal(machine.config.mounts?.[0]?.size_gb, 1, 'Fly fills in the mount size');
    assert.equal((await client.getVolume(app, volume.id)).attached_machine_id, machine.id);

    await client.startMachine(app, machine.id);
    await client.waitMachine(app, machine.id, { states: ['started'], timeoutSeconds: 5 });
    assert.equal((await client.getMachine(app, machine.id)).state, 'started');
    await assert.rejects(client.startMachine(app, machine.id), flyError('conflict', /unable to start machine from current state: 'started'/));
    await assert.rejects(client.deleteMachine(app, machine.id), flyError('conflict', /not currently stopped/));
    await assert.rejects(client.deleteVolume(app, volume.id), flyError('conflict', /attached to machine/));

    await client.restartMachine(app, machine.id, 1);
    await client.waitMachine(app, machine.id, { states: ['started'], timeoutSeconds: 5 });
    await client.stopMachine(app, machine.id, { timeoutSeconds: 1 });
    await client.waitMachine(app, machine.id, { states: ['stopped'], instanceId: machine.instance_id, timeoutSeconds: 5 });
    await assert.rejects(client.stopMachine(app, machine.id), flyError('conflict', /from current state: 'stopped'/));

    const updated = await client.updateMachine(app, machine.id, { config: machineConfig({ env: { A: '1' } }), currentVersion: machine.instance_id, skipLaunch: true });
    assert.notEqual(updated.instance_id, machine.instance_id);
    assert.equal(updated.state, 'stopped');
    await assert.rejects(
      client.updateMachine(app, machine.id, { config: machineConfig(), currentVersion: machine.instance_id }),
      flyError('conflict', /not current_version/),
    );
    assert.equal((await client.getVolume(app, volume.id)).attached_machine_id, null, 'the update dropped the mount');

    await assert.rejects(client.extendVolume(app, volume.id, 1), flyError('validation', /cannot shrink/));
    assert.equal((await client.extendVolume(app, volume.id, 3)).volume.size_gb, 3);

    await client.startMachine(app, machine.id);
    await client.deleteMachine(app, machine.id, true);
    await client.waitMachine(app, machine.id, { states: ['destroyed'], timeoutSeconds: 1 });
    await assert.rejects(client.getMachine(app, machine.id), flyError('not_found'));
    assert.equal((await client.deleteVolume(app, volume.id)).state, 'pending_destroy');
  });

  it('answers /wait with 408 when the state is not reached in time, and refuses timeouts over 60 s', async () => {
    const app = await newApp();
    const machine = await client.createMachine(app, { region: 'iad', config: machineConfig(), skipLaunch: true });
    await assert.rejects(client.waitMachine(app, machine.id, { states: ['started'], timeoutSeconds: 1 }), flyError('timeout', /deadline_exceeded/));
    await assert.rejects(client.waitMachine(app, machine.id, { states: ['started'], timeoutSeconds: 61 }), flyError('validation', /1 to 60/));
  });

  it('pages lists by limit and cursor: the next cursor in the body for apps, in fly-next-cursor for machines and volumes', async () => {
    const app = await newApp();
    for (let i = 0; i < 5; i++) {
      await client.createVolume(app, { name: `v${i}`, region: 'iad', sizeGb: 1 });
      await client.createMachine(app, { region: 'iad', config: machineConfig(), skipLaunch: true });
    }
    const first = await raw('GET', `/v1/apps/${app}/machines?limit=2`);
    assert.equal(((await first.json()) as unknown[]).length, 2);
    const cursor = first.headers.get('fly-next-cursor');
    assert.ok(cursor, 'a next cursor while more remain');
    const last = await raw('GET', `/v1/apps/${app}/machines?limit=3&cursor=${cursor}`);
    assert.equal(((await last.json()) as unknown[]).length, 3);
    assert.equal(last.headers.get('fly-next-cursor'), null, 'none on the last page');
    assert.equal((await raw('GET', `/v1/apps/${app}/machines?cursor=${cursor}`)).status, 400, 'a cursor needs a limit');
    assert.equal((await raw('GET', `/v1/apps/${app}/volumes?limit=1001`)).status, 400, 'at most 1000 volumes a page');
    const apps = (await (await raw('GET', `/v1/apps?org_slug=${emulator.org}&limit=1`)).json()) as { apps: unknown[]; next_cursor?: string; total_apps: number };
    assert.equal(apps.apps.length, 1);
    assert.ok(apps.next_cursor && apps.total_apps > 1);

    const paging = new FlyClient({ apiUrl: emulator.apiUrl, graphqlUrl: emulator.graphqlUrl, token: emulator.token, rateLimits: scaledRateLimits(10), pageSizes: { apps: 2, machines: 2, volumes: 2 } });
    const sent = { machines: answered('machines.list').length, volumes: answered('volumes.list').length, apps: answered('apps.list').length };
    assert.equal((await paging.listMachines(app)).length, 5);
    assert.equal((await paging.listVolumes(app)).length, 5);
    assert.equal((await paging.listApps(emulator.org)).length, apps.total_apps);
    assert.equal(answered('machines.list').length - sent.machines, 3, 'five machines in pages of two');
    assert.equal(answered('volumes.list').length - sent.volumes, 3);
    assert.equal(answered('apps.list').length - sent.apps, Math.ceil(apps.total_apps / 2));
  });

  it('waits on the machine version instance_id names, for the states Fly takes, and says which it reached', async () => {
    const app = await newApp();
    const machine = await client.createMachine(app, { region: 'iad', config: machineConfig(), skipLaunch: true });
    const wait = (states: FlyWaitState[], instanceId?: string) => client.waitMachine(app, machine.id, { states, timeoutSeconds: 1, ...(instanceId ? { instanceId } : {}) });
    assert.deepEqual(await wait(['started', 'settled'], machine.instance_id), { state: 'created' }, 'settled: any state a machine rests in');
    await assert.rejects(wait(['stopped']), flyError('validation', /instance_id required when waiting for stopped/));
    await assert.rejects(wait(['started'], '01NOSUCHVERSION'), flyError('validation', /no such version/));
    await assert.rejects(wait(['running' as FlyWaitState]), flyError('validation', /invalid state "running"/));
    await assert.rejects(wait(['suspended']), flyError('timeout'), 'suspended is a state Fly waits for');

    const updated = await client.updateMachine(app, machine.id, { config: machineConfig({ env: { A: '1' } }), skipLaunch: true });
    await assert.rejects(wait(['settled'], machine.instance_id), flyError('timeout'), 'a replaced version never reaches a state again');
    assert.deepEqual(await wait(['settled'], updated.instance_id), { state: 'created' });
  });

  it('fails a launch as asked: the machine rests in failed, its last event saying why', async () => {
    const app = await newApp();
    emulator.failNextLaunch('failed to pull image: not found');
    const machine = await client.createMachine(app, { region: 'iad', config: machineConfig() });
    assert.deepEqual(await client.waitMachine(app, machine.id, { states: ['started', 'failed'], timeoutSeconds: 5 }), { state: 'failed' });
    const [last] = (await client.getMachine(app, machine.id)).events ?? [];
    assert.deepEqual({ type: last?.type, status: last?.status, error: last?.request?.error }, { type: 'launch', status: 'failed', error: 'failed to pull image: not found' });
    await client.startMachine(app, machine.id);
    assert.deepEqual(await client.waitMachine(app, machine.id, { states: ['started', 'failed'], timeoutSeconds: 5 }), { state: 'started' }, 'the next launch works');
  });

  it('takes restart\'s timeout from the query, and destroys a started machine only with force', async () => {
    const app = await newApp();
    const machine = await client.createMachine(app, { region: 'iad', config: machineConfig() });
    await client.waitMachine(app, machine.id, { states: ['started'], timeoutSeconds: 5 });
    await client.restartMachine(app, machine.id, 7);
    assert.equal(answered('machine.restart').at(-1)?.path, `/v1/apps/${app}/machines/${machine.id}/restart?timeout=7s`);
    await client.waitMachine(app, machine.id, { states: ['started'], timeoutSeconds: 5 });
    assert.equal((await raw('DELETE', `/v1/apps/${app}/machines/${machine.id}?kill=true`)).status, 412, 'fly-admin\'s kill=true is not the spec\'s force');
    await client.deleteMachine(app, machine.id, true);
    assert.equal(answered('machine.delete').at(-1)?.path, `/v1/apps/${app}/machines/${machine.id}?force=true`);
    await assert.rejects(client.getMachine(app, machine.id), flyError('not_found'));
  });

  it('answers the listing of apps with their machines page by page, and refuses a query Fly\'s schema does not allow', async () => {
    const app = await newApp();
    const machine = await client.createMachine(app, { region: 'iad', config: machineConfig({ metadata: { role: 'listed' } }) });
    const paging = new FlyClient({ apiUrl: emulator.apiUrl, graphqlUrl: emulator.graphqlUrl, token: emulator.token, rateLimits: scaledRateLimits(10), pageSizes: { appsWithMachines: 2 } });
    const sent = answered('apps.machines.list').length;
    const apps = await paging.listAppsWithMachines(emulator.org);
    assert.deepEqual(apps.map((listed) => listed.name).sort(), (await client.listApps(emulator.org)).map((listed) => listed.name).sort());
    assert.equal(answered('apps.machines.list').length - sent, Math.ceil(apps.length / 2));
    const [listed] = apps.find((candidate) => candidate.name === app)?.machines ?? [];
    assert.deepEqual(
      { id: listed?.id, instance_id: listed?.instance_id, metadata: listed?.config.metadata, region: listed?.region },
      { id: machine.id, instance_id: machine.instance_id, metadata: { role: 'listed' }, region: 'iad' },
    );
    await assert.rejects(client.listAppsWithMachines('no-such-org'), flyError('not_found', /no-such-org/));

    const answer = await fetch(`${emulator.graphqlUrl}/graphql`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${emulator.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'query { organization(slug: "personal") { apps { nodes { name machineCount } } } }' }),
    });
    const { errors } = (await answer.json()) as { errors?: { message: string }[] };
    assert.match(errors?.[0]?.message ?? '', /Cannot query field "machineCount" on type "App"/);
  });

  it('allocates, lists and releases IP addresses, and stores secrets, over GraphQL', async () => {
    const app = await newApp();
    const v6 = await client.allocateIpAddress(app, 'v6');
    assert.equal(v6?.type, 'v6');
    assert.equal(await client.allocateIpAddress(app, 'shared_v4'), undefined, 'Fly answers a shared IPv4 without an address');
    const listed = await client.listIpAddresses(app);
    assert.deepEqual(listed.map((ip) => ip.type).sort(), ['shared_v4', 'v6']);
    await client.releaseIpAddress(app, v6!.address);
    assert.deepEqual((await client.listIpAddresses(app)).map((ip) => ip.type), ['shared_v4']);
    await assert.rejects(client.releaseIpAddress(app, '2a09::1'), flyError('not_found'));
    await assert.rejects(client.listIpAddresses('no-such-app'), flyError('not_found', /Could not find App/));
    await client.setSecrets(app, { PASSWORD: 'x' });
    await assert.rejects(client.setSecrets('no-such-app', { A: 'b' }), flyError('not_found'));
  });

  it('deletes an app with its machines, volumes and IP addresses', async () => {
    const app = await newApp();
    const volume = await client.createVolume(app, { name: 'workspace', region: 'iad', sizeGb: 1 });
    await client.allocateIpAddress(app, 'v6');
    await client.createMachine(app, { region: 'iad', config: machineConfig({ mounts: [{ volume: volume.id, path: '/w' }] }) });
    await client.deleteApp(app);
    assert.equal(emulator.inventory().apps.includes(app), false);
    await assert.rejects(client.listMachines(app), flyError('not_found'));
  });
});

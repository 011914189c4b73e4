import assert from 'node:assert/strict';
import { FlyClient } from '../../src/providers/fly/flyClient';
import { FlyError, type FlyErrorCategory } from '../../src/providers/fly/flyErrors';
import type { FlyMachineConfig } from '../../src/providers/fly/flyTypes';
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
    await client.waitMachine(app, machine.id, { state: 'started', timeoutSeconds: 5 });
    assert.equal((await client.getMachine(app, machine.id)).state, 'started');
    await assert.rejects(client.startMachine(app, machine.id), flyError('conflict', /unable to start machine from current state: 'started'/));
    await assert.rejects(client.deleteMachine(app, machine.id), flyError('conflict', /not currently stopped/));
    await assert.rejects(client.deleteVolume(app, volume.id), flyError('conflict', /attached to machine/));

    await client.restartMachine(app, machine.id, 1);
    await client.waitMachine(app, machine.id, { state: 'started', timeoutSeconds: 5 });
    await client.stopMachine(app, machine.id, { timeoutSeconds: 1 });
    await client.waitMachine(app, machine.id, { state: 'stopped', instanceId: machine.instance_id, timeoutSeconds: 5 });
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
    await client.waitMachine(app, machine.id, { state: 'destroyed', timeoutSeconds: 1 });
    await assert.rejects(client.getMachine(app, machine.id), flyError('not_found'));
    assert.equal((await client.deleteVolume(app, volume.id)).state, 'pending_destroy');
  });

  it('answers /wait with 408 when the state is not reached in time, and refuses timeouts over 60 s', async () => {
    const app = await newApp();
    const machine = await client.createMachine(app, { region: 'iad', config: machineConfig(), skipLaunch: true });
    await assert.rejects(client.waitMachine(app, machine.id, { state: 'started', timeoutSeconds: 1 }), flyError('timeout', /deadline_exceeded/));
    await assert.rejects(client.waitMachine(app, machine.id, { state: 'started', timeoutSeconds: 61 }), flyError('validation', /1 to 60/));
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

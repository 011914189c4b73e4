import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { byteCounter } from '../../src/core/backups/byteStreams';
import type { FlyProvider } from '../../src/providers/fly/flyProvider';
import { receiverCommand, TRANSFER_PORT } from '../../src/providers/fly/flyTransferReceiver';
import { requireDocker } from '../support/dockerTestEnv';
import { emulatorEndpoint, dockerBackedFlyProvider, newFlyInstance, testAppName, type EmulatorEndpoint } from '../support/flyTestEnv';
import { swarmError } from '../support/swarmAssertions';
import { FIXTURE_SAMPLES, fillWorkspace, workspaceManifest } from '../support/workspaceFixture';

/** The local IDE image (test/setup/build-ide-image.sh): Debian with Node.js, as code-server images have; the receiver runs on it. */
const IDE_IMAGE = 'remote-swarm/ide:latest';
const WORKSPACE = '/workspace';
const MiB = 1024 * 1024;

describe('Fly workspace transfer on the emulator, its machines Docker containers', function () {
  this.timeout(120_000);
  let endpoint: EmulatorEndpoint;
  let provider: FlyProvider;

  before(async () => {
    await requireDocker();
    endpoint = await emulatorEndpoint({ runtime: 'docker' });
    provider = dockerBackedFlyProvider(endpoint);
    await provider.initialize();
  });

  after(async () => {
    await endpoint?.close();
  });

  /** An instance of the IDE image that only sleeps: the receiver needs its Node.js, not code-server. */
  const newInstance = async () => {
    const { id, config } = newFlyInstance({ image: IDE_IMAGE }, { command: ['sleep', 'infinity'], resources: { cpuCores: 1, memoryMB: 512, storageGB: 1 } });
    await provider.createInstance({ id, config, password: 'transfer-test' });
    return id;
  };

  it('declares workspace transfer', () => {
    assert.equal(provider.getCapabilities().workspaceTransfer, true);
  });

  it('moves a workspace from a running machine into a stopped one and stops it again: every file as it was, and its throughput', async () => {
    const source = await newInstance();
    await fillWorkspace(provider, source, WORKSPACE, 64);
    const expected = await workspaceManifest(provider, source, WORKSPACE);
    for (const sample of FIXTURE_SAMPLES) assert.ok(expected.includes(sample), `the fixture made ${sample}`);
    const target = await newInstance();
    await provider.stopInstance(target);

    const started = performance.now();
    const counted = (await provider.workspaces.exportWorkspace(source)).pipe(byteCounter());
    await provider.workspaces.importWorkspace(target, counted);
    const { bytes } = counted;
    const seconds = (performance.now() - started) / 1000;
    console.log(`      Fly export + import through the transfer service: ${(bytes / MiB).toFixed(1)} MiB in ${seconds.toFixed(2)} s (${(bytes / MiB / seconds).toFixed(0)} MiB/s), receivers started by exec included`);

    const exportStarted = performance.now();
    const exported = (await provider.workspaces.exportWorkspace(source)).pipe(byteCounter());
    await new Promise((resolve, reject) => exported.on('end', resolve).on('error', reject).resume());
    const exportSeconds = (performance.now() - exportStarted) / 1000;
    console.log(`      Fly export alone, to a sink: ${(exported.bytes / MiB).toFixed(1)} MiB in ${exportSeconds.toFixed(2)} s (${(exported.bytes / MiB / exportSeconds).toFixed(0)} MiB/s)`);

    assert.equal((await provider.getInstance(target))?.status, 'stopped', 'the machine the transfer started is stopped again');
    assert.equal((await provider.getInstance(source))?.status, 'running');
    await provider.startInstance(target);
    assert.deepEqual(await workspaceManifest(provider, target, WORKSPACE), expected);
  });

  it('the receiver serves one request, with the token alone, and an archive that is not one fails the import cleanly', async () => {
    const id = await newInstance();
    const token = 'the-one-time-token';
    const started = await provider.executeCommand(id, receiverCommand('export', WORKSPACE, createHash('sha256').update(token).digest('hex'), TRANSFER_PORT, 30));
    assert.equal(started.stdout, 'listening\n', started.stderr);
    const address = (await endpoint.emulator.machineAddress(testAppName(id), TRANSFER_PORT))!;
    assert.equal((await fetch(address, { headers: { 'x-remote-swarm-token': 'guessed' } })).status, 403);
    const served = await fetch(address, { headers: { 'x-remote-swarm-token': token } });
    assert.equal(served.status, 200);
    await served.arrayBuffer();
    await assert.rejects(fetch(address, { headers: { 'x-remote-swarm-token': token } }), 'served once, then gone');

    await assert.rejects(provider.workspaces.importWorkspace(id, Readable.from([Buffer.alloc(4096, 7)])), swarmError('OPERATION_FAILED', /tar exited/));
    const listening = await provider.executeCommand(id, ['sh', '-c', 'echo ok > /workspace/after.txt && cat /workspace/after.txt']);
    assert.equal(listening.stdout, 'ok\n', 'the instance is fine after');
  });
});

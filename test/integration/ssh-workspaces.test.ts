import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { instanceConfigSchema } from '../../src/core/models';
import type { DockerProvider } from '../../src/providers/docker/dockerProvider';
import type { SshProvider } from '../../src/providers/ssh/sshProvider';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeSshRig, type SshRig } from '../support/sshTestRig';
import { swarmError } from '../support/swarmAssertions';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';
import { FIXTURE_SAMPLES, fillWorkspace, workspaceManifest } from '../support/workspaceFixture';

const DOCKER_WORKSPACE = '/workspace';

describe('SSH host workspace transfer against a real sshd (and the real Docker engine)', function () {
  this.timeout(60_000);
  const docker = new Docker();
  let image: string;
  let rig: SshRig;
  let ssh: SshProvider;
  let dockerProvider: DockerProvider;
  let counter = 0;
  const nextId = () => `ssh${process.pid}w${++counter}`;

  before(async () => {
    await requireDocker();
    image = ensureTestImage();
    dockerProvider = testProvider();
    await dockerProvider.initialize();
    rig = await makeSshRig();
    ssh = rig.provider();
  });

  after(async () => {
    await rig?.dispose();
  });

  afterEach(async () => {
    await removeTestResources(docker);
  });

  /** A host registered under its own workspace folder on the rig's sshd. */
  async function newHost(label: string): Promise<{ id: string; folder: string }> {
    const id = nextId();
    const config = { ...rig.hostConfig(`${label}-${id}`), workspacePath: join(rig.sshd.home, `workspace-${id}`) };
    await ssh.createInstance({ id, config });
    return { id, folder: config.workspacePath };
  }

  async function newContainer(label: string): Promise<string> {
    const id = randomUUID().slice(0, 8);
    const config = instanceConfigSchema.parse({
      name: `rs-test-${RUN_ID}-${label}`,
      image,
      workspacePath: DOCKER_WORKSPACE,
      resources: { cpuCores: 0.5, memoryMB: 128, storageGB: 1 },
      ports: [],
      template: 'busybox',
    });
    await dockerProvider.createInstance({ id, config });
    return id;
  }

  it('declares workspace transfer', () => {
    assert.equal(ssh.getCapabilities().workspaceTransfer, true);
    assert.ok(ssh.workspaces);
  });

  it('moves a workspace from an SSH host into a Docker instance', async () => {
    const host = await newHost('source');
    await fillWorkspace(ssh, host.id, host.folder, 20);
    const expected = await workspaceManifest(ssh, host.id, host.folder);
    for (const sample of FIXTURE_SAMPLES) assert.ok(expected.includes(sample), `the fixture made ${sample}:\n${expected.join('\n')}`);
    assert.ok(expected.some((line) => line.startsWith('file\t./data.bin\t644\t20971520\t1\t')));

    const target = await newContainer('from-ssh');
    const progress: string[] = [];
    const started = Date.now();
    const archive = await ssh.workspaces!.exportWorkspace(host.id, { onProgress: (message) => progress.push(message) });
    await dockerProvider.workspaces!.importWorkspace(target, archive);
    console.log(`      SSH export + Docker import of the 20 MiB workspace: ${Date.now() - started} ms`);
    assert.deepEqual(progress, [`Reading ${host.folder}`]);
    assert.deepEqual(await workspaceManifest(dockerProvider, target, DOCKER_WORKSPACE), expected);
  });

  it('moves a workspace from a stopped Docker instance onto an SSH host, making the folder there', async () => {
    const source = await newContainer('to-ssh');
    await fillWorkspace(dockerProvider, source, DOCKER_WORKSPACE, 20);
    const expected = await workspaceManifest(dockerProvider, source, DOCKER_WORKSPACE);
    await dockerProvider.stopInstance(source);

    const host = await newHost('target');
    assert.equal((await ssh.executeCommand(host.id, ['test', '-e', host.folder])).exitCode, 1, 'the folder is not there yet');
    const progress: string[] = [];
    const started = Date.now();
    await ssh.workspaces!.importWorkspace(host.id, await dockerProvider.workspaces!.exportWorkspace(source), { onProgress: (message) => progress.push(message) });
    console.log(`      Docker export + SSH import of the 20 MiB workspace: ${Date.now() - started} ms`);
    assert.deepEqual(progress, [`Unpacking into ${host.folder}`]);
    assert.deepEqual(await workspaceManifest(ssh, host.id, host.folder), expected);

    // Again over what is there now: a file only the host has stays.
    assert.equal((await ssh.executeCommand(host.id, ['sh', '-c', 'echo mine > "$1/keep.txt"', 'keep', host.folder])).exitCode, 0);
    await ssh.workspaces!.importWorkspace(host.id, await dockerProvider.workspaces!.exportWorkspace(source));
    const again = await workspaceManifest(ssh, host.id, host.folder);
    assert.deepEqual(again.filter((line) => !line.startsWith('file\t./keep.txt\t')), expected);
    assert.equal(again.length, expected.length + 1);
  });

  it('fails cleanly: no workspace folder, an archive tar rejects, a failing archive, a cancelled export', async () => {
    const host = await newHost('failures');
    await assert.rejects(ssh.workspaces!.exportWorkspace(host.id), swarmError('OPERATION_FAILED', /workspace folder .* does not exist/));
    await assert.rejects(ssh.workspaces!.exportWorkspace('no-such-host'), swarmError('INSTANCE_NOT_FOUND'));

    const garbage = Readable.from([randomBytes(8192)]);
    await assert.rejects(ssh.workspaces!.importWorkspace(host.id, garbage), swarmError('OPERATION_FAILED', /tar exited with code \d+: .+/));
    assert.ok(garbage.destroyed, 'the archive is destroyed when the import fails');

    const failing = new Readable({ read() {} });
    const failed = ssh.workspaces!.importWorkspace(host.id, failing);
    setImmediate(() => failing.destroy(new Error('the source went away')));
    await assert.rejects(failed, swarmError('OPERATION_FAILED', /the source went away/));

    await fillWorkspace(ssh, host.id, host.folder, 20);
    const controller = new AbortController();
    const archive = await ssh.workspaces!.exportWorkspace(host.id, { signal: controller.signal });
    const ended = new Promise<unknown>((resolve) => archive.once('error', resolve).once('end', () => resolve('ended')));
    archive.once('data', () => controller.abort());
    archive.resume();
    await swarmError('OPERATION_CANCELLED')(await ended);
    // The connection is still good for what comes next.
    assert.equal((await ssh.executeCommand(host.id, ['echo', 'still here'])).stdout, 'still here\n');
  });

  it('refuses clearly, before reading anything, when the host has no tar; fails the stream when tar fails midway', async () => {
    // A session PATH with a shell and mkdir, and no tar.
    const bin = makeTempDir('remote-swarm-no-tar-');
    const bare = await makeSshRig({ systemPath: bin.path });
    try {
      for (const program of ['sh', 'mkdir']) symlinkSync(`/bin/${program}`, join(bin.path, program));
      const provider = bare.provider();
      const id = nextId();
      await provider.createInstance({ id, config: bare.hostConfig('no-tar') });
      const tarless = /tar is not installed there\. Install it/;
      await assert.rejects(provider.workspaces!.exportWorkspace(id), swarmError('OPERATION_FAILED', tarless));
      const archive = Readable.from([Buffer.alloc(1024)]);
      await assert.rejects(provider.workspaces!.importWorkspace(id, archive), swarmError('OPERATION_FAILED', tarless));
      assert.equal(archive.readableDidRead, false, 'nothing was read from the archive');
      assert.ok(archive.destroyed);

      // A tar that fails after writing part of an archive fails the stream, rather than ending it as if complete.
      mkdirSync(bare.hostConfig('no-tar').workspacePath, { recursive: true });
      writeFileSync(join(bin.path, 'tar'), `#!/bin/sh\nprintf '%0200000d' 0\necho 'tar: simulated failure' >&2\nexit 2\n`, { mode: 0o755 });
      const broken = await provider.workspaces!.exportWorkspace(id);
      let received = 0;
      const outcome = await new Promise<unknown>((resolve) => {
        broken.on('data', (chunk: Buffer) => (received += chunk.length));
        broken.once('error', resolve).once('end', () => resolve('ended'));
      });
      await swarmError('OPERATION_FAILED', /tar exited with code 2: tar: simulated failure/)(outcome);
      assert.equal(received, 200_000);
    } finally {
      await bare.dispose();
      bin.remove();
    }
  });
});

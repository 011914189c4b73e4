import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { AGENT_TOOLS, runAgentTool } from '../../src/core/agentTools';
import type { Instance } from '../../src/core/models';
import { DELETE_AFTER_KEY, type MigrationResult } from '../../src/core/migration/migrationService';
import type { MigrationProgress } from '../../src/core/migration/migrationProgress';
import type { MigrationRequest } from '../../src/core/migration/migrationPlan';
import { readManifest } from '../../src/core/workspaces/workspaceManifest';
import { ensureCodeServer } from '../e2e/harness/setupScripts';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeSshRig, type SshRig } from '../support/sshTestRig';
import { swarmError } from '../support/swarmAssertions';
import { RUN_ID } from '../support/testRun';
import { FIXTURE_SAMPLES, fillWorkspace, workspaceManifest, workspaceOwners } from '../support/workspaceFixture';

const WORKSPACE = '/workspace';

/**
 * Migration through the core (swarm.migrations) between real providers: Docker on the real engine, SSH hosts on a real
 * sshd running real code-server. Each move is checked with the fixture's own manifest (find, stat and sha256sum inside
 * the instances), independent of the manifests the migration compares.
 */
describe('migrating instances between providers (real engine, real sshd)', function () {
  this.timeout(180_000);
  const docker = new Docker();
  let image: string;
  let launcher: string;
  let rig: SshRig;
  let core: CoreHarness;
  let counter = 0;
  const name = (label: string) => `mig-${RUN_ID}-${label}-${++counter}`;

  before(async function () {
    this.timeout(15 * 60_000);
    await requireDocker();
    image = ensureTestImage();
    launcher = await ensureCodeServer();
  });

  beforeEach(async () => {
    rig = await makeSshRig();
    symlinkSync(launcher, join(rig.sshd.binDir, 'code-server'));
    core = await makeCore(join(rig.home, 'state'), { docker: () => testProvider(), ssh: () => rig.provider() });
  });

  afterEach(async () => {
    core.dispose();
    await removeTestResources(docker);
    await rig.dispose();
  });

  async function dockerInstance(label: string, dataMiB = 4): Promise<Instance> {
    const instance = await core.controller.create({ provider: 'docker', name: name(label), overrides: { image, workspacePath: WORKSPACE, resources: { cpuCores: 0.5, memoryMB: 128, storageGB: 1 } } });
    await fillWorkspace(await core.pool.get('docker'), instance.id, WORKSPACE, dataMiB);
    return instance;
  }

  function sshOverrides(folder: string): MigrationRequest['overrides'] {
    const { options } = rig.hostConfig('target');
    return { options, workspacePath: join(rig.sshd.home, folder) };
  }

  async function manifestOf(instance: Instance): Promise<string[]> {
    return workspaceManifest(await core.pool.get(instance.provider), instance.id, instance.config.workspacePath);
  }

  /** Plans and runs a move, recording its progress. */
  async function migrate(request: MigrationRequest, signal?: AbortSignal, onProgress?: (progress: MigrationProgress) => void): Promise<{ result: MigrationResult; progress: MigrationProgress[] }> {
    const progress: MigrationProgress[] = [];
    const plan = core.swarm.migrations.plan(request);
    const result = await core.swarm.migrations.migrate(plan, {
      ...(signal ? { signal } : {}),
      onProgress: (step) => {
        progress.push(step);
        onProgress?.(step);
      },
    });
    return { result, progress };
  }

  /** The source is back as it was: same name, running, the same bytes; no instance but it in the registry, no container but its own. */
  async function assertRolledBack(source: Instance, before: string[]): Promise<void> {
    assert.deepEqual(core.controller.list().map((instance) => [instance.name, instance.status]), [[source.name, 'running']]);
    assert.deepEqual(await manifestOf(source), before, 'the source is byte-identical');
    const containers = await docker.listContainers({ all: true, filters: { label: [`remote-swarm.test.run=${RUN_ID}`] } });
    assert.deepEqual(
      containers.map((container) => container.Labels['remote-swarm.instance']),
      source.provider === 'docker' ? [source.id] : [],
      'nothing of the target is left on the engine',
    );
    const volumes = (await docker.listVolumes({ filters: { label: [`remote-swarm.test.run=${RUN_ID}`] } })).Volumes ?? [];
    assert.equal(volumes.length, source.provider === 'docker' ? 1 : 0, `volumes left: ${volumes.map((volume) => volume.Name).join(', ')}`);
  }

  it('Docker → Docker with other resources, pre-copy: the name ends on the target, same manifest, the source kept stopped under a new name', async () => {
    const source = await dockerInstance('d2d', 20);
    const before = await manifestOf(source);
    for (const sample of FIXTURE_SAMPLES) assert.ok(before.includes(sample), sample);
    const plan = core.swarm.migrations.plan({ instance: source.name, to: 'docker', overrides: { resources: { cpuCores: 1, memoryMB: 256 } }, keepSourceHours: 2 });
    assert.equal(plan.strategy, 'pre-copy', 'a running instance is copied while it runs');
    assert.deepEqual(plan.target.config.resources, { cpuCores: 1, memoryMB: 256, storageGB: 1 });

    const { result, progress } = await migrate({ instance: source.name, to: 'docker', overrides: { resources: { cpuCores: 1, memoryMB: 256 } }, keepSourceHours: 2 });
    assert.equal(result.instance.name, source.name);
    assert.notEqual(result.instance.id, source.id);
    assert.equal(result.instance.status, 'running');
    assert.deepEqual(result.instance.config.resources, { cpuCores: 1, memoryMB: 256, storageGB: 1 });
    assert.deepEqual(await manifestOf(result.instance), before);
    const kept = core.controller.get(source.id);
    assert.equal(kept.name, `${source.name}-old`);
    assert.equal(kept.status, 'stopped');
    assert.ok(Math.abs(Date.parse(kept.metadata[DELETE_AFTER_KEY]!) - (Date.now() + 2 * 3_600_000)) < 120_000);
    assert.ok(result.rounds >= 2, 'a pass while running and one after the stop');
    assert.ok(progress.some((step) => step.phase === 'copying' && (step.bytes ?? 0) > 0 && step.bytesPerSecond !== undefined));
    assert.ok(progress.some((step) => step.phase === 'final-copy' && step.totalBytes !== undefined));
    console.log(`      ${result.rounds} passes, ${result.durationMs} ms, unavailable ${result.unavailableMs} ms`);
  });

  it('Docker → Docker on one engine copies inside the engine, no archive through this process, keeping modes, links and empty folders and giving the target\'s owner', async () => {
    const source = await dockerInstance('same-engine', 20);
    const chown = await (await core.pool.get('docker')).executeCommand(source.id, ['chown', '-R', '1234:4321', `${WORKSPACE}/src`]);
    assert.equal(chown.exitCode, 0, chown.stderr);
    const before = await manifestOf(source);
    const archiveCalls: string[] = [];
    let phase = '';
    const container = Docker.Container.prototype as unknown as Record<'getArchive' | 'putArchive', (...args: unknown[]) => unknown>;
    const originals = { getArchive: container.getArchive, putArchive: container.putArchive };
    for (const method of ['getArchive', 'putArchive'] as const) {
      container[method] = function (this: unknown, ...args: unknown[]) {
        archiveCalls.push(`${method} while ${phase}`);
        return originals[method].apply(this, args);
      };
    }
    let moved: MigrationResult;
    try {
      ({ result: moved } = await migrate({ instance: source.name, to: 'docker', strategy: 'stop-and-copy', keepSourceHours: 0 }, undefined, (step) => (phase = step.phase)));
    } finally {
      Object.assign(container, originals);
    }
    assert.deepEqual(archiveCalls.filter((call) => /while (copying|final-copy|verifying)$/.test(call)), [], 'the copy and its check made no archive request');
    assert.deepEqual(await manifestOf(moved.instance), before);
    assert.deepEqual([...(await workspaceOwners(await core.pool.get('docker'), moved.instance.id, WORKSPACE)).keys()], ['0:0']);
    const helpers = await docker.listContainers({ all: true, filters: { label: ['remote-swarm.helper-of', `remote-swarm.test.run=${RUN_ID}`] } });
    assert.deepEqual(helpers, [], 'no helper container left');
  });

  it('moves an instance again after a move, and changes its resources by recreating it while the old source is kept', async () => {
    const source = await dockerInstance('twice');
    const before = await manifestOf(source);
    const first = await migrate({ instance: source.name, to: 'docker', strategy: 'stop-and-copy', keepSourceHours: 1 });
    // A recreate of the moved instance meets the kept source's container, which still has the instance's first name.
    const resized = await core.controller.update(first.result.instance.id, { env: { RESIZED: '1' } });
    assert.equal(resized.status, 'running');
    const second = await migrate({ instance: source.name, to: 'docker', strategy: 'stop-and-copy', keepSourceHours: 0 });
    assert.equal(second.result.instance.name, source.name);
    assert.deepEqual(await manifestOf(second.result.instance), before);
  });

  it('pre-copy carries what changes between passes: edits, new files and deletions made while the source runs', async () => {
    const source = await dockerInstance('edits', 20);
    const dockerProvider = await core.pool.get('docker');
    let edited = false;
    const { result } = await migrate({ instance: source.name, to: 'docker', keepSourceHours: 0 }, undefined, (step) => {
      if (edited || step.phase !== 'verifying') return;
      edited = true;
      // Between the first pass and the next: the source changes while it runs.
      execFileSync('docker', ['exec', `remote-swarm-${source.name}`, 'sh', '-c', 'cd /workspace && echo changed > src/hello.txt && rm -r docs && mkdir fresh && echo new > fresh/new.txt && rm dangling']);
    });
    assert.ok(edited);
    assert.equal(core.registry.get(source.id), undefined, 'the source is deleted with keepSourceHours 0');
    const moved = await manifestOf(result.instance);
    assert.ok(moved.some((line) => line.startsWith('file\t./fresh/new.txt\t')));
    assert.ok(!moved.some((line) => line.includes('./docs') || line.includes('./dangling')), moved.join('\n'));
    const hello = await dockerProvider.executeCommand(result.instance.id, ['cat', '/workspace/src/hello.txt']);
    assert.equal(hello.stdout, 'changed\n');
  });

  it('pre-copy passes after the first read only what changed, told by the source\'s own listing (through a helper once it is stopped)', async () => {
    const source = await dockerInstance('listed', 20);
    // Files older than the first pass: none is "racily clean", so only real changes are read again.
    execFileSync('docker', ['exec', `remote-swarm-${source.name}`, 'sh', '-c', "cd /workspace && find . -type f -exec touch -d '2020-01-01 00:00:00' {} +"]);
    let edited = false;
    const { result, progress } = await migrate({ instance: source.name, to: 'docker', keepSourceHours: 0 }, undefined, (step) => {
      if (edited || step.phase !== 'verifying') return;
      edited = true;
      execFileSync('docker', ['exec', `remote-swarm-${source.name}`, 'sh', '-c', 'cd /workspace && echo edited > src/nested/deeper/leaf.txt && echo new > added.txt && rm run.sh']);
    });
    const firstPass = progress.filter((step) => step.phase === 'copying' && step.round === 1).at(-1)!.bytes!;
    assert.ok(firstPass > 20 * 1024 * 1024, `the first pass read everything (${firstPass} bytes)`);
    assert.ok(result.bytesRead < firstPass + 1024, `the later passes read ${result.bytesRead - firstPass} bytes, not the workspace again`);
    const moved = await manifestOf(result.instance);
    assert.ok(moved.some((line) => line.startsWith('file\t./added.txt\t')));
    assert.ok(!moved.some((line) => line.includes('./run.sh')));
    const leaf = await (await core.pool.get('docker')).executeCommand(result.instance.id, ['cat', '/workspace/src/nested/deeper/leaf.txt']);
    assert.equal(leaf.stdout, 'edited\n');
  });

  it('the agent tool migrate_instance refuses without confirm: true, giving the plan and changing nothing; confirmed, it moves the instance', async () => {
    const source = await dockerInstance('tool');
    const before = await manifestOf(source);
    const tool = AGENT_TOOLS.find((candidate) => candidate.name === 'migrate_instance')!;
    const refused = await runAgentTool(core.swarm, tool, { name: source.name, to: 'docker', keepSourceHours: 0 }).then(() => undefined, (caught: unknown) => caught);
    swarmError('INVALID_CONFIG', /Move ".*" from docker to docker.*Strategy: pre-copy.*confirm: true/s)(refused);
    assert.deepEqual(core.controller.list().map((instance) => [instance.id, instance.status]), [[source.id, 'running']], 'the plan made nothing');

    const moved = (await runAgentTool(core.swarm, tool, { name: source.name, to: 'docker', keepSourceHours: 0, confirm: true })) as { name: string; provider: string; keptSource?: string; summary: string };
    assert.equal(moved.name, source.name);
    assert.equal(moved.keptSource, undefined);
    assert.match(moved.summary, /now runs on docker/);
    const [target] = core.controller.list();
    assert.notEqual(target!.id, source.id);
    assert.deepEqual(await manifestOf(target!), before);
  });

  it('Docker → SSH host and back (SSH host → Docker), each with the same manifest', async () => {
    const source = await dockerInstance('to-ssh', 8);
    const before = await manifestOf(source);
    const there = await migrate({ instance: source.name, to: 'ssh', strategy: 'stop-and-copy', overrides: sshOverrides('moved'), keepSourceHours: 0 });
    assert.equal(there.result.instance.provider, 'ssh');
    assert.equal(there.result.instance.name, source.name);
    assert.deepEqual(await manifestOf(there.result.instance), before);

    const back = await migrate({ instance: source.name, to: 'docker', overrides: { image, workspacePath: WORKSPACE }, keepSourceHours: 1 });
    assert.equal(back.result.instance.provider, 'docker');
    assert.equal(back.result.strategy, 'pre-copy');
    assert.deepEqual(await manifestOf(back.result.instance), before);
    assert.equal(core.controller.get(there.result.instance.id).status, 'stopped', 'the SSH host\'s code-server is stopped, the host kept');
  });

  describe('faults: the source ends byte-identical and running, nothing of the target left', () => {
    it('the target cannot be created', async () => {
      const source = await dockerInstance('no-target');
      const before = await manifestOf(source);
      const error = await migrate({ instance: source.name, to: 'docker', overrides: { image: `remote-swarm/no-such-image-${RUN_ID}:none` } }).then(() => undefined, (caught: unknown) => caught);
      assert.ok(error, 'the move failed');
      await assertRolledBack(source, before);
    });

    it('the target is cut off in the middle of the copy (its sshd stopped, connections dropped)', async () => {
      const source = await dockerInstance('cut', 120);
      const before = await manifestOf(source);
      let cut: Promise<void> | undefined;
      const error = await migrate({ instance: source.name, to: 'ssh', strategy: 'stop-and-copy', overrides: sshOverrides('cut') }, undefined, (step) => {
        if (cut || step.phase !== 'copying' || (step.bytes ?? 0) < 10 * 1024 * 1024) return;
        cut = rig.sshd.stop();
      }).then(() => undefined, (caught: unknown) => caught);
      assert.ok(cut, 'the target was cut off while bytes were on the way');
      await cut;
      assert.ok(error, 'the move failed');
      await assertRolledBack(source, before);
    });

    it('a file differs at verification', async () => {
      const source = await dockerInstance('differs');
      const before = await manifestOf(source);
      let tampered = false;
      const error = await migrate({ instance: source.name, to: 'docker', strategy: 'stop-and-copy' }, undefined, (step) => {
        if (tampered || step.phase !== 'verifying') return;
        tampered = true;
        const target = core.controller.list().find((instance) => instance.name.includes('-moving-'))!;
        // Synchronous on purpose: the target is read back right after this report.
        execFileSync('docker', ['exec', `remote-swarm-${target.name}`, 'sh', '-c', 'echo tampered >> /workspace/src/nested/deeper/leaf.txt']);
      }).then(() => undefined, (caught: unknown) => caught);
      swarmError('OPERATION_FAILED', /differs from the source in 1 entries: src\/nested\/deeper\/leaf\.txt: (size|content) differs/)(error);
      await assertRolledBack(source, before);
    });

    it('the user cancels during pre-copy', async () => {
      const source = await dockerInstance('cancel', 60);
      const before = await manifestOf(source);
      const cancel = new AbortController();
      const error = await migrate({ instance: source.name, to: 'docker' }, cancel.signal, (step) => {
        if (step.phase === 'copying' && (step.bytes ?? 0) > 5 * 1024 * 1024) cancel.abort();
      }).then(() => undefined, (caught: unknown) => caught);
      assert.ok(cancel.signal.aborted);
      swarmError('OPERATION_CANCELLED')(error);
      await assertRolledBack(source, before);
    });
  });

  it('reads the same manifest from a provider\'s export as the fixture finds inside the instance', async () => {
    const source = await dockerInstance('manifest', 1);
    const provider = await core.pool.get('docker');
    const manifest = await readManifest(await provider.workspaces!.exportWorkspace(source.id));
    const fixture = await manifestOf(source);
    const files = fixture.filter((line) => line.startsWith('file\t'));
    assert.equal(files.length, manifest.totals().files);
    for (const line of files) {
      const [, path, mode, size, , sha] = line.split('\t');
      const entry = manifest.get(path!.slice(2));
      assert.deepEqual([entry?.mode.toString(8), String(entry?.size), entry?.sha256], [mode, size, sha], path);
    }
  });
});

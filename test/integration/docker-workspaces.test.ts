import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { TEST_LABELS, testProvider, useDockerSuite } from '../support/dockerTestEnv';
import { swarmError } from '../support/swarmAssertions';
import { FIXTURE_LONG_NAME, FIXTURE_SAMPLES, fillWorkspace, workspaceManifest, workspaceOwners } from '../support/workspaceFixture';

const WORKSPACE = '/workspace';

describe('Docker workspace transfer against the real Docker engine', function () {
  this.timeout(60_000);
  const suite = useDockerSuite();

  const newInstance = (label: string) => suite.newInstance(label);


  it('declares workspace transfer', () => {
    assert.equal(suite.provider.getCapabilities().workspaceTransfer, true);
    assert.ok(suite.provider.workspaces);
  });

  it('moves a workspace between stopped instances: modes, symlinks, hard links, empty folders, long and unicode names, 20 MB', async () => {
    const source = await newInstance('source');
    await fillWorkspace(suite.provider, source.id, WORKSPACE, 20);
    const expected = await workspaceManifest(suite.provider, source.id, WORKSPACE);
    for (const sample of FIXTURE_SAMPLES) assert.ok(expected.includes(sample), `the fixture made ${sample}:\n${expected.join('\n')}`);
    assert.ok(expected.some((line) => line.startsWith('file\t./data.bin\t644\t20971520\t1\t')));
    assert.ok(expected.some((line) => line.startsWith('file\t./src/hello.txt\t644\t6\t2\t')), 'hard-linked');

    const target = await newInstance('target');
    // What is there already: a file the archive does not have stays, one it has is replaced.
    const before = await suite.provider.executeCommand(target.id, ['sh', '-c', 'mkdir -p /workspace/src && echo old > /workspace/src/hello.txt && echo mine > /workspace/keep.txt']);
    assert.equal(before.exitCode, 0, before.stderr);
    await suite.provider.stopInstance(source.id);
    await suite.provider.stopInstance(target.id);

    const progress: string[] = [];
    const started = Date.now();
    const archive = await suite.provider.workspaces!.exportWorkspace(source.id, { onProgress: (message) => progress.push(message) });
    await suite.provider.workspaces!.importWorkspace(target.id, archive, { onProgress: (message) => progress.push(message) });
    const elapsed = Date.now() - started;
    assert.deepEqual(progress, ['Reading /workspace', 'Unpacking into /workspace']);

    assert.equal((await suite.provider.startInstance(target.id)).status, 'running');
    const actual = await workspaceManifest(suite.provider, target.id, WORKSPACE);
    assert.deepEqual(
      actual.filter((line) => line !== `file\t./keep.txt\t644\t5\t1\t${sha256('mine\n')}`),
      expected,
    );
    assert.equal(actual.length, expected.length + 1, 'keep.txt stays');
    console.log(`      export + import of the 20 MiB workspace, both stopped: ${elapsed} ms`);
  });

  it('exports a running instance as the folder\'s contents, with paths relative to it', async () => {
    const { id } = await newInstance('running');
    await fillWorkspace(suite.provider, id, WORKSPACE, 1);
    const archive = await suite.provider.workspaces!.exportWorkspace(id);
    const names: string[] = [];
    const extract = tarExtract();
    extract.on('entry', (header, body, next) => {
      names.push(header.name);
      body.on('end', next).resume();
    });
    await new Promise<void>((resolve, reject) => {
      extract.on('finish', resolve).on('error', reject);
      archive.on('error', reject).pipe(extract);
    });
    assert.ok(names.length > 10, names.join('\n'));
    for (const name of names) assert.match(name, /^\.\/|^\.$/, `${name} is relative to the workspace folder`);
    assert.ok(names.includes('./src/hello.txt'), names.join('\n'));
    assert.ok(names.includes(`./long/${FIXTURE_LONG_NAME}/${FIXTURE_LONG_NAME}.txt`), names.join('\n'));
    assert.ok(!names.some((name) => name.includes('workspace')), 'no entry carries the folder\'s own name');
  });

  it('gives what it imports to the owner of the workspace folder, whoever owned it before', async () => {
    const source = await newInstance('owners-source');
    await fillWorkspace(suite.provider, source.id, WORKSPACE, 0);
    const chown = await suite.provider.executeCommand(source.id, ['sh', '-c', 'chown -R 1234:4321 /workspace/src && chown -h 0:0 /workspace/link-to-leaf']);
    assert.equal(chown.exitCode, 0, chown.stderr);
    assert.deepEqual([...(await workspaceOwners(suite.provider, source.id, WORKSPACE)).keys()].sort(), ['0:0', '1234:4321']);

    const target = await newInstance('owners-target');
    assert.equal((await suite.provider.executeCommand(target.id, ['chown', '1000:1000', WORKSPACE])).exitCode, 0);
    await suite.provider.workspaces!.importWorkspace(target.id, await suite.provider.workspaces!.exportWorkspace(source.id));
    assert.deepEqual([...(await workspaceOwners(suite.provider, target.id, WORKSPACE)).keys()], ['1000:1000']);
    assert.deepEqual(await workspaceManifest(suite.provider, target.id, WORKSPACE), await workspaceManifest(suite.provider, source.id, WORKSPACE));
  });

  it('copies between two of its instances inside the engine: chosen entries or all, given the target folder\'s owner, set-user ids kept', async () => {
    const source = await newInstance('within-source');
    await fillWorkspace(suite.provider, source.id, WORKSPACE, 1);
    const prepared = await suite.provider.executeCommand(source.id, ['sh', '-c', 'chown -R 1234:4321 /workspace/src && chmod 4755 /workspace/run.sh']);
    assert.equal(prepared.exitCode, 0, prepared.stderr);
    const expected = await workspaceManifest(suite.provider, source.id, WORKSPACE);
    assert.ok(expected.some((line) => line.startsWith('file\t./run.sh\t4755\t')));
    const target = await newInstance('within-target');
    assert.equal((await suite.provider.executeCommand(target.id, ['chown', '1000:1000', WORKSPACE])).exitCode, 0);
    await suite.provider.stopInstance(source.id);

    await suite.provider.workspaces!.copyBetween!(source.id, target.id, { paths: ['src', 'no-such-entry'] });
    const chosen = await workspaceManifest(suite.provider, target.id, WORKSPACE);
    // hello.txt's other name, hard-link.txt, was not chosen: there it has one name.
    const inSrc = expected.filter((line) => /^\w+\t\.(\/src(\/|\t)|\t)/.test(line)).map((line) => line.replace(/^(file\t\.\/src\/hello\.txt\t\d+\t\d+\t)2\t/, '$11\t'));
    assert.deepEqual(chosen, inSrc);

    await suite.provider.workspaces!.copyBetween!(source.id, target.id);
    assert.deepEqual(await workspaceManifest(suite.provider, target.id, WORKSPACE), expected);
    assert.deepEqual([...(await workspaceOwners(suite.provider, target.id, WORKSPACE)).keys()], ['1000:1000']);
  });

  it('tells how many bytes a copy between instances has copied, never fewer than before, all of them at its end', async () => {
    const dataMiB = 64;
    const source = await newInstance('progress-source');
    await fillWorkspace(suite.provider, source.id, WORKSPACE, dataMiB);
    const target = await newInstance('progress-target');
    await suite.provider.stopInstance(source.id);
    const told: number[] = [];
    await suite.provider.workspaces!.copyBetween!(source.id, target.id, { onBytes: (bytes) => told.push(bytes) });
    assert.ok(told.length > 0, 'no progress was told');
    assert.deepEqual(told, [...told].sort((a, b) => a - b), `progress went back: ${told.join(', ')}`);
    const last = told.at(-1)!;
    assert.ok(last >= dataMiB * 2 ** 20 && last <= (dataMiB + 4) * 2 ** 20, `told ${last} bytes copied at the end of ${dataMiB} MiB and a few small files`);
  });

  it('a cancelled copy between instances stops, its helper container gone', async () => {
    const source = await newInstance('cancel-source');
    await fillWorkspace(suite.provider, source.id, WORKSPACE, 100);
    const target = await newInstance('cancel-target');
    const helpers = async () => suite.docker.listContainers({ all: true, filters: { label: ['remote-swarm.helper-of', `remote-swarm.test.run=${TEST_LABELS['remote-swarm.test.run']}`] } });
    const controller = new AbortController();
    const copying = suite.provider.workspaces!.copyBetween!(source.id, target.id, { signal: controller.signal });
    const deadline = Date.now() + 20_000;
    while ((await helpers()).length === 0) assert.ok(Date.now() < deadline, 'no helper container appeared');
    controller.abort();
    await assert.rejects(copying, swarmError('OPERATION_CANCELLED'));
    assert.deepEqual(await helpers(), []);
  });

  it('fails cleanly: an unknown instance, an archive that is not one, a failing archive, a cancelled import', async () => {
    await assert.rejects(suite.provider.workspaces!.exportWorkspace('no-such-instance'), swarmError('INSTANCE_NOT_FOUND'));
    const unused = Readable.from([Buffer.from('never read')]);
    await assert.rejects(suite.provider.workspaces!.importWorkspace('no-such-instance', unused), swarmError('INSTANCE_NOT_FOUND'));
    assert.ok(unused.destroyed, 'the archive is destroyed when the import fails');

    const { id } = await newInstance('failures');
    const garbage = Readable.from([randomBytes(4096)]);
    await assert.rejects(suite.provider.workspaces!.importWorkspace(id, garbage), swarmError('OPERATION_FAILED'));
    assert.ok(garbage.destroyed);

    const failing = new Readable({ read() {} });
    const failed = suite.provider.workspaces!.importWorkspace(id, failing);
    failing.push(validTarStart());
    setImmediate(() => failing.destroy(new Error('the source went away')));
    await assert.rejects(failed, swarmError('OPERATION_FAILED', /the source went away/));

    const controller = new AbortController();
    const endless = new Readable({ read() {} });
    const cancelled = suite.provider.workspaces!.importWorkspace(id, endless, { signal: controller.signal });
    endless.push(validTarStart());
    setImmediate(() => controller.abort());
    await assert.rejects(cancelled, swarmError('OPERATION_CANCELLED'));
    assert.ok(endless.destroyed);
    // The instance is still fine and its workspace usable.
    assert.equal((await suite.provider.executeCommand(id, ['sh', '-c', 'echo ok > /workspace/after.txt && cat /workspace/after.txt'])).stdout, 'ok\n');
  });

  it('removes, when it lists, helper containers whose process died, and keeps those of a live process and a recent one of another machine', async () => {
    const { id } = await newInstance('helped');
    const gone = spawnSync('true').pid;
    const helperOf = async (owner: string) =>
      (await suite.docker.createContainer({ Image: suite.image, Cmd: ['true'], Labels: { ...TEST_LABELS, 'remote-swarm.helper-of': id, 'remote-swarm.helper-process': owner } })).id;
    const orphan = await helperOf(`${hostname()}:${gone}`);
    const live = await helperOf(`${hostname()}:${process.pid}`);
    const elsewhere = await helperOf(`another-machine-${hostname()}:${process.pid}`);
    const remains = async (helper: string) => (await suite.docker.listContainers({ all: true, filters: { id: [helper] } })).length > 0;

    // A provider that has not swept yet: the listing sweeps beside it.
    assert.ok((await testProvider().listInstances()).some((instance) => instance.id === id));
    const deadline = Date.now() + 20_000;
    while (await remains(orphan)) {
      assert.ok(Date.now() < deadline, 'the helper of a process that died is still there');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await remains(live), true, 'the helper of a live process stays');
    assert.equal(await remains(elsewhere), true, 'the recent helper of another machine stays');
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The header of a 1 MiB file whose content never comes: the engine waits for more. */
function validTarStart(): Buffer {
  const header = Buffer.alloc(512);
  header.write('partial.bin', 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write('00004000000\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return Buffer.concat([header, Buffer.alloc(4096, 1)]);
}

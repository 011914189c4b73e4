import assert from 'node:assert/strict';
import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import Docker from 'dockerode';
import { s3BackupStore } from '../../src/backup';
import { BACKUP_SECRETS } from '../../src/core/backups/backupSettings';
import type { Instance } from '../../src/core/models';
import type { Provider } from '../../src/core/provider';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { motoAvailable, startS3TestServer, type S3TestServer } from '../support/s3TestServer';
import { swarmError } from '../support/swarmAssertions';
import { makeTempDir } from '../support/tempDir';
import { FIXTURE_SAMPLES, fillWorkspace, workspaceManifest } from '../support/workspaceFixture';

const MiB = 1024 * 1024;
/** S3's smallest part: the fixture's random data spans several. */
const PART_MIB = 5;

describe('Backups to a real S3-compatible server (moto on loopback) of workspaces on the real Docker engine', function () {
  this.timeout(180_000);
  const docker = new Docker();
  let s3: S3TestServer;
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;

  before(async () => {
    await requireDocker();
    ensureTestImage();
    assert.ok(motoAvailable(), "python3 with moto is needed for the backup tests (moto's server mode is the S3-compatible server they start)");
    s3 = await startS3TestServer();
  });

  after(async () => {
    await s3?.close();
  });

  beforeEach(async () => {
    temp = makeTempDir();
    core = await makeCore(temp.path, { docker: () => testProvider() }, { backupStore: s3BackupStore });
    core.settings.defaultImage = ensureTestImage();
    core.otherSettings.backup = { endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, pathStyle: true, partSizeMiB: PART_MIB };
    await core.secrets.store(BACKUP_SECRETS.accessKeyId.key, s3.accessKeyId);
    await core.secrets.store(BACKUP_SECRETS.secretAccessKey.key, s3.secretAccessKey);
  });

  afterEach(async () => {
    core.dispose();
    temp.remove();
    await removeTestResources(docker);
  });

  const provider = async (): Promise<Provider> => core.pool.get('docker');
  const newInstance = (name: string) => core.controller.create({ provider: 'docker', template: 'development', name });
  const manifestOf = async (instance: Instance) => workspaceManifest(await provider(), instance.id, instance.config.workspacePath);

  it('backs a workspace up in parts and restores it into a new instance and onto a stopped one, every file as it was', async () => {
    const source = await newInstance('backup-source');
    await fillWorkspace(await provider(), source.id, source.config.workspacePath, 12);
    const expected = await manifestOf(source);
    for (const sample of FIXTURE_SAMPLES) assert.ok(expected.includes(sample), `the fixture made ${sample}`);

    const seen: number[] = [];
    const backup = await core.swarm.backups.backUp('backup-source', { onBytes: ({ bytes }) => seen.push(bytes) });
    assert.match(backup.id, /^backup-source\/\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}\.\d{3}Z$/);
    assert.ok(backup.workspaceBytes > 12 * MiB, `the tar stream holds the 12 MiB of random data: ${backup.workspaceBytes}`);
    assert.ok(backup.archive.bytes > 2 * PART_MIB * MiB, 'the archive spans three parts');
    assert.match(backup.archive.sha256, /^[0-9a-f]{64}$/);
    assert.equal(seen.at(-1), backup.workspaceBytes, 'progress counts up to every byte read');
    assert.ok(seen.length > 10 && seen.every((bytes, index) => index === 0 || bytes > seen[index - 1]!));

    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: backup.archive.key }));
    assert.equal(head.ContentLength, backup.archive.bytes);
    assert.match(head.ETag ?? '', /-3"$/, 'a multipart upload of three parts');
    assert.equal(head.Metadata?.instance, 'backup-source');
    assert.deepEqual((await core.swarm.backups.list('backup-source')).map((listed) => listed.id), [backup.id]);
    assert.deepEqual((await core.swarm.backups.list('backup')).length, 0, 'a name that is only a prefix of another has no backups');

    const downloaded: number[] = [];
    const restored = await core.swarm.backups.restore(backup.id, { to: 'backup-copy' }, { onBytes: ({ bytes, totalBytes }) => downloaded.push(bytes / totalBytes!) });
    assert.equal(restored.created, true);
    assert.equal(restored.instance.status, 'running');
    assert.equal(restored.instance.provider, 'docker');
    assert.deepEqual(await manifestOf(restored.instance), expected);
    assert.equal(downloaded.at(-1), 1, 'progress reaches the whole archive');

    const target = await newInstance('backup-target');
    const before = await (await provider()).executeCommand(target.id, ['sh', '-c', `echo mine > "$1/keep.txt"`, 'sh', target.config.workspacePath]);
    assert.equal(before.exitCode, 0, before.stderr);
    await core.controller.stop(target.id);
    const onto = await core.swarm.backups.restore(backup.id, { to: 'backup-target' });
    assert.equal(onto.created, false);
    assert.equal(onto.instance.status, 'stopped', 'a stopped instance stays stopped');
    await core.controller.start(target.id);
    const actual = await manifestOf(target);
    assert.deepEqual(actual.filter((line) => !line.startsWith('file\t./keep.txt\t')), expected);
    assert.equal(actual.length, expected.length + 1, 'files that are not in the backup stay');
  });

  it('restores onto a running instance only when the user agrees', async () => {
    const source = await newInstance('running-source');
    await fillWorkspace(await provider(), source.id, source.config.workspacePath, 0);
    const backup = await core.swarm.backups.backUp(source.id);
    const target = await newInstance('running-target');
    await assert.rejects(core.swarm.backups.restore(backup.id, { to: 'running-target' }), swarmError('CONFLICT', /running-target" is running: stop it/));
    await core.swarm.backups.restore(backup.id, { to: 'running-target', overwriteRunning: true });
    assert.deepEqual(await manifestOf(target), await manifestOf(source));
  });

  it('a cancelled backup leaves no object and no unfinished multipart upload, and the instance as it was', async () => {
    const source = await newInstance('cancel-source');
    await fillWorkspace(await provider(), source.id, source.config.workspacePath, 40);
    const controller = new AbortController();
    const cancelled = core.swarm.backups.backUp('cancel-source', {
      signal: controller.signal,
      // Past two parts, the multipart upload has begun.
      onBytes: ({ bytes }) => bytes > 3 * PART_MIB * MiB && controller.abort(),
    });
    await assert.rejects(cancelled, swarmError('OPERATION_CANCELLED'));
    const objects = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    assert.deepEqual((objects.Contents ?? []).filter((object) => object.Key?.includes('cancel-source')), []);
    const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
    assert.deepEqual((uploads.Uploads ?? []).map((upload) => upload.Key), [], 'the multipart upload was aborted');
    assert.equal(core.controller.get('cancel-source').status, 'running');
    assert.equal(core.controller.isBusy(source.id), false);
    assert.deepEqual(await core.swarm.backups.list('cancel-source'), []);
  });

  it('bad settings and credentials fail before anything is read, naming the setting or the secret to fix', async () => {
    await newInstance('settings-source');
    const backUp = () => core.swarm.backups.backUp('settings-source');
    const remedy = (kind: 'setting' | 'secret', name: string) => (error: unknown) => {
      const { remedy: given } = error as { remedy?: { kind: string; setting?: string; secret?: string } };
      assert.equal(given?.kind, kind, String(error));
      assert.equal(kind === 'setting' ? given?.setting : given?.secret, name, String(error));
      return true;
    };
    const good = { ...(core.otherSettings.backup as object) };

    core.otherSettings.backup = { ...good, bucket: '' };
    await assert.rejects(backUp(), swarmError('INVALID_CONFIG', /remoteSwarm\.backup\.bucket/));
    await assert.rejects(backUp(), remedy('setting', 'backup.bucket'));
    core.otherSettings.backup = { ...good, bucket: 'no-such-bucket-here' };
    await assert.rejects(backUp(), remedy('setting', 'backup.bucket'));
    core.otherSettings.backup = { ...good, endpoint: 'ftp://example' };
    await assert.rejects(backUp(), remedy('setting', 'backup.endpoint'));
    core.otherSettings.backup = { ...good, endpoint: 'http://127.0.0.1:9' };
    await assert.rejects(backUp(), swarmError('PROVIDER_UNAVAILABLE', /remoteSwarm\.backup\.endpoint/));
    core.otherSettings.backup = good;

    await core.secrets.store(BACKUP_SECRETS.secretAccessKey.key, 'not-the-secret');
    await assert.rejects(backUp(), remedy('secret', BACKUP_SECRETS.secretAccessKey.key));
    await core.secrets.store(BACKUP_SECRETS.accessKeyId.key, 'AKIANOSUCHKEY0000000');
    await assert.rejects(backUp(), swarmError('AUTH_FAILED'));
    await assert.rejects(backUp(), remedy('secret', BACKUP_SECRETS.accessKeyId.key));
    await core.secrets.delete(BACKUP_SECRETS.accessKeyId.key);
    await assert.rejects(backUp(), swarmError('AUTH_FAILED', /remoteSwarm\.backup\.accessKeyId/));

    await core.secrets.store(BACKUP_SECRETS.accessKeyId.key, s3.accessKeyId);
    await core.secrets.store(BACKUP_SECRETS.secretAccessKey.key, s3.secretAccessKey);
    await assert.rejects(core.swarm.backups.restore('settings-source/not-a-time', { to: 'x' }), swarmError('INVALID_CONFIG', /is not a backup id/));
    await assert.rejects(core.swarm.backups.restore('settings-source/2020-01-01T00.00.00.000Z', { to: 'x' }), swarmError('INSTANCE_NOT_FOUND', /No backup/));
    const objects = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    assert.deepEqual((objects.Contents ?? []).filter((object) => object.Key?.includes('settings-source')), []);
  });
});

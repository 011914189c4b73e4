// Benchmark of a workspace backup to S3-compatible storage and its restore, on the real engine and moto's S3 server
// on loopback. Prints figures; asserts nothing.
//   npx tsx test/bench/backup.ts [--small-files 20000] [--small-mb 200] [--large-files 4] [--large-mb 800]
// The workspace is generated inside a Docker instance: --small-files files making --small-mb MiB, and --large-mb MiB
// of random data in --large-files files (random, so gzip cannot shrink it). The backup streams export → gzip → multipart
// upload, the restore download → gunzip → import into a new instance; this process's peak RSS is sampled during each
// (the workspace streams, so it must stay flat whatever its size).
import { s3BackupStore } from '../../src/backup';
import { BACKUP_SECRETS } from '../../src/core/backups/backupSettings';
import { formatBytes } from '../../src/core/byteSize';
import { makeCore } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { startS3TestServer } from '../support/s3TestServer';
import { makeTempDir } from '../support/tempDir';
import { numberOption } from './benchKit';

/** The highest RSS seen while `work` runs, sampled every 20 ms. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  try {
    const result = await work();
    return { result, ms: performance.now() - started, peakMiB: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** $1: folder, $2: small files, $3: KiB each, $4: large files, $5: MiB each. */
const GENERATE = `set -e
cd "$1" && mkdir -p small large
i=0; while [ $i -lt "$2" ]; do d=small/$((i / 500)); [ -d $d ] || mkdir $d; head -c "$3"k /dev/urandom > $d/f$i; i=$((i+1)); done
j=0; while [ $j -lt "$4" ]; do dd if=/dev/urandom of=large/l$j bs=1048576 count="$5" 2>/dev/null; j=$((j+1)); done
du -sk . | cut -f1; find . -type f | wc -l`;

async function main(): Promise<void> {
  const smallFiles = numberOption('small-files', 20_000);
  const smallMiB = numberOption('small-mb', 200);
  const largeFiles = numberOption('large-files', 4);
  const largeMiB = numberOption('large-mb', 800);
  await requireDocker();
  const temp = makeTempDir();
  const s3 = await startS3TestServer();
  const core = await makeCore(temp.path, { docker: () => testProvider() }, { backupStore: s3BackupStore });
  try {
    core.settings.defaultImage = ensureTestImage();
    core.otherSettings.backup = { endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region, pathStyle: true };
    await core.secrets.store(BACKUP_SECRETS.accessKeyId.key, s3.accessKeyId);
    await core.secrets.store(BACKUP_SECRETS.secretAccessKey.key, s3.secretAccessKey);
    const source = await core.controller.create({ provider: 'docker', template: 'development', name: 'bench-source', overrides: { resources: { storageGB: 4 } } });
    const provider = await core.pool.get('docker');
    const generating = Date.now();
    const args = [source.config.workspacePath, String(smallFiles), String(Math.round((smallMiB * 1024) / smallFiles)), String(largeFiles), String(Math.round(largeMiB / largeFiles))];
    const generated = await provider.executeCommand(source.id, ['sh', '-c', GENERATE, 'generate', ...args]);
    if (generated.exitCode !== 0) throw new Error(generated.stderr);
    const [kib, files] = generated.stdout.trim().split('\n');
    console.log(`workspace: ${files} files, ${formatBytes(Number(kib) * 1024)} on disk (generated in ${((Date.now() - generating) / 1000).toFixed(1)} s); baseline RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);

    const backup = await measured(() => core.swarm.backups.backUp('bench-source'));
    const manifest = backup.result;
    const rate = (bytes: number, ms: number) => `${(bytes / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s`;
    console.log(`backup:  ${(backup.ms / 1000).toFixed(1)} s, ${formatBytes(manifest.workspaceBytes)} tar → ${formatBytes(manifest.archive.bytes)} stored (${rate(manifest.workspaceBytes, backup.ms)}); peak RSS ${backup.peakMiB.toFixed(0)} MiB`);
    const restore = await measured(() => core.swarm.backups.restore(manifest.id, { to: 'bench-restored' }));
    console.log(`restore: ${(restore.ms / 1000).toFixed(1)} s into a new instance (create included; ${rate(manifest.workspaceBytes, restore.ms)}); peak RSS ${restore.peakMiB.toFixed(0)} MiB`);
  } finally {
    core.dispose();
    await s3.close();
    temp.remove();
    await removeTestResources();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

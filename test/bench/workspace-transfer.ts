// Benchmark of workspace transfer between two Docker instances on the real engine. Prints figures; asserts nothing.
//   npx tsx test/bench/workspace-transfer.ts [--mb 200] [--files 1000] [--runs 3]
// The source workspace holds one file of --mb MiB of random data and --files files of 4 KiB. Each run times
// DockerProvider export + import (both instances stopped; the import re-owns every entry through tar-stream) and, as
// the floor, the engine's own archive piped from one container to the other (getArchive -> putArchive, nothing in
// between). This process's peak RSS is sampled during the transfers: the workspace streams, so it must stay flat.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { instanceConfigSchema } from '../../src/core/models';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { RUN_ID } from '../support/testRun';
import { median, numberOption } from './benchKit';

const WORKSPACE = '/workspace';

/** The highest RSS seen while `work` runs, sampled every 20 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const mb = numberOption('mb', 200);
  const files = numberOption('files', 1000);
  const runs = numberOption('runs', 3);
  await requireDocker();
  const image = ensureTestImage();
  const provider = testProvider();
  const docker = new Docker();
  try {
    const instance = async (label: string) => {
      const id = randomUUID().slice(0, 8);
      const config = instanceConfigSchema.parse({
        name: `rs-bench-${RUN_ID}-${label}`,
        image,
        workspacePath: WORKSPACE,
        resources: { cpuCores: 1, memoryMB: 256, storageGB: 1 },
        ports: [],
      });
      const created = await provider.createInstance({ id, config });
      return { id, container: docker.getContainer(created.metadata.containerId!) };
    };
    const source = await instance('source');
    const target = await instance('target');
    const fill = await provider.executeCommand(source.id, [
      'sh',
      '-c',
      'cd "$1" && dd if=/dev/urandom of=data.bin bs=1048576 count="$2" 2>/dev/null && mkdir small && i=0 && ' +
        'while [ $i -lt "$3" ]; do head -c 4096 /dev/urandom > small/f$i; i=$((i+1)); done && du -sk .',
      'fill',
      WORKSPACE,
      String(mb),
      String(files),
    ]);
    if (fill.exitCode !== 0) throw new Error(fill.stderr);
    const totalMiB = Number(fill.stdout.trim().split(/\s+/)[0]) / 1024;
    await provider.stopInstance(source.id);
    await provider.stopInstance(target.id);
    console.log(`workspace: ${mb} MiB file + ${files} x 4 KiB files (${totalMiB.toFixed(1)} MiB on disk), both instances stopped; baseline RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);

    const providerMs: number[] = [];
    const engineMs: number[] = [];
    let providerPeak = 0;
    let enginePeak = 0;
    for (let run = 0; run < runs; run++) {
      const started = Date.now();
      const { peakMiB } = await peakRss(async () => {
        const archive = await provider.workspaces!.exportWorkspace(source.id);
        await provider.workspaces!.importWorkspace(target.id, archive);
      });
      providerMs.push(Date.now() - started);
      providerPeak = Math.max(providerPeak, peakMiB);

      const engineStarted = Date.now();
      const engine = await peakRss(async () => {
        const archive = (await source.container.getArchive({ path: `${WORKSPACE}/.` })) as Readable;
        await target.container.putArchive(archive, { path: WORKSPACE });
      });
      engineMs.push(Date.now() - engineStarted);
      enginePeak = Math.max(enginePeak, engine.peakMiB);
    }
    const rate = (ms: number) => (totalMiB / (ms / 1000)).toFixed(0);
    console.log(`DockerProvider export + import: median ${median(providerMs)} ms (${rate(median(providerMs))} MiB/s) of ${providerMs.join(', ')} ms; peak RSS ${providerPeak.toFixed(0)} MiB`);
    console.log(`engine archive piped as is:     median ${median(engineMs)} ms (${rate(median(engineMs))} MiB/s) of ${engineMs.join(', ')} ms; peak RSS ${enginePeak.toFixed(0)} MiB`);
  } finally {
    await removeTestResources(docker);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

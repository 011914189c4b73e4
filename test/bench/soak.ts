// Soak benchmark: one core (createSwarm, as the extension makes it, with the extension's FileCoordination over a folder
// of its own) managing --instances real busybox containers for --minutes with health sweeps every --interval seconds,
// monitoring started as the extension starts it (swarm.startMonitoring()). Prints figures; asserts nothing.
//   npm run bench:soak -- [--instances 100] [--minutes 10] [--interval 5] [--history 120]
// Every 10 s it samples this process's RSS, its heap (after a full GC when run with --expose-gc, as the npm script
// does, so the heap line shows what is kept, not what waits for collection) and its open handles
// (process.getActiveResourcesInfo()). It prints RSS and heap at the start and the end and their slope in MB per hour
// (a least-squares line through the samples): over the whole run, and over the samples taken once every instance's
// history held --history checks (health.historySize; until then the history grows by design), the most sockets and
// handles open at a sample and those open at the end, and what is left once the core is disposed. The containers carry
// this run's label and are removed at the end, also after a failure or Ctrl-C.
import { join } from 'node:path';
import Docker from 'dockerode';
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import { silentLogger } from '../../src/core/logger';
import { mapConcurrently } from '../../src/core/concurrency';
import { makeCore } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';
import { activeResources, numberOption, waitUntilAnswers } from './benchKit';

const SAMPLE_EVERY_MS = 10_000;
const SETTLE_MS = 10_000;
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

interface Sample {
  /** Minutes since monitoring started. */
  minute: number;
  /** Sweeps done by then. */
  sweeps: number;
  rss: number;
  heapUsed: number;
  handles: Record<string, number>;
}

function sample(started: number, sweeps: number): Sample {
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { minute: (performance.now() - started) / 60_000, sweeps, rss, heapUsed, handles: activeResources() };
}

/** The slope of the least-squares line through the points, in MB per hour. */
function slopePerHour(samples: readonly Sample[], value: (sample: Sample) => number): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = samples.reduce((sum, s) => sum + s.minute, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + value(s), 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.minute - meanX) * (value(s) - meanY);
    variance += (s.minute - meanX) ** 2;
  }
  return ((covariance / variance) * 60) / MB;
}

function describe(samples: readonly Sample[], historySize: number, label: string, value: (sample: Sample) => number): string {
  const first = samples[0]!;
  const last = samples.at(-1)!;
  const full = samples.filter((point) => point.sweeps >= historySize);
  const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
  const slope = (points: readonly Sample[]) => `${slopePerHour(points, value) >= 0 ? '+' : ''}${slopePerHour(points, value).toFixed(1)} MB/h`;
  const steady =
    full.length >= 3
      ? `${slope(full)} once the histories were full (from minute ${full[0]!.minute.toFixed(1)})`
      : `too few samples once the histories were full (${historySize} checks) to tell the rest`;
  return `  ${label}: ${mb(value(first))} at the start, ${mb(value(last))} at the end; slope ${slope(samples)} over the run, ${steady}`;
}

function most(samples: readonly Sample[], kind: string): number {
  return Math.max(...samples.map((point) => point.handles[kind] ?? 0));
}

function handles(resources: Record<string, number>): string {
  return Object.entries(resources)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
}

async function main(): Promise<void> {
  const instances = numberOption('instances', 100);
  const minutes = numberOption('minutes', 10);
  const interval = numberOption('interval', 5);
  const historySize = numberOption('history', 120);
  if (!gc) console.warn('Run with node --expose-gc (npm run bench:soak does) for heap figures after GC.');
  await requireDocker();
  const image = ensureTestImage();
  const docker = new Docker();
  const temp = makeTempDir('remote-swarm-soak-');
  const coordination = new FileCoordination(join(temp.path, 'coordination'), { log: silentLogger });
  const core = await makeCore(temp.path, { docker: () => testProvider() }, { coordination });
  core.settings.defaultImage = image;
  core.settings.maxInstances = instances;
  core.otherSettings['health'] = { interval, historySize };
  // Busybox's /healthz reports no heartbeat, so idle stops could not happen; off all the same, to measure health alone.
  core.otherSettings['idle'] = { timeoutMinutes: 0 };

  let disposed = false;
  const dispose = () => {
    if (!disposed) core.dispose();
    disposed = true;
  };
  const stopped = new AbortController();
  const interrupt = () => stopped.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const createStarted = performance.now();
    const overrides = { resources: { cpuCores: 0.25, memoryMB: 128 }, workspacePath: '/workspace' };
    const made = await mapConcurrently(Array.from({ length: instances }, (_, index) => `soak-${RUN_ID}-${index}`), 8, (name) =>
      core.controller.create({ provider: 'docker', name, overrides }),
    );
    await Promise.all(made.map((instance) => waitUntilAnswers(instance.urls.ide!)));
    console.log(`soak: ${instances} busybox containers created and answering in ${((performance.now() - createStarted) / 1000).toFixed(1)} s; monitoring for ${minutes} min, health every ${interval} s`);

    let sweeps = 0;
    core.swarm.health.onDidChange(() => (sweeps += 1));
    const started = performance.now();
    const samples = [sample(started, sweeps)];
    core.swarm.startMonitoring();
    const end = started + minutes * 60_000;
    while (performance.now() < end && !stopped.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(SAMPLE_EVERY_MS, end - performance.now())));
      samples.push(sample(started, sweeps));
    }
    const atEnd = samples.at(-1)!.handles;
    const health: Record<string, number> = {};
    for (const view of core.swarm.health.overview().instances) health[view.health] = (health[view.health] ?? 0) + 1;
    const elapsedMinutes = (performance.now() - started) / 60_000;

    console.log(`  ${sweeps} sweeps in ${elapsedMinutes.toFixed(1)} min (one every ${((elapsedMinutes * 60) / Math.max(sweeps, 1)).toFixed(1)} s); health at the end ${JSON.stringify(health)}`);
    console.log(describe(samples, historySize, 'RSS', (s) => s.rss));
    console.log(describe(samples, historySize, `heap${gc ? ' after GC' : ''}`, (s) => s.heapUsed));
    console.log(
      `  open while monitoring: at most ${most(samples, 'TCPSocketWrap')} TCP sockets (probes), ${most(samples, 'PipeWrap')} pipes (the engine's socket; stdout and stderr when piped), ` +
        `${most(samples, 'Timeout')} timers at a sample; at the end ${handles(atEnd)}`,
    );
    dispose();
    // Past the probes' timeout timers and idle keep-alive connections, which end by themselves.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    console.log(`  left ${SETTLE_MS / 1000} s after the core is disposed: ${handles(activeResources()) || 'none'}`);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    dispose();
    temp.remove();
    await removeTestResources(docker);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

// Benchmark of the HealthMonitor: the time of one sweep over --instances instances, the most TCP connections it had
// open at once and its peak memory. Prints figures; asserts nothing.
//   node --expose-gc --import tsx test/bench/health-sweep.ts [--instances 200] [--slow 30] [--hanging 15] [--dead 15]
//        [--slow-ms 1000] [--sweeps 5] [--concurrency <the default>]
// Each instance's /healthz is a real HTTP server on 127.0.0.1 in a child process (test/bench/healthzServers.ts): most
// answer at once, --slow answer after --slow-ms, --hanging never answer (the probe times out), --dead refuse the
// connection. The monitor runs with the default settings (interval 30 s, timeout 5 s, 1024 at once, 120 checks kept;
// --concurrency overrides, e.g. 256, the default before); its clock is a fake one moved 30 s per sweep, so auto-recovery
// behaves as over real intervals. The target: a sweep within the probe timeout plus one second.
// Open sockets: this process's TCP connections (process.getActiveResourcesInfo()), sampled every 5 ms; the monitor
// opens one per probe, so its bound is the concurrency (printed beside them: its probes in flight at most). The
// instances were just created, so the core's readiness probes (InstanceStartup, one a second per starting instance)
// are open beside the sweep's.
// Memory: heap in use above a baseline taken (after GC) with the instances registered but no monitor, sampled every
// 5 ms during the timed sweeps, then while the history fills (every endpoint answering), and what stays after GC.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { HealthMonitor } from '../../src/core/health/healthMonitor';
import { probeHttp, type HttpProbe } from '../../src/core/health/httpProbe';
import { parseHealthSettings, type HealthSettings } from '../../src/core/health/healthSettings';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import type { HealthzMix as Mix } from '../support/healthzServer';
import { FakeClock } from '../support/fakeClock';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';
import { median, numberOption, openTcpSockets } from './benchKit';


interface EndpointUrls {
  answering: string[];
  slow: string[];
  hanging: string[];
  dead: string[];
}

const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function startServers(mix: Mix): Promise<{ child: ChildProcess; urls: EndpointUrls }> {
  const child = fork(path.join(__dirname, 'healthzServers.ts'), [JSON.stringify(mix)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (urls) => resolve({ child, urls: urls as EndpointUrls }));
    child.once('exit', (code) => reject(new Error(`the endpoint servers exited (${code}) before they were ready`)));
  });
}

interface Peaks {
  heapUsed: number;
  rss: number;
  sockets: number;
}

/** The real probe, counting how many of its calls are under way at once. */
function countingProbe(): { probe: HttpProbe; peak: () => number; reset: () => void } {
  let now = 0;
  let peak = 0;
  const probe: HttpProbe = async (url, timeoutMs) => {
    peak = Math.max(peak, (now += 1));
    try {
      return await probeHttp(url, timeoutMs);
    } finally {
      now -= 1;
    }
  };
  return { probe, peak: () => peak, reset: () => (peak = now) };
}

/** The highest heap in use, resident set and number of open TCP connections while `run` runs, sampled every 5 ms. */
async function peaksDuring(run: () => Promise<void>): Promise<Peaks> {
  const peaks: Peaks = { heapUsed: 0, rss: 0, sockets: 0 };
  const sample = () => {
    const { heapUsed, rss } = process.memoryUsage();
    peaks.heapUsed = Math.max(peaks.heapUsed, heapUsed);
    peaks.rss = Math.max(peaks.rss, rss);
    peaks.sockets = Math.max(peaks.sockets, openTcpSockets());
  };
  sample();
  const sampler = setInterval(sample, 5);
  try {
    await run();
    sample();
    return peaks;
  } finally {
    clearInterval(sampler);
  }
}

async function registerInstances(core: CoreHarness, provider: MemoryProvider, urls: EndpointUrls): Promise<void> {
  const all = [...urls.answering, ...urls.slow, ...urls.hanging, ...urls.dead];
  core.settings.maxInstances = all.length;
  for (const [index, url] of all.entries()) {
    provider.ideUrls.set(`bench-${index}`, url);
    await core.controller.create({ provider: 'memory', name: `bench-${index}` });
  }
}

async function measure(core: CoreHarness, child: ChildProcess, mix: Mix, sweeps: number): Promise<void> {
  const defaults = parseHealthSettings({});
  const settings: HealthSettings = { ...defaults, concurrency: numberOption('concurrency', defaults.concurrency) };
  const clock = new FakeClock();
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  const probes = countingProbe();
  const monitor = new HealthMonitor({ controller: core.controller, listings: core.swarm.listings, settings: () => settings, clock, probe: probes.probe });
  const sweepOnce = async () => {
    clock.advance(settings.intervalMs);
    await monitor.sweep();
  };

  const times: number[] = [];
  const peak = await peaksDuring(async () => {
    for (let i = 0; i < sweeps; i++) {
      const started = performance.now();
      await sweepOnce();
      times.push(performance.now() - started);
    }
  });

  const sweepProbes = probes.peak();
  child.send('answer-all');
  await new Promise((resolve) => child.once('message', resolve));
  probes.reset();
  const fillPeak = await peaksDuring(async () => {
    for (let i = sweeps; i < settings.historySize; i++) await sweepOnce();
  });
  gc?.();
  const retained = process.memoryUsage().heapUsed - baseline;
  const fillProbes = probes.peak();
  const health: Record<string, number> = {};
  for (const view of monitor.snapshot().instances) health[view.health] = (health[view.health] ?? 0) + 1;
  monitor.dispose();

  const total = mix.answering + mix.slow + mix.hanging + mix.dead;
  const slowest = Math.max(...times);
  const target = settings.timeoutMs + 1000;
  console.log(`health-sweep: ${total} instances (${mix.answering} answering, ${mix.slow} answering after ${mix.slowMs} ms, ${mix.hanging} never answering, ${mix.dead} refusing)`);
  console.log(`  settings: interval ${settings.intervalMs / 1000} s, timeout ${settings.timeoutMs / 1000} s, concurrency ${settings.concurrency}, history ${settings.historySize}`);
  console.log(
    `  one sweep: median ${seconds(median(times))}, slowest ${seconds(slowest)} of ${sweeps} (${times.map(seconds).join(', ')}); ` +
      `${slowest <= target ? 'within' : 'NOT within'} the timeout plus one second (${seconds(target)}); ` +
      `${slowest < settings.intervalMs ? 'fits inside' : 'DOES NOT FIT inside'} the ${settings.intervalMs / 1000} s interval`,
  );
  console.log(
    `  least the mix forces: ${seconds(Math.max(mix.hanging > 0 ? settings.timeoutMs : 0, (mix.slow * mix.slowMs + mix.hanging * settings.timeoutMs) / settings.concurrency))} ` +
      `(a hanging probe's timeout, or the slow and hanging probes' waiting spread over ${settings.concurrency} slots)`,
  );
  console.log(
    `  open TCP connections: at most ${peak.sockets} during the timed sweeps (the monitor's probes: at most ${sweepProbes} at once), ` +
      `${fillPeak.sockets} while the history filled (its probes: at most ${fillProbes}); the monitor's bound: one per probe, so the concurrency ` +
      `${settings.concurrency} or the ${total} instances, whichever is less; the rest are the core's readiness probes of the instances just created and connections still closing`,
  );
  console.log(
    `  monitor heap above baseline: peak ${mib(peak.heapUsed - baseline)} during the timed sweeps, peak ${mib(fillPeak.heapUsed - baseline)} while the history filled, ` +
      `${mib(retained)} retained with ${settings.historySize} checks kept for each instance; peak RSS ${mib(Math.max(peak.rss, fillPeak.rss))}`,
  );
  console.log(`  health after ${settings.historySize} sweeps: ${JSON.stringify(health)}; process RSS ${mib(process.memoryUsage().rss)}`);
}

async function main(): Promise<void> {
  const total = numberOption('instances', 200);
  const slow = numberOption('slow', 30);
  const hanging = numberOption('hanging', 15);
  const dead = numberOption('dead', 15);
  const mix: Mix = { answering: total - slow - hanging - dead, slow, hanging, dead, slowMs: numberOption('slow-ms', 1000) };
  if (!gc) console.warn('Run with node --expose-gc for a clean memory baseline.');

  const temp = makeTempDir();
  const { child, urls } = await startServers(mix);
  try {
    const provider = new MemoryProvider();
    const core = await makeCore(temp.path, { memory: () => provider });
    try {
      await registerInstances(core, provider, urls);
      await measure(core, child, mix, numberOption('sweeps', 5));
    } finally {
      core.dispose();
    }
  } finally {
    // The servers close and their process exits when the IPC channel goes, also if this process dies.
    child.disconnect();
    temp.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

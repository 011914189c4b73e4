// Benchmark of what the leader publishes for the other windows of a user after each health sweep: bytes written, the
// leader's publish time and a follower's apply time, at --instances instances with --history checks kept each, beside
// the whole-file way (every history in monitoring.json, rewritten and read whole each time) as the baseline.
//   tsx test/bench/monitoring-publish.ts [--instances 1000] [--history 120]
// Two cores (a leader and a follower) over one temporary state folder, coordinated through its files as two VS Code
// windows are, on one fake clock: the follower looks once a second of it, the leader publishes 100 ms after a sweep.
// Every probe answers at once, so a sweep records one sample per instance as fast as the machine allows. The histories
// are filled first (--history sweeps); then --history + 1 sweeps are measured, a whole cycle of the log: one publish
// starts it afresh (every history), the others append what the sweep found. Per hour: at the default 30 s interval.
// Baseline: the same state as the old code published it (monitoring.json with every history: published health with
// samples, stringified and written atomically) and as a follower took it (JSON.parse, the zod schemas, and rebuilding
// every history), timed in this process on the final state.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import type { LeaseTimings } from '../../src/core/coordination/leadership';
import type { PublishedHealth } from '../../src/core/health/publishedHealth';
import { parsePublishedHealth, parsePublishedSamples } from '../../src/core/health/publishedHealth';
import type { HttpProbe } from '../../src/core/health/httpProbe';
import { writeAtomically } from '../../src/core/jsonFileStore';
import { silentLogger } from '../../src/core/logger';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { FakeClock } from '../support/fakeClock';
import { MemoryProvider } from '../support/memoryProvider';
import { sampleInstance } from '../support/sampleInstance';
import { makeTempDir } from '../support/tempDir';
import { median, numberOption } from './benchKit';

const INSTANCES = numberOption('instances', 1000);
const HISTORY = numberOption('history', 120);
const SWEEP_INTERVAL_S = 30;
/** As the core: the leader publishes this long after a sweep (swarm.ts PUBLISH_DELAY_MS). */
const PUBLISH_DELAY_MS = 100;
/** The follower looks once a second; the lease is renewed seldom, so that no renewal falls in a timed window. */
const TIMINGS: LeaseTimings = { ttlMs: 86_400_000, renewMs: 3_600_000, pollMs: 1_000 };

/** Every instance answers at once, and its IDE is in use (so that none is stopped as idle). */
const answering = (clock: FakeClock): HttpProbe => async () => ({ statusCode: 200, responseTimeMs: 12.3, lastHeartbeat: clock.now() });

interface Publish {
  /** Written in all, of which monitoring.json. */
  bytes: number;
  monitoringBytes: number;
  publishMs: number;
  applyMs: number;
  startedAfresh: boolean;
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

async function openWindow(dir: string, provider: MemoryProvider, clock: FakeClock): Promise<CoreHarness> {
  const coordination = new FileCoordination(dir, { log: silentLogger, clock, timings: TIMINGS });
  const core = await makeCore(dir, { memory: () => provider }, { coordination, probe: answering(clock), clock });
  core.settings.maxInstances = INSTANCES;
  // Interval 0: no scheduled sweeps; the benchmark sweeps.
  core.otherSettings.health = { interval: 0, historySize: HISTORY };
  core.swarm.startMonitoring();
  return core;
}

/** A sweep, the leader's publish and the follower's next look, each timed as the clock passes them. */
async function sweepAndPublish(leader: CoreHarness, clock: FakeClock, files: { monitoring: string; samples: string }): Promise<Publish> {
  const before = statSync(files.samples, { throwIfNoEntry: false });
  await leader.swarm.sweepNow();
  let started = performance.now();
  clock.advance(PUBLISH_DELAY_MS);
  const publishMs = performance.now() - started;
  started = performance.now();
  clock.advance(TIMINGS.pollMs - PUBLISH_DELAY_MS);
  const applyMs = performance.now() - started;
  const after = statSync(files.samples);
  const startedAfresh = before?.ino !== after.ino;
  const monitoringBytes = statSync(files.monitoring).size;
  return { bytes: monitoringBytes + (startedAfresh ? after.size : after.size - before.size), monitoringBytes, publishMs, applyMs, startedAfresh };
}

/** The old whole-file way on the same state: monitoring.json with every history, written by the leader and taken whole by the follower. */
function baseline(leader: CoreHarness, follower: CoreHarness, path: string): { bytes: number; publishMs: number; applyMs: number } {
  const runs: { bytes: number; publishMs: number; applyMs: number }[] = [];
  for (let run = 0; run < 5; run++) {
    let started = performance.now();
    const health = leader.swarm.health.published();
    const { samples } = leader.swarm.health.allSamples();
    const whole = { ...health, instances: Object.fromEntries(Object.entries(health.instances).map(([id, instance]) => [id, { ...instance, samples: samples[id] ?? [] }])) };
    const text = JSON.stringify({ leader: 'baseline', state: { health: whole, ledger: leader.swarm.ledger.published() } });
    writeAtomically(path, text, 0o600);
    const publishMs = performance.now() - started;

    started = performance.now();
    const received = (JSON.parse(readFileSync(path, 'utf8')) as { state: { health: PublishedHealth & { instances: Record<string, { samples: unknown }> } } }).state.health;
    const followed = parsePublishedHealth(received)!;
    const histories = parsePublishedSamples({ samples: Object.fromEntries(Object.entries(received.instances).map(([id, instance]) => [id, instance.samples])) })!;
    follower.swarm.health.follow(followed);
    follower.swarm.health.followSamples([histories], true);
    runs.push({ bytes: text.length, publishMs, applyMs: performance.now() - started });
  }
  return { bytes: runs[0]!.bytes, publishMs: median(runs.map((run) => run.publishMs)), applyMs: median(runs.map((run) => run.applyMs)) };
}

/** Running instances on the memory provider, registered in one write (a create each would rewrite the registry a thousand times). */
async function register(leader: CoreHarness, provider: MemoryProvider): Promise<void> {
  const instances = Array.from({ length: INSTANCES }, (_, index) => sampleInstance(`bench-${index}`, { id: `memory-${index}-${'0'.repeat(8)}`, provider: 'memory', urls: { ide: `http://127.0.0.1:${10_000 + index}/` } }));
  for (const { id, name, status, urls, config } of instances) provider.instances.set(id, { instance: { id, name, status, urls, ports: [], config, metadata: {} } });
  await leader.registry.applyAll({ added: instances });
}

async function main(): Promise<void> {
  const temp = makeTempDir('remote-swarm-bench-');
  const clock = new FakeClock();
  const provider = new MemoryProvider();
  const cores: CoreHarness[] = [];
  try {
    const leader = await openWindow(temp.path, provider, clock);
    cores.push(leader);
    await register(leader, provider);
    const follower = await openWindow(temp.path, provider, clock);
    cores.push(follower);
    if (!leader.swarm.coordination.leading || follower.swarm.coordination.leading) throw new Error('the first window should lead');
    // Half a poll on: the follower's looks then fall in the second timed window of each publish, never the first.
    clock.advance(TIMINGS.pollMs / 2);
    const files = { monitoring: join(temp.path, 'monitoring.json'), samples: join(temp.path, 'health-samples.jsonl') };

    const started = performance.now();
    for (let sweep = 0; sweep < HISTORY; sweep++) await sweepAndPublish(leader, clock, files);
    console.log(`  (histories filled by ${HISTORY} sweeps in ${ms(performance.now() - started)})`);
    const measured: Publish[] = [];
    for (let sweep = 0; sweep <= HISTORY; sweep++) measured.push(await sweepAndPublish(leader, clock, files));
    const kept = Object.values(leader.swarm.health.allSamples().samples).map((samples) => samples.length);
    if (kept.length !== INSTANCES || kept.some((length) => length !== HISTORY)) throw new Error(`the leader keeps ${kept.length} histories, not ${INSTANCES} of ${HISTORY} checks`);
    const same = isDeepStrictEqual(JSON.parse(JSON.stringify(follower.swarm.health.allSamples())), JSON.parse(JSON.stringify(leader.swarm.health.allSamples())));
    const { state } = JSON.parse(readFileSync(files.monitoring, 'utf8')) as { state: { health: unknown; ledger: unknown } };
    const old = baseline(leader, follower, join(temp.path, 'baseline-monitoring.json'));

    const appends = measured.filter((publish) => !publish.startedAfresh);
    const afresh = measured.filter((publish) => publish.startedAfresh);
    const perHour = 3600 / SWEEP_INTERVAL_S;
    const cycleBytes = measured.reduce((sum, publish) => sum + publish.bytes, 0);
    console.log(`monitoring-publish: ${INSTANCES} instances x ${HISTORY} checks kept; a publish per sweep, ${perHour} an hour at ${SWEEP_INTERVAL_S} s`);
    console.log(`  baseline (whole monitoring.json):   ${kib(old.bytes)} a publish, ${kib(old.bytes * perHour)} an hour; leader ${ms(old.publishMs)}, follower ${ms(old.applyMs)} (median of 5)`);
    console.log(
      `  deltas (health-samples.jsonl), a sweep's publish: ${kib(median(appends.map((publish) => publish.bytes)))} (monitoring.json ${kib(median(appends.map((publish) => publish.monitoringBytes)))} and one line); ` +
        `leader ${ms(median(appends.map((publish) => publish.publishMs)))} (max ${ms(Math.max(...appends.map((publish) => publish.publishMs)))}), ` +
        `follower ${ms(median(appends.map((publish) => publish.applyMs)))} (max ${ms(Math.max(...appends.map((publish) => publish.applyMs)))}), median of ${appends.length}`,
    );
    console.log(
      `  deltas, the log started afresh (${afresh.length} in ${measured.length} publishes, and at each takeover): ${afresh.map((publish) => `${kib(publish.bytes)}, leader ${ms(publish.publishMs)}, follower ${ms(publish.applyMs)}`).join('; ')}`,
    );
    console.log(`  monitoring.json: health states ${kib(JSON.stringify(state.health).length)}, cost ledger ${kib(JSON.stringify(state.ledger).length)}`);
    console.log(`  deltas an hour: ${kib((cycleBytes / measured.length) * perHour)} (a whole cycle of ${measured.length} publishes averaged)`);
    console.log(`  follower's histories equal the leader's: ${same ? 'yes' : 'NO'}`);
  } finally {
    for (const core of cores) core.dispose();
    temp.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { FileCoordination } from '../../src/core/coordination/fileCoordination';
import type { LeaseTimings } from '../../src/core/coordination/leadership';
import type { HttpProbe } from '../../src/core/health/httpProbe';
import { writeAtomically } from '../../src/core/jsonFileStore';
import { silentLogger, type Logger } from '../../src/core/logger';
import type { Instance } from '../../src/core/models';
import { pollUntil } from '../e2e/harness/poll';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

/** Short enough for a test, long enough for three cores on a loaded machine with 2 cores. */
const TIMINGS: LeaseTimings = { ttlMs: 3_000, renewMs: 500, pollMs: 100 };
const HISTORY_SIZE = 5;

/** A window of one user: its core over the shared state folder, and the warnings it logged. */
interface Window {
  core: CoreHarness;
  warnings: string[];
}

describe('Health the leader publishes, as the other windows show it (cores over one state folder)', function () {
  this.timeout(30_000);
  let temp: ReturnType<typeof makeTempDir>;
  let provider: MemoryProvider;
  let windows: Window[];
  /** Probes so far: each answer's response time is its number, so every sample is told apart. */
  let probes: number;
  /** Sweeps so far, and whether some fail: in every third sweep /healthz answers HTTP 500, in every fourth not at all. */
  let sweeps: number;
  let failing: boolean;

  /** Answers at once; outside sweeps (an instance starting) always 200. */
  const probe: HttpProbe = async () => {
    const responseTimeMs = ++probes;
    if (failing && sweeps % 4 === 0) return { responseTimeMs, error: 'connection refused' };
    return { statusCode: failing && sweeps % 3 === 0 ? 500 : 200, responseTimeMs };
  };

  beforeEach(() => {
    temp = makeTempDir();
    provider = new MemoryProvider();
    windows = [];
    probes = 0;
    sweeps = 0;
    failing = true;
  });

  afterEach(() => {
    for (const { core } of windows) core.dispose();
    temp.remove();
  });

  const samplesFile = () => join(temp.path, 'health-samples.jsonl');
  const monitoringFile = () => join(temp.path, 'monitoring.json');

  /** A window that monitors: sweeps only when told to (sweepNow), so that each test says when the leader checks. */
  async function openWindow(): Promise<Window> {
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const coordination = new FileCoordination(temp.path, { log, timings: TIMINGS });
    const core = await makeCore(temp.path, { memory: () => provider }, { coordination, probe, log });
    core.otherSettings.health = { interval: 86_400, historySize: HISTORY_SIZE, failureThreshold: 2, successThreshold: 1, autoRecovery: false };
    core.swarm.startMonitoring();
    const window = { core, warnings };
    windows.push(window);
    return window;
  }

  function close(window: Window): void {
    window.core.dispose();
    windows.splice(windows.indexOf(window), 1);
  }

  async function create(window: Window, ...names: string[]): Promise<Instance[]> {
    const made: Instance[] = [];
    for (const name of names) made.push(await window.core.controller.create({ provider: 'memory', name }));
    return made;
  }

  /** A sweep by the leader, and its publish: the log ends with its last check. */
  async function sweep(leader: Window): Promise<void> {
    assert.ok(leader.core.swarm.coordination.leading, 'sweeps by the leader');
    sweeps++;
    await leader.core.swarm.sweepNow();
    const last = new RegExp(`"responseTimeMs":${probes}[,}]`);
    await pollUntil(() => (existsSync(samplesFile()) && last.test(readFileSync(samplesFile(), 'utf8').split('\n').at(-2) ?? '')) || undefined, { what: 'the leader to publish its sweep', timeoutMs: 5_000, intervalMs: 10 });
  }

  /** The health panel as a window shows it; as JSON, since the leader's samples carry fields set to undefined, which the others never received. */
  const panel = ({ core }: Window) => JSON.parse(JSON.stringify(core.swarm.health.snapshot().instances)) as unknown;

  async function showsLeadersPanel(follower: Window, leader: Window): Promise<void> {
    await pollUntil(() => isDeepStrictEqual(panel(follower), panel(leader)) || undefined, { what: 'the follower to show the leader\'s health panel', timeoutMs: 5_000, intervalMs: 20 });
  }

  const history = ({ core }: Window, instance: Instance) => core.swarm.health.recordOf(instance.id)?.samples.map((sample) => sample.responseTimeMs);

  /** Until the follower next looked at what the leader published (it sees monitoring.json written again). */
  async function nextLook(follower: Window): Promise<void> {
    let looked = false;
    const subscription = follower.core.swarm.coordination.onDidReceiveMonitoring(() => (looked = true));
    writeAtomically(monitoringFile(), readFileSync(monitoringFile(), 'utf8'), 0o600);
    try {
      await pollUntil(() => looked || undefined, { what: 'the follower to look', timeoutMs: 5_000, intervalMs: 10 });
    } finally {
      subscription.dispose();
    }
  }

  it('shows the leader\'s health panel in a follower after every sweep, histories, availability and error rate included', async () => {
    const leader = await openWindow();
    const [web] = await create(leader, 'web', 'api');
    const follower = await openWindow();
    assert.equal(follower.core.swarm.coordination.leading, false);
    // Past HISTORY_SIZE publishes, where the leader starts its log afresh.
    while (sweeps < HISTORY_SIZE + 3) {
      await sweep(leader);
      await showsLeadersPanel(follower, leader);
    }
    const shown = follower.core.swarm.health.snapshot().instances.find((view) => view.id === web!.id)!;
    assert.equal(shown.latency.length, HISTORY_SIZE, 'a whole history');
    // Of the last five sweeps (4th to 8th), the 6th found HTTP 500 and the 4th and 8th no answer.
    assert.deepEqual({ availability: shown.statistics.availability, errorRate: shown.statistics.errorRate }, { availability: 3 / 5, errorRate: 3 / 5 });
    assert.equal(readFileSync(monitoringFile(), 'utf8').includes('responseTimeMs'), false, 'monitoring.json carries no samples');
    assert.deepEqual(follower.warnings, []);
  });

  it('forgets an instance the leader stopped checking, and starts its history afresh when it runs again', async () => {
    const leader = await openWindow();
    failing = false;
    const [web] = await create(leader, 'web');
    const follower = await openWindow();
    await sweep(leader);
    await sweep(leader);
    await showsLeadersPanel(follower, leader);
    await leader.core.controller.stop(web!.id);
    await leader.core.swarm.sweepNow();
    await pollUntil(() => (follower.core.swarm.health.recordOf(web!.id) === undefined || undefined), { what: 'the follower to forget the stopped instance', timeoutMs: 5_000, intervalMs: 20 });
    await leader.core.controller.start(web!.id);
    await sweep(leader);
    await showsLeadersPanel(follower, leader);
    assert.deepEqual(history(follower, web!), [probes], 'only the check since it started again');
  });

  it('gives a window that opens after the leader started its log afresh the whole histories', async () => {
    const leader = await openWindow();
    const [web, api] = await create(leader, 'web', 'api');
    await sweep(leader);
    const logName = () => readFileSync(samplesFile(), 'utf8').split('\n', 1)[0];
    const firstLog = logName();
    while (sweeps < HISTORY_SIZE + 2) await sweep(leader);
    assert.notEqual(logName(), firstLog, 'the leader started its log afresh');

    const late = await openWindow();
    await showsLeadersPanel(late, leader);
    await sweep(leader);
    await showsLeadersPanel(late, leader);
    for (const instance of [web!, api!]) {
      assert.equal(history(late, instance)?.length, HISTORY_SIZE, 'a whole history');
      assert.deepEqual(history(late, instance), history(leader, instance));
    }
  });

  it('continues the histories when another window takes the lead, without losing or doubling a check', async () => {
    const first = await openWindow();
    const [web, api] = await create(first, 'web', 'api');
    const second = await openWindow();
    await sweep(first);
    await sweep(first);
    await showsLeadersPanel(second, first);
    // Closed right after its publish, before the follower need have looked: taking the lead, it reads what is left.
    await sweep(first);
    const firstChecks = new Map([web!, api!].map((instance) => [instance.id, history(first, instance)!]));
    const checksBeforeTakeover = probes;
    close(first);
    await pollUntil(() => second.core.swarm.coordination.leading || undefined, { what: 'the second window to lead', timeoutMs: 5_000, intervalMs: 20 });
    await sweep(second);
    await sweep(second);

    const third = await openWindow();
    await showsLeadersPanel(third, second);
    for (const instance of [web!, api!]) {
      const continued = history(second, instance)!;
      assert.deepEqual(continued.slice(0, 3), firstChecks.get(instance.id), `every check of ${instance.name} by the first leader, its last one included`);
      assert.equal(continued.length, 5, 'then the two of the new leader, each once');
      assert.ok(continued.slice(3).every((check) => check! > checksBeforeTakeover), continued.join(' '));
      assert.deepEqual(history(third, instance), continued, 'and so in a window that follows the new leader');
    }
  });

  it('applies a line the leader is still writing at the next look after it is whole', async () => {
    const leader = await openWindow();
    const [web] = await create(leader, 'web');
    const follower = await openWindow();
    await sweep(leader);
    await showsLeadersPanel(follower, leader);
    const line = `${JSON.stringify({ samples: { [web!.id]: [{ at: Date.now(), outcome: 'pass', reachable: true, httpStatus: 200, responseTimeMs: 4242 }] } })}\n`;

    appendFileSync(samplesFile(), line.slice(0, 30));
    await nextLook(follower);
    assert.deepEqual(history(follower, web!), history(leader, web!), 'a partly written line waits');
    appendFileSync(samplesFile(), line.slice(30));
    await pollUntil(() => (history(follower, web!)?.at(-1) === 4242 || undefined), { what: 'the follower to apply the whole line', timeoutMs: 5_000, intervalMs: 20 });
    assert.deepEqual(history(follower, web!), [...history(leader, web!)!, 4242]);
    assert.deepEqual(follower.warnings, []);
  });

  it('skips a line it cannot read, says so once, and goes on with the next', async () => {
    const leader = await openWindow();
    const [web] = await create(leader, 'web');
    const follower = await openWindow();
    await sweep(leader);
    await showsLeadersPanel(follower, leader);

    appendFileSync(samplesFile(), `{"samples":{"${web!.id}":[{"at"\n${JSON.stringify({ samples: { [web!.id]: [{ at: 'yesterday' }] } })}\n`);
    await sweep(leader);
    await showsLeadersPanel(follower, leader);
    assert.equal(follower.warnings.length, 2, follower.warnings.join('\n'));
    assert.match(follower.warnings[0]!, /health-samples\.jsonl that is not JSON/);
    assert.match(follower.warnings[1]!, /Skipped 1 batch\(es\) of health samples/);
    await sweep(leader);
    await showsLeadersPanel(follower, leader);
    assert.equal(follower.warnings.length, 2, 'said once');
    assert.equal(history(follower, web!)?.length, 3, 'every check the leader published');
  });
});

import assert from 'node:assert/strict';
import { HealthMonitor } from '../../src/core/health/healthMonitor';
import { parseHealthSettings } from '../../src/core/health/healthSettings';
import { parseIdleSettings, type IdleSettings } from '../../src/core/idle/idleSettings';
import { IdleWatcher, type IdleStop } from '../../src/core/idle/idleWatcher';
import { stopReasonOf } from '../../src/core/stopReason';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { FakeClock } from '../support/fakeClock';
import { HealthzServer, type HealthzBehaviour } from '../support/healthzServer';
import { MemoryProvider } from '../support/memoryProvider';
import { makeTempDir } from '../support/tempDir';

const MINUTE = 60_000;

describe('IdleWatcher (local HTTP servers, fake clock)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let provider: MemoryProvider;
  let core: CoreHarness;
  let clock: FakeClock;
  let settings: IdleSettings;
  let monitor: HealthMonitor;
  let idle: IdleWatcher;
  let stops: IdleStop[];
  const servers: HealthzServer[] = [];

  beforeEach(async () => {
    temp = makeTempDir();
    provider = new MemoryProvider();
    core = await makeCore(temp.path, { memory: () => provider });
    clock = new FakeClock();
    settings = parseIdleSettings({});
    monitor = new HealthMonitor({ controller: core.controller, listings: core.swarm.listings, settings: () => parseHealthSettings({}), clock });
    idle = new IdleWatcher({ controller: core.controller, settings: () => settings, clock });
    stops = [];
    idle.onDidStop((stop) => stops.push(stop));
  });

  afterEach(async () => {
    idle.dispose();
    monitor.dispose();
    core.dispose();
    temp.remove();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function instance(name: string, behaviour: HealthzBehaviour, template?: string): Promise<HealthzServer> {
    const server = await HealthzServer.start(behaviour);
    servers.push(server);
    provider.ideUrls.set(name, server.url);
    await core.controller.create({ provider: 'memory', name, template });
    return server;
  }

  /** One sweep and idle review, as the extension runs them, after `minutes` on the fake clock. */
  async function after(minutes: number): Promise<void> {
    clock.advance(minutes * MINUTE);
    await idle.review(await monitor.sweep());
  }

  it('counts a never-used code-server from when it was first seen running', async () => {
    await instance('fresh', { answer: 'json', lastHeartbeat: 0 });
    await after(1);
    await after(29);
    assert.equal(core.controller.get('fresh').status, 'running', '29 minutes since first seen');
    await after(2);
    assert.equal(core.controller.get('fresh').status, 'stopped');
    assert.equal(stopReasonOf(core.controller.get('fresh')), 'inactivity');
    assert.deepEqual(stops.map((stop) => [stop.instance.name, stop.idleMs / MINUTE, stop.timeoutMs / MINUTE]), [['fresh', 31, 30]]);
  });

  it('follows the per-template timeout, where 0 never stops', async () => {
    settings = parseIdleSettings({ timeoutMinutes: 30, timeoutMinutesByTemplate: { agent: 0, development: 10 } });
    const heartbeat = clock.now() - 20 * MINUTE;
    await instance('agent-1', { answer: 'json', lastHeartbeat: heartbeat }, 'agent');
    await instance('dev-1', { answer: 'json', lastHeartbeat: heartbeat }, 'development');
    await after(1);
    assert.equal(core.controller.get('agent-1').status, 'running');
    assert.equal(core.controller.get('dev-1').status, 'stopped');
  });

  it('never stops an instance whose health endpoint reports no heartbeat', async () => {
    const server = await instance('not-code-server', { answer: 'json' });
    server.behaviour = { answer: 'json', status: 204 };
    await after(1);
    await after(600);
    assert.equal(core.controller.get('not-code-server').status, 'running');
    assert.deepEqual(stops, []);
  });
});

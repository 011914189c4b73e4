import assert from 'node:assert/strict';
import { HealthMonitor } from '../../src/core/health/healthMonitor';
import { parseHealthSettings } from '../../src/core/health/healthSettings';
import { parseIdleSettings, type IdleSettings } from '../../src/core/idle/idleSettings';
import { IdleWatcher, type IdleStop } from '../../src/core/idle/idleWatcher';
import { USE_PROBE } from '../../src/core/idle/instanceUse';
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
  /** Each warning: the instance and the minutes until its stop. */
  let warnings: [string, number][];
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
    warnings = [];
    idle.onDidWarn(({ instance, stopsAt }) => warnings.push([instance.name, (stopsAt - clock.now()) / MINUTE]));
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
    assert.deepEqual(warnings, [['dev-1', 2]], 'announced first');
    await after(2);
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

  it('announces a stop two minutes ahead, and Keep Running counts as a use', async () => {
    await instance('quiet', { answer: 'json', lastHeartbeat: 0 });
    await after(1);
    await after(28);
    assert.deepEqual(warnings, [['quiet', 2]], '28 minutes unused: stopped in 2 minutes, the timeout');
    idle.keepRunning(core.controller.get('quiet').id);
    await after(3);
    assert.equal(core.controller.get('quiet').status, 'running');
    await after(24);
    assert.deepEqual(warnings, [['quiet', 2]], 'its idle time counts from Keep Running');
    await after(1);
    assert.equal(warnings.length, 2);
    await after(3);
    assert.equal(core.controller.get('quiet').status, 'stopped');
    assert.deepEqual(stops.map((stop) => stop.instance.name), ['quiet']);
  });

  it('counts a terminal or Dev Containers session (docker exec) and an SSH connection inside it as use', async () => {
    let inside = USE_PROBE_OUTPUT.idle;
    provider.answerExec = (_id, argv) => (argv === USE_PROBE ? { stdout: inside, stderr: '', exitCode: 0 } : undefined);
    await instance('worked-in', { answer: 'json', lastHeartbeat: 0 });
    await after(1);
    inside = USE_PROBE_OUTPUT.terminal;
    await after(40);
    assert.deepEqual(warnings, [], 'a terminal is open in it');
    inside = USE_PROBE_OUTPUT.ssh;
    await after(40);
    assert.deepEqual(warnings, [], 'a Remote-SSH window is connected');
    inside = USE_PROBE_OUTPUT.idle;
    await after(28);
    assert.deepEqual(warnings, [['worked-in', 2]], 'unused for 28 minutes since the SSH connection was last seen');
    await after(3);
    assert.equal(core.controller.get('worked-in').status, 'stopped');
  });

  it('counts CPU at or above the threshold as use, where the provider reports it', async () => {
    await instance('busy', { answer: 'json', lastHeartbeat: 0 });
    const { id } = core.controller.get('busy');
    provider.usage.set(id, { cpuPercent: 85, memoryBytes: 1 });
    await after(1);
    await after(40);
    assert.deepEqual(warnings, [], 'an agent or a build is working in it');
    provider.usage.set(id, { cpuPercent: 3, memoryBytes: 1 });
    await after(28);
    assert.deepEqual(warnings, [['busy', 2]]);
  });

  it('never stops an instance of the agent template unless that template is given a timeout', async () => {
    await instance('agent-1', { answer: 'json', lastHeartbeat: 0 }, 'agent');
    await after(1);
    await after(600);
    assert.equal(core.controller.get('agent-1').status, 'running');
    assert.deepEqual(warnings, []);
  });
});

/** What USE_PROBE prints in the busybox test image (test/setup/build-test-image.sh): the process lines as read from a real container (shortened), the TCP lines in the kernel's format (port 0x16 = 22). */
const USE_PROBE_OUTPUT = (() => {
  const header = '14 \n---\n';
  const own = ['1 (start) S 0 1 1 0 -1 4194560', '14 (sh) S 0 14 14 0 -1 4194560', '6 (httpd) S 1 1 1 0 -1 4194560', '7 (sleep) S 1 1 1 0 -1 4194304'];
  const tcpHeader = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
  const listening = '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0';
  const sshConnection = '   1: 020011AC:0016 010011AC:D2F0 01 00000000:00000000 02:00000000 00000000     0        0 2 1 0000000000000000 20 4 30 10 -1';
  const output = (stats: string[], tcp: string[]) => `${header}${stats.join('\n')}\n---\n${[tcpHeader, ...tcp].join('\n')}\n`;
  return {
    idle: output(own, [listening]),
    terminal: output([...own, '8 (sh) S 0 8 8 0 -1 4194560'], [listening]),
    ssh: output(own, [listening, sshConnection]),
  };
})();

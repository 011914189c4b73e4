import assert from 'node:assert/strict';
import Docker from 'dockerode';
import type { FrameLocator } from 'playwright-core';
import { DEFAULT_LEASE_TIMINGS } from '../../src/core/coordination/leadership';
import { runExec } from '../../src/providers/dockerEngine/dockerExec';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { suiteUserSettings } from '../vscode/suiteSettings';
import { testInstanceName } from '../vscode/testInstanceNames';
import { extensionHostPids, leaderPid } from './harness/extensionHosts';
import { packageExtension } from './harness/extensionPackages';
import { pollUntil } from './harness/poll';
import { useWorkbenchSession } from './harness/sessionHooks';
import { testContainers } from './harness/testInstanceCleanup';
import type { Workbench } from './harness/workbench';

const docker = new Docker();

/** The health interval the windows run with (remoteSwarm.health.interval, seconds). */
const INTERVAL_MS = 1_000;
/** remoteSwarm.cost.pricePerHour for Docker: a dollar a running second, so the cost panel's dollars read as seconds. */
const DOLLARS_PER_HOUR = 3_600;
/** What the Output channel of the window that leads says, and of one that follows (src/core/swarm.ts). */
const LEADS = 'now runs health checks';
const FOLLOWS = 'this one shows its results';
/**
 * The template of the test's instance, the only one auto-recovery restarts. Other runs' instances on the shared engine
 * may be listed and checked by the windows (their number changes by the minute), but nothing here restarts, stops or
 * counts them: the test reads its own instance's rows and its own container.
 */
const TEMPLATE = 'two-windows-test';
/** Where the instance's verbose web server notes each request it answers (busybox httpd -v: one "response:200" line each). */
const REQUEST_LOG = '/tmp/checks.log';

/** A window of the workbench (a browser tab) and the extension host code-server runs for it. */
interface Window {
  name: string;
  workbench: Workbench;
  extensionHost: number;
}

describe('Two code-server windows on one user-data directory: one leads the monitoring (a busybox instance on the real Docker Engine)', function () {
  this.timeout(180_000);
  const name = testInstanceName('two-windows');
  const windows: Window[] = [];
  /** When the create was asked for, and when a window first showed the instance healthy: it started running between. */
  let creating = 0;
  let running = 0;
  /** The restarts of the instance's container Docker reported since its server was stopped, and how to stop counting. */
  let restarts = 0;
  let stopWatchingRestarts = (): void => undefined;
  after(() => stopWatchingRestarts());

  const session = useWorkbenchSession(async () => {
    await requireDocker();
    const settings = {
      ...suiteUserSettings(ensureTestImage()),
      'remoteSwarm.health.interval': INTERVAL_MS / 1000,
      'remoteSwarm.health.failureThreshold': 3,
      'remoteSwarm.templates': [{ name: TEMPLATE, resources: { memoryMB: 128 } }],
      'remoteSwarm.health.autoRecovery': false,
      'remoteSwarm.health.autoRecoveryByTemplate': { [TEMPLATE]: true },
      'remoteSwarm.health.recoveryBackoff': 0,
      'remoteSwarm.idle.timeoutMinutes': 0,
      'remoteSwarm.maxInstances': 1000,
      'remoteSwarm.cost.pricePerHour': { docker: DOLLARS_PER_HOUR },
    };
    return { extensions: [await packageExtension()], settings };
  });

  /** Shows the Remote Swarm view in a window and finds the extension host code-server started for it. */
  async function openWindow(name: string, workbench: Workbench): Promise<Window> {
    const known = new Set(windows.map((window) => window.extensionHost));
    await workbench.openRemoteSwarmView();
    const extensionHost = await pollUntil(() => extensionHostPids(session().stateDir).find((pid) => !known.has(pid)), { what: `the extension host of ${name}`, timeoutMs: 30_000 });
    const window = { name, workbench, extensionHost };
    windows.push(window);
    return window;
  }

  /** The window whose extension host holds the lead, waiting up to `timeoutMs` for one to; the time it was seen. */
  async function leader(among: readonly Window[], timeoutMs: number): Promise<{ window: Window; at: number }> {
    const window = await pollUntil(() => among.find((candidate) => candidate.extensionHost === leaderPid(session().stateDir)), {
      what: `one of ${among.map((candidate) => candidate.name).join(', ')} to lead (leader.json names pid ${leaderPid(session().stateDir)})`,
      timeoutMs,
      intervalMs: 20,
    });
    return { window, at: Date.now() };
  }

  /** Switches to a window's tab, as a user would: Chromium renders a background tab's webviews late or not at all. */
  async function switchTo(window: Window): Promise<Workbench> {
    await window.workbench.page.bringToFront();
    return window.workbench;
  }

  /** Shows a window's Remote Swarm Output filtered to `text` (other runs' instances on the engine add many lines) and waits for a line with it. */
  async function showsInOutput(window: Window, text: string): Promise<void> {
    const workbench = await switchTo(window);
    await workbench.runCommand('Remote Swarm: Show Output');
    await workbench.waitForOutputLine('Remote Swarm', text);
  }

  /** Opens a window's health panel on the test's instance (its row selected: the details below show its restarts). */
  async function showHealth(window: Window): Promise<FrameLocator> {
    const workbench = await switchTo(window);
    await workbench.runCommand('Remote Swarm: Show Health');
    const panel = workbench.activeWebview();
    await panel.getByRole('heading', { name: 'Instance health' }).waitFor();
    // The panel renders anew on every change (each second here), so a click could never find its row standing still.
    await panel.locator('table.instances tr', { hasText: name }).dispatchEvent('click');
    return panel;
  }

  async function instanceContainer(): Promise<Docker.Container> {
    const [container] = (await testContainers(docker)).filter((candidate) => candidate.Labels['remote-swarm.name'] === name);
    assert.ok(container, `no container for ${name}`);
    return docker.getContainer(container.Id);
  }

  async function execInInstance(script: string): Promise<string> {
    const result = await runExec(await instanceContainer(), ['sh', '-c', script]);
    assert.equal(result.exitCode, 0, `${script}: ${result.stderr}`);
    return result.stdout;
  }

  /** How many health checks reach the instance's server in `seconds`: its httpd is swapped for one that logs each request. */
  async function checksReceivedIn(seconds: number): Promise<number> {
    await execInInstance(`killall httpd; while pidof httpd >/dev/null; do sleep 0.1; done; httpd -f -v -p 8080 -h /www </dev/null >/dev/null 2>${REQUEST_LOG} &`);
    const answered = async () => Number((await execInInstance(`grep -c response: ${REQUEST_LOG} || true`)).trim());
    const before = await pollUntil(async () => (await answered()) || undefined, { what: 'a health check to reach the logging server', timeoutMs: 10_000 });
    const from = Date.now();
    await pollUntil(() => (Date.now() - from >= seconds * 1000 || undefined), { what: `${seconds} s to pass`, timeoutMs: seconds * 1000 + 5_000 });
    return (await answered()) - before;
  }

  /**
   * Counts the restarts Docker reports for the instance's container from now on, as they happen: the engine keeps
   * only its last thousand events, which other runs on a shared engine can use up within the test.
   */
  async function watchRestarts(): Promise<void> {
    const container = await instanceContainer();
    const stream = (await docker.getEvents({ filters: { container: [container.id], event: ['restart'] } })) as NodeJS.ReadableStream & { destroy(): void };
    // One JSON line per event, however the stream cuts it into chunks.
    stream.on('data', (chunk: Buffer) => (restarts += chunk.toString().split('\n').length - 1));
    stopWatchingRestarts = () => stream.destroy();
  }

  /** The instance's month-to-date cost in a window's cost panel, opened afresh (a dollar a second), and when it was read. */
  async function meteredSeconds(window: Window): Promise<{ seconds: number; at: number }> {
    const workbench = await switchTo(window);
    await workbench.runCommand('View: Close All Editors');
    await workbench.runCommand('Remote Swarm: Show Cost');
    const row = workbench.activeWebview().locator('table tr', { hasText: name });
    const monthToDate = await row.locator('td').nth(7).textContent();
    const at = Date.now();
    const dollars = Number(monthToDate?.replace('$', ''));
    assert.ok(Number.isFinite(dollars), `the cost panel of ${window.name} shows "${monthToDate}" month to date`);
    return { seconds: (dollars / DOLLARS_PER_HOUR) * 3600, at };
  }

  /** A window's cost panel shows the instance's running time as the clock measured it, give or take `slackSeconds`. */
  async function assertMeteredAsTheClock(window: Window, slackSeconds: number): Promise<number> {
    const { seconds, at } = await meteredSeconds(window);
    const [least, most] = [(at - running) / 1000 - slackSeconds, (at - creating) / 1000 + slackSeconds];
    assert.ok(seconds >= least && seconds <= most, `${window.name} shows ${seconds.toFixed(1)} s metered; the clock says ${least.toFixed(1)}–${most.toFixed(1)} s`);
    return seconds;
  }

  it('elects one window, which alone checks the instance once per interval, while the other creates it', async () => {
    const first = await openWindow('the first window', session().workbench);
    const second = await openWindow('the second window', await session().openWindow());
    const { window: leading } = await leader(windows, 30_000);
    const following = leading === first ? second : first;

    creating = Date.now();
    await following.workbench.createInstance(TEMPLATE, name);
    await (await showHealth(following)).locator('table.instances tr', { hasText: name }).locator('.badge.health-healthy').waitFor({ timeout: 60_000 });
    running = Date.now();
    await (await showHealth(leading)).locator('table.instances tr', { hasText: name }).locator('.badge.health-healthy').waitFor();

    await showsInOutput(leading, LEADS);
    await showsInOutput(following, FOLLOWS);
    await following.workbench.outputFilter().fill(LEADS);
    await following.workbench.outputView('Remote Swarm').getByText(FOLLOWS).waitFor({ state: 'detached' });
    assert.equal(await following.workbench.outputView('Remote Swarm').getByText(LEADS).count(), 0, `${following.name} says it leads`);

    const checks = await checksReceivedIn(10);
    console.log(`      the instance answered ${checks} checks in ten ${INTERVAL_MS} ms intervals`);
    // A sweep also checks other runs' instances on the engine, which can make it outlast the interval: the bound that matters is the upper one.
    assert.ok(checks >= 1 && checks <= 12, `the instance answered ${checks} checks in ten ${INTERVAL_MS} ms intervals (two windows checking would make about 20)`);
  });

  it('restarts the instance once when its server stops answering, and both windows show that restart', async () => {
    await watchRestarts();
    await execInInstance('killall httpd');
    for (const window of windows) {
      const panel = await showHealth(window);
      await panel.locator('section.details li', { hasText: 'attempt 1: restarted' }).waitFor({ timeout: 60_000 });
      await panel.locator('table.instances tr', { hasText: name }).locator('.badge.health-healthy').waitFor();
      assert.equal(await panel.locator('section.details li', { hasText: /attempt \d+:/ }).count(), 1, `${window.name} shows more than one automatic restart`);
    }
    // Time for a second restart, had another window also restarted it.
    const settled = Date.now();
    await pollUntil(() => (Date.now() - settled >= 5 * INTERVAL_MS || undefined), { what: 'five intervals', timeoutMs: 10_000 });
    assert.equal(restarts, 1, 'Docker restarted the container once');
    const { window: leading } = await leader(windows, 1_000);
    await showsInOutput(leading, `health ${name}: recovery attempt 1: restarted`);
  });

  it('shows one cost ledger in both windows, whose running time matches the clock', async () => {
    for (const window of windows) console.log(`      ${window.name} shows ${(await assertMeteredAsTheClock(window, 6)).toFixed(1)} s metered`);
  });

  it('hands the lead to the other window within the lease when the leading window is closed', async () => {
    const { window: leading } = await leader(windows, 1_000);
    const remaining = windows.filter((window) => window !== leading);
    leading.workbench.page.on('dialog', (dialog) => void dialog.accept());
    const closing = Date.now();
    await leading.workbench.page.close({ runBeforeUnload: true });
    const { window: next, at } = await leader(remaining, DEFAULT_LEASE_TIMINGS.ttlMs + 5_000);
    windows.splice(windows.indexOf(leading), 1);
    console.log(`      ${next.name} took the lead ${at - closing} ms after ${leading.name} was closed (lease ${DEFAULT_LEASE_TIMINGS.ttlMs} ms)`);
    assert.ok(at - closing < DEFAULT_LEASE_TIMINGS.ttlMs, `${next.name} took the lead ${at - closing} ms after ${leading.name} was closed`);
    await showsInOutput(next, LEADS);
    await pollUntil(() => (!extensionHostPids(session().stateDir).includes(leading.extensionHost) || undefined), { what: `the extension host of the closed ${leading.name} to end`, timeoutMs: 30_000 });
  });

  it('hands the lead to another window within the lease when the leading window\'s extension host is killed', async () => {
    const third = await openWindow('a third window', await session().openWindow());
    await showsInOutput(third, FOLLOWS);
    const { window: leading } = await leader(windows, 1_000);
    const killing = Date.now();
    process.kill(leading.extensionHost, 'SIGKILL');
    const { window: next, at } = await leader(
      windows.filter((window) => window !== leading),
      DEFAULT_LEASE_TIMINGS.ttlMs + 5_000,
    );
    console.log(`      ${next.name} took the lead ${at - killing} ms after the extension host of ${leading.name} was killed (lease ${DEFAULT_LEASE_TIMINGS.ttlMs} ms)`);
    assert.ok(at - killing < DEFAULT_LEASE_TIMINGS.ttlMs, `${next.name} took the lead ${at - killing} ms after the extension host of ${leading.name} was killed`);
    await showsInOutput(next, LEADS);

    const checks = await checksReceivedIn(10);
    console.log(`      the instance answered ${checks} checks in ten ${INTERVAL_MS} ms intervals after the handover`);
    assert.ok(checks >= 1 && checks <= 12, `the instance answered ${checks} checks in ten ${INTERVAL_MS} ms intervals after the handover`);
    assert.equal(restarts, 1, 'still one restart');
    await assertMeteredAsTheClock(next, 6);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { InstanceStatus } from '../../src/core/models';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const run = promisify(execFile);

// The Docker provider serves its last listing again while the engine's event stream reports no change to our
// containers (src/providers/dockerEngine/watchedListing.ts). A refresh must still show, at once, every change made
// behind its back.
describe('Docker refreshes kept current by the engine event stream', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let core: CoreHarness;
  /** The engine API paths the provider asked for, in order. */
  let calls: string[];
  /** The event streams the provider opened, in order. */
  let eventStreams: Readable[];

  before(async () => {
    await requireDocker();
  });

  beforeEach(async () => {
    temp = makeTempDir();
    calls = [];
    eventStreams = [];
    const docker = new Docker();
    const modem = docker.modem as unknown as { dial: (options: { path: string }, callback: (error: unknown, data: unknown) => void) => unknown };
    const dial = modem.dial.bind(modem);
    modem.dial = (options, callback) => {
      calls.push(options.path);
      return dial(options, (error, data) => {
        if (!error && options.path.startsWith('/events')) eventStreams.push(data as Readable);
        callback(error, data);
      });
    };
    core = await makeCore(temp.path, { docker: () => testProvider({ docker }) });
    core.settings.defaultImage = ensureTestImage();
  });

  afterEach(async () => {
    core.dispose();
    temp.remove();
    await removeTestResources();
  });

  /** One refresh, as the tree runs it; returns the engine API paths it asked for. */
  async function refresh(): Promise<string[]> {
    const first = calls.length;
    const [report] = await core.controller.reconcile(['docker']);
    assert.equal(report?.error, undefined);
    return calls.slice(first);
  }

  const listed = (paths: readonly string[]) => paths.some((path) => path.startsWith('/containers/json'));

  function statusOf(name: string): InstanceStatus | undefined {
    return core.controller.list().find((instance) => instance.name === name)?.status;
  }

  async function containerOf(name: string): Promise<string> {
    const { id } = core.controller.get(name);
    const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=remote-swarm.instance=${id}`]);
    return stdout.trim();
  }

  /** Refreshes until one is served without listing: the event stream is open and nothing has changed since. */
  async function untilServedFromEvents(): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (listed(await refresh())) assert.ok(Date.now() < deadline, 'no refresh was served from the watched listing within 10 s');
  }

  it('shows a container stopped, started, killed, removed or made elsewhere in the next refresh, and lists nothing while none changes', async () => {
    const name = `rs-test-${RUN_ID}-watched`;
    await core.controller.create({ provider: 'docker', name });
    const container = await containerOf(name);
    await untilServedFromEvents();
    assert.deepEqual(await refresh(), ['/_ping'], 'an unchanged refresh asks the engine only whether it is there');
    assert.equal(statusOf(name), 'running');

    await run('docker', ['stop', '-t', '1', container]);
    await refresh();
    assert.equal(statusOf(name), 'stopped', 'docker stop');

    await run('docker', ['start', container]);
    await refresh();
    assert.equal(statusOf(name), 'running', 'docker start');

    await run('docker', ['kill', container]);
    await refresh();
    assert.equal(statusOf(name), 'stopped', 'docker kill');

    // Made by another window or the CLI: a provider of its own on the same engine.
    const elsewhere = `rs-test-${RUN_ID}-elsewhere`;
    const other = testProvider();
    try {
      const config = { ...core.controller.get(name).config, name: elsewhere };
      await other.createInstance({ id: 'elsewhere1', config });
    } finally {
      other.dispose();
    }
    await refresh();
    assert.equal(statusOf(elsewhere), 'running', 'made elsewhere');

    await run('docker', ['rm', '-f', container]);
    await refresh();
    assert.equal(statusOf(name), 'missing', 'docker rm');

    await untilServedFromEvents();
    assert.deepEqual(
      core.controller.list().map(({ name: shown, status }) => [shown, status]),
      [[elsewhere, 'running'], [name, 'missing']],
    );
  });

  it('lists again when the event stream breaks, shows what changed meanwhile, and opens the stream again', async () => {
    const name = `rs-test-${RUN_ID}-broken`;
    await core.controller.create({ provider: 'docker', name });
    const container = await containerOf(name);
    await untilServedFromEvents();
    assert.equal(eventStreams.length, 1);

    eventStreams[0]!.destroy(new Error('connection reset by the test'));
    await run('docker', ['stop', '-t', '1', container]);
    assert.ok(listed(await refresh()), 'a refresh after the stream broke did not list');
    assert.equal(statusOf(name), 'stopped');

    await untilServedFromEvents();
    assert.equal(eventStreams.length, 2, 'the event stream was not opened again');
    await run('docker', ['start', container]);
    await refresh();
    assert.equal(statusOf(name), 'running', 'a change after the stream was opened again');
  });
});

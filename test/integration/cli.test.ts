import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Instance } from '../../src/core/models';
import { DockerProvider } from '../../src/providers/docker/dockerProvider';
import { CLI, containersNamed, removeNamed, runCli, spawnCli, type CliResult } from '../support/cliProcess';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureSshTestImage, ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

/**
 * The CLI end to end on the real engine, as a user runs it: its own process, its own state directory. Its instances
 * carry no test label (it is the product, not a test provider), so they are named after the run and removed by name.
 */
describe('remote-swarm CLI against the real Docker engine', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  const name = (label: string) => `rstest-${RUN_ID}-cli-${label}`;

  const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(temp.path, args, env);

  before(async () => {
    await requireDocker();
  });
  beforeEach(() => {
    temp = makeTempDir('remote-swarm-cli-');
    writeFileSync(join(temp.path, 'settings.json'), JSON.stringify({ 'docker.defaultImage': ensureTestImage() }));
  });
  afterEach(async () => {
    await removeNamed(`rstest-${RUN_ID}-cli-`);
    temp.remove();
  });

  it('creates, lists as JSON, runs a command, stops, starts and deletes, with documented exit codes', async () => {
    const created = await cli(['create', name('life'), '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as Instance).status, 'running');

    const listed = await cli(['list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as Instance[]).filter((i) => i.name === name('life')).map((i) => i.status), ['running']);

    const exec = await cli(['exec', name('life'), '--', 'sh', '-c', 'printf "%s|" "$@"; exit 7', 'sh', 'a b', '$(id)']);
    assert.equal(exec.code, 7, 'the command\'s exit code is the CLI\'s');
    assert.equal(exec.stdout, 'a b|$(id)|');

    assert.match((await cli(['stop', name('life')])).stdout, /is stopped/);
    assert.match((await cli(['start', name('life')])).stdout, /is running/);

    const missing = await cli(['show', 'no-such-instance']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /No instance "no-such-instance".*\n  fix: list the instances afresh: remote-swarm list/s);

    const refused = await cli(['delete', name('life')]);
    assert.equal(refused.code, 2, 'delete without --yes is refused in a script');
    assert.equal((await cli(['delete', name('life'), '--yes'])).code, 0);
    assert.equal((await cli(['show', name('life')])).code, 3);
    assert.deepEqual(await containersNamed(name('life')), []);
  });

  it('takes a template\'s secretEnv values from the environment, never from argv, and keeps them out of its state file', async () => {
    writeFileSync(join(temp.path, 'settings.json'), JSON.stringify({ 'docker.defaultImage': ensureTestImage(), templates: [{ name: 'with-token', secretEnv: ['API_TOKEN'] }] }));
    const missing = await cli(['create', name('secret'), '--template', 'with-token']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /secretEnv\.API_TOKEN/);
    const created = await cli(['create', name('secret'), '--template', 'with-token', '--secret-env', 'API_TOKEN'], { API_TOKEN: 'tok-3f9a' });
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await cli(['exec', name('secret'), '--', 'sh', '-c', 'printf %s "$API_TOKEN"'])).stdout, 'tok-3f9a');
    assert.doesNotMatch(readFileSync(join(temp.path, 'state.json'), 'utf8'), /tok-3f9a/);
  });

  it('refuses bad input naming the field, and creates nothing', async () => {
    const bad = await cli(['create', 'Bad_Name']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /name/);
    const badCpus = await cli(['create', name('cpus'), '--cpus', 'lots']);
    assert.equal(badCpus.code, 2);
    assert.match(badCpus.stderr, /cpus: "lots" is not a number/);
    assert.deepEqual(await containersNamed(name('cpus')), []);
  });

  it('loses nothing when two CLI processes create at once', async () => {
    const results = await Promise.all([cli(['create', name('one')]), cli(['create', name('two')])]);
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const listed = JSON.parse((await cli(['list', '--json', '--cached'])).stdout) as Instance[];
    assert.deepEqual(listed.map((i) => i.name).filter((n) => n.includes('-cli-')).sort(), [name('one'), name('two')]);
  });

  it('ssh --stdio carries the instance\'s SSH server on stdin/stdout, as a ProxyCommand needs', async () => {
    const plain = name('plain');
    assert.equal((await cli(['create', plain])).code, 0);
    // A template publishing sshd's port, as a user would write it.
    writeFileSync(join(temp.path, 'settings.json'), JSON.stringify({ templates: [{ name: 'with-sshd', image: ensureSshTestImage(), ports: [{ container: 22, purpose: 'ssh' }, { container: 8080, purpose: 'ide' }] }] }));
    assert.equal((await cli(['create', name('sshd2'), '--template', 'with-sshd'])).code, 0);
    const relay = spawnCli(temp.path, ['ssh', '--stdio', name('sshd2')]);
    const banner = await new Promise<string>((resolve, reject) => {
      let seen = '';
      relay.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString('latin1');
        if (seen.includes('\n')) resolve(seen.split('\n')[0]!);
      });
      relay.once('exit', (code) => reject(new Error(`the relay exited ${code} before a banner: ${seen}`)));
    });
    assert.match(banner, /^SSH-2\.0-OpenSSH/);
    relay.stdin.end();
    const code = await new Promise<number | null>((resolve) => relay.once('exit', resolve));
    assert.equal(code, 0, 'the relay ends when its client does');

    const none = await cli(['ssh', '--stdio', plain]);
    assert.equal(none.code, 4);
    assert.match(none.stderr, /offers no SSH server.*"purpose": "ssh"/);
  });

  it('logs --follow prints what the instance writes until Ctrl+C', async () => {
    assert.equal((await cli(['create', name('logs')])).code, 0);
    const follow = spawnCli(temp.path, ['logs', name('logs'), '--follow', '--tail', '0']);
    let output = '';
    const marker = new Promise<void>((resolve) => follow.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')).includes('followed-line') && resolve()));
    const exited = new Promise<number | null>((resolve) => follow.once('exit', resolve));
    // Written until the follower, which starts in its own process, has seen it.
    const writer = setInterval(() => void cli(['exec', name('logs'), '--', 'sh', '-c', 'echo followed-line > /proc/1/fd/1']), 500);
    try {
      await marker;
    } finally {
      clearInterval(writer);
    }
    follow.kill('SIGINT');
    assert.equal(await exited, 0);
  });

  it('connect --vscode prepares Remote-SSH access and names the VS Code command, asking before it edits ~/.ssh/config', async () => {
    writeFileSync(join(temp.path, 'settings.json'), JSON.stringify({ templates: [{ name: 'with-sshd', image: ensureSshTestImage(), ports: [{ container: 22, purpose: 'ssh' }, { container: 8080, purpose: 'ide' }] }] }));
    const instance = name('vscode');
    assert.equal((await cli(['create', instance, '--template', 'with-sshd'])).code, 0);
    const home = makeTempDir('remote-swarm-cli-home-');
    try {
      const asked = await cli(['connect', instance, '--vscode'], { HOME: home.path });
      assert.equal(asked.code, 4, 'without a terminal to ask on, the Include line is not added');
      assert.match(asked.stderr, /Include .*--yes/);
      assert.equal(existsSync(join(home.path, '.ssh', 'config')), false);

      const connected = await cli(['connect', instance, '--vscode', '--yes'], { HOME: home.path });
      assert.equal(connected.code, 0, connected.stderr);
      assert.equal(connected.stdout.trim(), `code --remote ssh-remote+remote-swarm.${instance} /home/coder/project`);
      const session = spawnSync('ssh', ['-F', join(home.path, '.ssh', 'config'), '-o', 'BatchMode=yes', `remote-swarm.${instance}`, 'echo via-remote-ssh'], { encoding: 'utf8' });
      assert.equal(session.stdout, 'via-remote-ssh\n', session.stderr);
    } finally {
      home.remove();
    }
  });

  it('ssh opens an interactive shell on a terminal and exits with its exit code', async () => {
    assert.equal((await cli(['create', name('shell')])).code, 0);
    // `script` gives the CLI a real pseudo-terminal, as a person's terminal would.
    const command = [process.execPath, '--import', 'tsx', CLI, 'ssh', name('shell')].map((arg) => `'${arg}'`).join(' ');
    const session = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, REMOTE_SWARM_STATE_DIR: temp.path } });
    let output = '';
    session.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => session.once('exit', resolve));
    session.stdin.write('echo answer-$((6*7)); exit 3\n');
    assert.equal(await exited, 3);
    assert.match(output, /answer-42/);
  });

  describe('and the extension\'s core over the same engine', () => {
    let core: CoreHarness;
    let coreDir: ReturnType<typeof makeTempDir>;

    beforeEach(async () => {
      coreDir = makeTempDir('remote-swarm-core-');
      core = await makeCore(coreDir.path, { docker: () => new DockerProvider() });
      core.settings.defaultImage = ensureTestImage();
    });
    afterEach(() => {
      core.dispose();
      coreDir.remove();
    });

    it('each adopts the instances the other made', async () => {
      assert.equal((await cli(['create', name('from-cli')])).code, 0);
      await core.controller.create({ provider: 'docker', name: name('from-ext'), template: 'development' });

      await core.controller.reconcile(['docker']);
      assert.equal(core.controller.get(name('from-cli')).status, 'running', 'the extension adopts what the CLI made');
      const listed = JSON.parse((await cli(['list', '--json'])).stdout) as Instance[];
      assert.equal(listed.find((i) => i.name === name('from-ext'))?.status, 'running', 'the CLI adopts what the extension made');
      assert.equal((await cli(['exec', name('from-ext'), '--', 'true'])).code, 0, 'and can use it');
    });
  });
});

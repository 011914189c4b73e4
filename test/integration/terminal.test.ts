import assert from 'node:assert/strict';
import type { ShellSession, TerminalSize } from '../../src/core/provider';
import { ShellTerminal } from '../../src/vscode/terminals/shellTerminal';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeSshRig, type SshRig } from '../support/sshTestRig';
import { makeTempDir } from '../support/tempDir';
import { TerminalRecorder } from '../support/terminalRecorder';

/** A terminal over the controller, as the extension opens one, whose shell sessions the test can reach. */
function openTerminal(core: CoreHarness, instance: string, size: TerminalSize = { cols: 100, rows: 30 }) {
  const display = new TerminalRecorder();
  const sessions: ShellSession[] = [];
  const terminal = new ShellTerminal(instance, async (current) => {
    const session = await core.controller.openShell(instance, current);
    sessions.push(session);
    return session;
  }, display);
  const opened = terminal.open(size);
  return { terminal, display, sessions, opened };
}

/** Repeats `act` until the terminal shows `pattern` after it, within a deadline. */
async function pollTerminal(display: TerminalRecorder, act: () => void, pattern: RegExp, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const mark = display.text.length;
    act();
    try {
      await display.waitFor(pattern, mark, 500);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('Integrated terminal routing', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;

  describe('to a Docker instance: docker exec with a TTY (real engine)', () => {
    let core: CoreHarness;

    before(async () => {
      await requireDocker();
      ensureTestImage();
    });
    beforeEach(async () => {
      temp = makeTempDir();
      core = await makeCore(temp.path, { docker: () => testProvider() });
      core.settings.defaultImage = ensureTestImage();
    });
    afterEach(async () => {
      core.dispose();
      temp.remove();
      await removeTestResources();
    });

    it('round-trips keys and output, follows resizes, shows the exit code and closes with it', async () => {
      await core.controller.create({ provider: 'docker', name: 'term-1', overrides: { workspacePath: '/workspace' } });
      const { terminal, display, opened } = openTerminal(core, 'term-1');
      terminal.input('echo typed-ahead\r'); // typed while connecting: delivered once attached
      await opened;
      await display.waitFor(/typed-ahead\r\n/);
      const mark = display.text.length;
      terminal.input('stty size; echo answer-$((6*7))\r');
      await display.waitFor(/30 100\r\nanswer-42/, mark);

      // The resize reaches the engine asynchronously, as when a user drags the panel: ask until the shell sees it.
      terminal.resize({ cols: 132, rows: 43 });
      await pollTerminal(display, () => terminal.input('stty size\r'), /43 132/);

      terminal.input('exit 3\r');
      await display.waitFor(/The shell exited with code 3\. Press any key to close the terminal\./);
      assert.equal(display.closedWith, 'open', 'the exit code stays readable until a key is pressed');
      terminal.input('x');
      assert.equal(display.closedWith, 3);
    });

    it('offers to reconnect when the connection drops, and reconnects on R', async () => {
      await core.controller.create({ provider: 'docker', name: 'term-2', overrides: { workspacePath: '/workspace' } });
      const { terminal, display, sessions, opened } = openTerminal(core, 'term-2');
      await opened;
      terminal.input('echo first-$((1+1))\r');
      await display.waitFor(/first-2/);
      sessions[0]!.stream.destroy(); // the connection to the engine drops; the shell is still running
      await display.waitFor(/The connection to "term-2" was lost: .*Press R to reconnect/);
      const mark = display.text.length;
      terminal.input('r');
      await display.waitFor(/Connecting to "term-2"/, mark);
      terminal.input('echo second-$((2+2))\r');
      await display.waitFor(/second-4/, mark);
      assert.equal(sessions.length, 2);
      terminal.close();
      sessions[0]!.close(); // hangs up the shell the drop left behind
    });

    it('says why it cannot open a shell in a stopped instance, and retries on R', async () => {
      await core.controller.create({ provider: 'docker', name: 'term-3', overrides: { workspacePath: '/workspace' } });
      await core.controller.stop('term-3');
      const { terminal, display, opened } = openTerminal(core, 'term-3');
      await opened;
      await display.waitFor(/Could not open a shell in "term-3": .*not running.*Press R to reconnect/);
      await core.controller.start('term-3');
      const mark = display.text.length;
      terminal.input('R');
      terminal.input('echo back\r');
      await display.waitFor(/back\r\n/, mark);
      terminal.close();
    });

    it('closing the terminal hangs up its shell', async () => {
      await core.controller.create({ provider: 'docker', name: 'term-4', overrides: { workspacePath: '/workspace' } });
      const { terminal, display, sessions, opened } = openTerminal(core, 'term-4');
      await opened;
      terminal.input('echo $$ > /tmp/shell.pid; echo saved\r');
      await display.waitFor(/saved\r\n/);
      terminal.close();
      assert.deepEqual(await sessions[0]!.ended, { kind: 'exited', exitCode: 129 }, 'SIGHUP, as a closed terminal gives');
      const { exitCode } = await core.controller.exec('term-4', ['sh', '-c', 'kill -0 "$(cat /tmp/shell.pid)"']);
      assert.notEqual(exitCode, 0, 'no shell is left running');
    });
  });

  describe('to an SSH host: an ssh2 shell (real sshd)', () => {
    let rig: SshRig;
    let core: CoreHarness;

    beforeEach(async () => {
      temp = makeTempDir();
      rig = await makeSshRig();
      core = await makeCore(temp.path, { ssh: () => rig.provider() });
    });
    afterEach(async () => {
      core.dispose();
      await rig.dispose();
      temp.remove();
    });

    it('runs a login shell on the host, shows the exit code, and reports a dropped host as lost', async () => {
      const config = rig.hostConfig('ssh-term');
      await core.controller.create({ provider: 'ssh', name: 'ssh-term', overrides: { ...config, resources: config.resources } });
      const first = openTerminal(core, 'ssh-term', { cols: 90, rows: 20 });
      await first.opened;
      first.terminal.input('stty size; echo "home=$HOME"\n');
      await first.display.waitFor(new RegExp(`20 90\\r\\nhome=${rig.sshd.home}`));
      first.terminal.input('exit 4\n');
      await first.display.waitFor(/The shell exited with code 4\./);

      const second = openTerminal(core, 'ssh-term');
      await second.opened;
      second.terminal.input('echo alive\n');
      await second.display.waitFor(/alive\r\n/);
      await rig.sshd.stop();
      await second.display.waitFor(/The connection to "ssh-term" was lost: .*Press R to reconnect/);
      const mark = second.display.text.length;
      second.terminal.input('r');
      await second.display.waitFor(/Could not open a shell in "ssh-term": Cannot reach .*Press R to reconnect/, mark);
      second.terminal.input('q');
      assert.equal(second.display.closedWith, undefined);
    });
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from '../support/tempDir';

const SETUP_DIR = path.join(__dirname, '..', 'setup');
const AS_ROOT = path.join(SETUP_DIR, 'as-root.sh');
const PREREQUISITES = path.join(SETUP_DIR, 'prerequisites.sh');
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv with exactly `env`, as the unprivileged user "nobody" when this process is root (else as this user). */
async function runAsUser(argv: string[], env: Record<string, string>): Promise<Run> {
  const [file, ...args] = isRoot ? ['/usr/bin/setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...argv] : argv;
  try {
    const { stdout, stderr } = await promisify(execFile)(file!, args, { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

function which(tool: string): string {
  const found = (process.env.PATH ?? '').split(':').map((dir) => path.join(dir, tool)).find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`${tool} is not on the PATH`);
  return found;
}

describe('npm run setup raises privileges only where it must (test/setup/as-root.sh, prerequisites.sh)', function () {
  this.timeout(30_000);
  let temp: ReturnType<typeof makeTempDir>;
  /** A PATH folder with just the tools as-root.sh uses, and no sudo. */
  let plainBin: string;
  /** The same plus a `sudo` that records its arguments and runs the command (as the caller: it cannot become root). */
  let sudoBin: string;
  let sudoArgs: string;

  beforeEach(() => {
    temp = makeTempDir('remote-swarm-setup-');
    chmodSync(temp.path, 0o755);
    plainBin = path.join(temp.path, 'plain-bin');
    sudoBin = path.join(temp.path, 'sudo-bin');
    sudoArgs = path.join(temp.path, 'sudo.args');
    for (const dir of [plainBin, sudoBin]) {
      mkdirSync(dir, { mode: 0o755 });
      for (const tool of ['bash', 'id', 'cat', 'env']) symlinkSync(which(tool), path.join(dir, tool));
    }
    // Called a second time (a script that escalates again, as the caller), it refuses rather than loop.
    const sudo = `#!${which('bash')}\n[ -s ${sudoArgs} ] && exit 1\nprintf '%s\\n' "$@" > ${sudoArgs}\nshift\nexec "$@"\n`;
    writeFileSync(path.join(sudoBin, 'sudo'), sudo, { mode: 0o755 });
    writeFileSync(sudoArgs, '');
    chmodSync(sudoArgs, 0o666);
  });

  afterEach(() => temp.remove());

  // Run as root (as CI is), these cases also cover root itself and the socket "nobody" may not use; as another user they do not apply.
  const whenRoot = isRoot ? it : () => undefined;

  whenRoot('as root, runs the command itself and never calls sudo', async () => {
    const { stdout } = await promisify(execFile)(which('bash'), [AS_ROOT, 'id', '-u'], { env: { PATH: sudoBin, HOME: '/root' } });
    assert.equal(stdout.trim(), '0');
    assert.equal(readFileSync(sudoArgs, 'utf8'), '');
  });

  it('as a user with sudo, goes through sudo keeping PATH (their Node.js) and their code-server cache folder', async () => {
    const run = await runAsUser([which('bash'), AS_ROOT, 'id', '-u'], { PATH: sudoBin, HOME: '/home/newcomer' });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Running as root through sudo: id -u/);
    assert.deepEqual(readFileSync(sudoArgs, 'utf8').trim().split('\n'), ['--', 'env', `PATH=${sudoBin}`, 'REMOTE_SWARM_CACHE=/home/newcomer/.cache/remote-swarm', 'id', '-u']);
  });

  it('as a user without sudo, fails saying how to run it as root (su -c …) or get sudo', async () => {
    const run = await runAsUser([which('bash'), AS_ROOT, 'bash', '/path with space/step.sh'], { PATH: plainBin, HOME: '/home/newcomer' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /needs root, and \S+ is not root and this machine has no sudo/);
    assert.ok(run.stderr.includes('su -c "bash /path\\ with\\ space/step.sh"'), run.stderr);
    assert.match(run.stderr, /apt-get install sudo && usermod -aG sudo \S+/);
  });

  whenRoot('prerequisites.sh, for a user who may not use the Docker socket, says to join the docker group and asks no sudo', async () => {
    const run = await runAsUser([which('bash'), PREREQUISITES], { PATH: `${sudoBin}:${process.env.PATH}`, HOME: '/home/newcomer' });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /may not use its socket\. Add yourself to the docker group \(sudo usermod -aG docker \S+\), log in again and run this again/);
    assert.equal(readFileSync(sudoArgs, 'utf8'), '');
  });
});

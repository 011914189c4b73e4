import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hostPublicKey, type HostPublicKey } from '../../src/ssh/hostPublicKey';
import { makeTempDir } from './tempDir';

const SSHD = '/usr/sbin/sshd';
const INSTALL_HINT = 'The SSH tests need OpenSSH: apt-get install openssh-server openssh-client (test/setup/prerequisites.sh does it).';
const START_DEADLINE_MS = 10_000;

/** A real OpenSSH sshd for one test file: on a free loopback port, with its own host key, user key and home folder. */
export interface TestSshd {
  host: string;
  port: number;
  /** The user the tests log in as: the one running them (sshd only lets a non-root daemon log in as itself). */
  user: string;
  /** A private key sshd accepts (no passphrase). */
  userKeyFile: string;
  /** Its first host key; hostKeys has each one, in the order of hostKeyTypes. */
  hostKey: HostPublicKey;
  hostKeys: HostPublicKey[];
  /** $HOME of every session (sshd_config SetEnv), so the tests never write to the real home. */
  home: string;
  /** On PATH in every session, ahead of the system's: where a test puts programs (e.g. a code-server) for the host to find. */
  binDir: string;
  /** sshd's log so far, for failure messages. */
  log(): string;
  /** Authorizes one more public key (an authorized_keys line). */
  authorize(publicKey: string): void;
  /** Stops sshd and drops its connections; its files stay until dispose. */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/** Generates a key pair with the real ssh-keygen; returns the private key's path. */
export function sshKeygen(file: string, options: { type?: string; passphrase?: string; comment?: string } = {}): string {
  execFileSync('ssh-keygen', ['-q', '-t', options.type ?? 'ed25519', '-N', options.passphrase ?? '', '-C', options.comment ?? 'remote-swarm test', '-f', file], { stdio: 'pipe' });
  return file;
}

export interface SshdOptions {
  /** The system part of every session's PATH (after binDir); default /usr/local/bin:/usr/bin:/bin. A test narrows it to hide a program. */
  systemPath?: string;
  /** The types of its host keys (ssh-keygen -t); default one Ed25519 key. */
  hostKeyTypes?: readonly string[];
}

export async function startSshd({ systemPath = '/usr/local/bin:/usr/bin:/bin', hostKeyTypes = ['ed25519'] }: SshdOptions = {}): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing. ${INSTALL_HINT}`);
  const dir = makeTempDir('remote-swarm-sshd-');
  let daemon: ChildProcess | undefined;
  try {
    const hostKeyFiles = hostKeyTypes.map((type) => sshKeygen(join(dir.path, `host_${type}`), { type, comment: 'test host' }));
    const hostKeys = hostKeyFiles.map((file) => hostPublicKey(Buffer.from(readFileSync(`${file}.pub`, 'utf8').split(' ')[1] ?? '', 'base64')));
    const userKeyFile = sshKeygen(join(dir.path, 'user_ed25519'));
    const authorizedKeys = join(dir.path, 'authorized_keys');
    writeFileSync(authorizedKeys, readFileSync(`${userKeyFile}.pub`));
    const home = join(dir.path, 'home');
    const binDir = join(home, '.local', 'bin');
    mkdirSync(binDir, { recursive: true });
    // Privilege separation needs this folder when sshd runs as root.
    if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const port = await freeLoopbackPort();
    const config = join(dir.path, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        ...hostKeyFiles.map((file) => `HostKey ${file}`),
        `PidFile ${join(dir.path, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        // The temporary folder is not a home folder, so sshd's ownership checks of home folders do not fit it.
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'AllowStreamLocalForwarding yes',
        `SetEnv HOME=${home} PATH=${binDir}:${systemPath}`,
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    let log = '';
    // sshd needs its absolute path to re-execute itself; -D stays in the foreground, -e logs to stderr.
    const running = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    daemon = running;
    running.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    await waitUntilListening(port, running, () => log);
    const stop = async () => {
      const exited = running.exitCode === null && running.signalCode === null ? new Promise((resolve) => running.once('exit', resolve)) : undefined;
      stopDaemonAndConnections(running);
      await exited;
    };
    return {
      host: '127.0.0.1',
      port,
      user: userInfo().username,
      userKeyFile,
      hostKey: hostKeys[0]!,
      hostKeys,
      home,
      binDir,
      log: () => log,
      authorize: (publicKey) => writeFileSync(authorizedKeys, `${publicKey.trim()}\n`, { flag: 'a' }),
      stop,
      async dispose() {
        await stop();
        // What sessions left running in the background (e.g. a code-server) carries the sessions' HOME.
        signalProcesses(processesWithEnvironment(`HOME=${home}`));
        dir.remove();
      },
    };
  } catch (error) {
    if (daemon) stopDaemonAndConnections(daemon);
    dir.remove();
    throw error;
  }
}

/** A real ssh-agent listening on `socket` (the test adds keys with ssh-add). */
export async function startSshAgent(socket: string): Promise<{ socket: string; stop: () => Promise<void> }> {
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stop = async () => {
    if (agent.exitCode !== null || agent.signalCode !== null) return;
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    agent.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + START_DEADLINE_MS;
  while (!existsSync(socket)) {
    if (agent.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`ssh-agent did not create ${socket}. ${INSTALL_HINT}`);
    }
    await delay(25);
  }
  return { socket, stop };
}

/**
 * SIGTERM to sshd and to its per-connection processes (which start sessions of their own, so a process group would
 * miss them): open connections drop, as when a host goes away.
 */
function stopDaemonAndConnections(daemon: ChildProcess): void {
  if (daemon.pid === undefined) return;
  signalProcesses([...processesWhere((stat) => parentOf(stat) === daemon.pid), daemon.pid]);
}

function signalProcesses(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

function processesWithEnvironment(entry: string): number[] {
  return processesWhere((_stat, pid) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry));
}

/** Processes (from /proc) that pass the test; one that ends while we look is skipped. */
function processesWhere(test: (stat: string, pid: number) => boolean): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return pid !== process.pid && test(readFileSync(`/proc/${pid}/stat`, 'utf8'), pid);
      } catch {
        return false;
      }
    });
}

/** Field 4 of /proc/<pid>/stat; field 2 (the name, in parentheses) may hold spaces. */
function parentOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function freeLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls the port until sshd accepts connections; fails early with sshd's log when it exits. */
async function waitUntilListening(port: number, daemon: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (daemon.exitCode !== null) throw new Error(`sshd exited with code ${daemon.exitCode}:\n${log()}\n${INSTALL_HINT}`);
    if (await accepts(port)) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on port ${port} within ${START_DEADLINE_MS} ms:\n${log()}`);
    await delay(25);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

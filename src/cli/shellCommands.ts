import { spawn } from 'node:child_process';
import net from 'node:net';
import type { Command } from 'commander';
import { SwarmError } from '../core/errors';
import type { SshEndpointDescription } from '../core/provider';
import type { Swarm } from '../core/swarm';
import { EXIT } from './cliOutput';
import type { RunWithSwarm } from './instanceCommands';

/** ssh <name>: a shell in the instance through its provider; ssh --stdio <name>: its SSH server on stdin/stdout. */
export function registerShellCommands(program: Command, run: RunWithSwarm): void {
  program
    .command('ssh <name>')
    .description('an interactive shell in an instance; with --stdio, its SSH server on stdin/stdout, for ssh\'s ProxyCommand')
    .option('--stdio', 'connect stdin and stdout to the instance\'s SSH server (ProxyCommand "remote-swarm ssh --stdio <name>")')
    .action((name: string, options: { stdio?: boolean }) => run((swarm) => (options.stdio ? relaySsh(swarm, name) : interactiveShell(swarm, name))));
}

async function relaySsh(swarm: Swarm, name: string): Promise<number> {
  const { ssh } = await swarm.controller.endpoints(name);
  if (ssh === undefined) throw new SwarmError('CONFLICT', `"${name}" offers no SSH server: give its template a port with "purpose": "ssh" and an image that runs sshd.`);
  return ssh.proxyCommand ? relayThroughCommand(ssh.proxyCommand) : relayThroughSocket(ssh);
}

/** Bytes both ways between stdin/stdout and the SSH server, until either side closes. */
function relayThroughSocket({ host, port }: SshEndpointDescription): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      process.stdin.pipe(socket);
      socket.pipe(process.stdout);
    });
    socket.once('error', (error) => reject(new SwarmError('PROVIDER_UNAVAILABLE', `Cannot reach the SSH server at ${host}:${port}: ${error.message}`, { cause: error })));
    socket.once('close', (hadError) => {
      process.stdin.unpipe(socket);
      process.stdin.destroy();
      if (!hadError) resolve(EXIT.ok);
    });
  });
}

function relayThroughCommand(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? EXIT.failed));
  });
}

/** A TTY shell: raw keystrokes in, output out, resizes followed; exits with the shell's exit code. */
async function interactiveShell(swarm: Swarm, name: string): Promise<number> {
  const { stdin, stdout } = process;
  if (!stdin.isTTY || !stdout.isTTY) throw new SwarmError('INVALID_CONFIG', 'ssh needs a terminal; for commands use: remote-swarm exec <name> -- <argv>', { details: { field: 'stdin' } });
  const session = await swarm.controller.openShell(name, { cols: stdout.columns, rows: stdout.rows });
  const resize = () => void session.resize({ cols: stdout.columns, rows: stdout.rows }).catch(() => undefined);
  stdin.setRawMode(true);
  stdin.pipe(session.stream);
  session.stream.pipe(stdout);
  stdout.on('resize', resize);
  try {
    const end = await session.ended;
    if (end.kind === 'lost') process.stderr.write(`\r\nConnection to "${name}" lost: ${end.reason}\r\n`);
    return end.kind === 'exited' ? end.exitCode : EXIT.failed;
  } finally {
    stdout.off('resize', resize);
    stdin.unpipe(session.stream);
    stdin.setRawMode(false);
    stdin.pause();
    session.close();
  }
}

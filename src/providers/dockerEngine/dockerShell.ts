import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';
import { errorMessage } from '../../core/errors';
import type { ShellEnd, ShellSession, TerminalSize } from '../../core/provider';
import { exitCodeOnceEnded } from './dockerExec';

/** bash as a login shell where the image has it, else sh. A fixed script: nothing from the user is in it. */
const LOGIN_SHELL_ARGV = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -l; fi; exec sh -l'];

/** Marks the processes of one terminal session, so closing the terminal can hang them up. */
const SESSION_VARIABLE = 'REMOTE_SWARM_TERMINAL';

/**
 * Sends SIGHUP to every process carrying the session's marker, as a terminal hangup does: Docker leaves an exec'd
 * shell running when its connection closes. $1 is the marker; the script is fixed.
 */
const HANG_UP_ARGV = [
  '/bin/sh',
  '-c',
  'for p in /proc/[0-9]*; do tr "\\000" "\\n" < "$p/environ" 2>/dev/null | grep -qx "$1" && kill -HUP "${p#/proc/}" 2>/dev/null; done; true',
  'hang-up',
];

/** A login shell in a running container through `docker exec` with a TTY, resized with the terminal. */
export async function openDockerShell(container: Docker.Container, size: TerminalSize): Promise<ShellSession> {
  const marker = `${SESSION_VARIABLE}=${randomBytes(8).toString('hex')}`;
  const exec = await container.exec({
    Cmd: LOGIN_SHELL_ARGV,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Env: ['TERM=xterm-256color', marker],
  });
  // With a TTY the hijacked connection carries raw terminal bytes both ways (no stdout/stderr framing).
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
  let hungUp = false;
  const ended = shellEnded(stream, exec, () => hungUp);
  const resize = async ({ cols: w, rows: h }: TerminalSize) => {
    await exec.resize({ h, w });
  };
  const close = () => {
    hungUp = true;
    stream.destroy();
    void hangUp(container, marker);
  };
  try {
    await resize(size);
  } catch (error) {
    close();
    throw error;
  }
  return { stream, resize, ended, close };
}

/**
 * Once the connection closes: the shell's exit code when the engine ended the stream after the shell exited, or when we
 * hung the shell up; else the connection was lost while it ran, even if the engine then ends the orphaned shell.
 */
function shellEnded(stream: Duplex, exec: Docker.Exec, hungUp: () => boolean): Promise<ShellEnd> {
  return new Promise((resolve) => {
    let failure: string | undefined;
    let endedByEngine = false;
    stream.once('error', (error) => (failure = errorMessage(error)));
    stream.once('end', () => (endedByEngine = true));
    stream.once('close', () => {
      if (!endedByEngine && !hungUp()) {
        resolve({ kind: 'lost', reason: failure ?? 'the connection to Docker closed while the shell was running' });
        return;
      }
      exitCodeOnceEnded(exec)
        .then(
          (exitCode): ShellEnd =>
            exitCode === undefined ? { kind: 'lost', reason: failure ?? 'the connection to Docker closed while the shell was running' } : { kind: 'exited', exitCode },
          (error: unknown): ShellEnd => ({ kind: 'lost', reason: failure ?? errorMessage(error) }),
        )
        .then(resolve);
    });
  });
}

/** Best effort: a stopped container has nothing left to hang up. */
async function hangUp(container: Docker.Container, marker: string): Promise<void> {
  try {
    const exec = await container.exec({ Cmd: [...HANG_UP_ARGV, marker], AttachStdout: false, AttachStderr: false });
    // The engine answers a detached start at once; reading that answer to its end releases the connection.
    await finished((await exec.start({ Detach: true })).resume());
  } catch {
    // The container is gone or stopped: so is the shell.
  }
}

import type { Client } from 'ssh2';
import { SwarmError } from '../../core/errors';
import type { ExecOptions, ExecResult } from '../../core/provider';
import { remoteCommand } from './remoteCommand';

export interface SshCommandOptions extends ExecOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string;
}

/** Runs argv on the host over an open connection and collects its output; a signal closes the channel. */
export function runSshCommand(client: Client, argv: readonly string[], { env, workdir, signal, input }: SshCommandOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled(argv));
    client.exec(remoteCommand(argv, { env, workdir }), (error, channel) => {
      if (error) return reject(error);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let exitCode = -1;
      const abort = () => {
        channel.close();
        reject(cancelled(argv));
      };
      signal?.addEventListener('abort', abort, { once: true });
      channel.on('data', (chunk: Buffer) => stdout.push(chunk));
      channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      // A process killed by a signal reports no code: -1, as for an exit code nobody could read.
      channel.on('exit', (code: number | null) => (exitCode = code ?? -1));
      channel.on('close', () => {
        signal?.removeEventListener('abort', abort);
        resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), exitCode });
      });
      channel.end(input);
    });
  });
}

function cancelled(argv: readonly string[]): SwarmError {
  return new SwarmError('OPERATION_CANCELLED', `Running ${argv[0] ?? 'a command'} over SSH was cancelled.`);
}

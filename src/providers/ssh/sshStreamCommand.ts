import type { Client, ClientChannel } from 'ssh2';
import type { ExecOptions } from '../../core/provider';
import { remoteCommand } from './remoteCommand';

/** How much of a streaming command's stderr is kept for its error message. */
const STDERR_LIMIT = 64 * 1024;

/** How a command ended: its exit code, or the signal that killed it, or neither when the connection was lost first. */
export interface SshCommandEnd {
  exitCode: number | undefined;
  signal: string | undefined;
  /** The first 64 KiB of what it wrote to stderr. */
  stderr: string;
}

/** A command on the host whose stdin and stdout are streams (a tar, say), rather than strings collected at the end. */
export interface StreamingSshCommand {
  /** Write to it for the command's stdin (end() sends EOF); read from it for its stdout, which must be read to its end. */
  readonly channel: ClientChannel;
  /** Settles once the channel has closed (the command ended and its stdout was read to the end, or the connection was lost); never rejects. */
  readonly ended: Promise<SshCommandEnd>;
  /** Gives up on the command: closes the channel (the command sees its pipes close) and discards what it still sends. */
  close(): void;
}

/** Starts argv on the host over an open connection, quoted as runSshCommand quotes it: nothing in argv is interpreted. */
export function startSshCommand(client: Client, argv: readonly string[], options: Pick<ExecOptions, 'env' | 'workdir'> = {}): Promise<StreamingSshCommand> {
  return new Promise((resolve, reject) => {
    client.exec(remoteCommand(argv, options), (error, channel) => {
      if (error) return reject(error);
      let stderr = '';
      let exitCode: number | undefined;
      let signal: string | undefined;
      channel.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8').slice(0, STDERR_LIMIT - stderr.length);
      });
      channel.on('exit', (code: number | null, killedBy?: string) => {
        exitCode = code ?? undefined;
        signal = code === null ? killedBy : undefined;
      });
      const ended = new Promise<SshCommandEnd>((resolveEnd) => channel.once('close', () => resolveEnd({ exitCode, signal, stderr })));
      resolve({
        channel,
        ended,
        close: () => {
          channel.unpipe();
          // 'close' comes only after stdout has ended, so what is still in flight is read and dropped.
          channel.resume();
          channel.close();
        },
      });
    });
  });
}

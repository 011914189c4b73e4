import type { Client } from 'ssh2';
import { errorMessage } from '../../core/errors';
import type { ShellEnd, ShellSession, TerminalSize } from '../../core/provider';

/** The user's login shell on the host with a PTY (xterm-256color), resized with the terminal. */
export function openSshShell(client: Client, { cols, rows }: TerminalSize): Promise<ShellSession> {
  return new Promise((resolve, reject) => {
    client.shell({ term: 'xterm-256color', cols, rows }, (error, channel) => {
      if (error) return reject(error);
      let lostBecause: string | undefined;
      const onConnectionError = (connectionError: Error) => (lostBecause = errorMessage(connectionError));
      client.on('error', onConnectionError);
      const ended = new Promise<ShellEnd>((resolveEnd) => {
        let end: ShellEnd | undefined;
        channel.on('exit', (code: number | null, signal?: string) => {
          end = code !== null ? { kind: 'exited', exitCode: code } : { kind: 'killed', signal: signal ?? 'unknown' };
        });
        channel.on('close', () => {
          client.removeListener('error', onConnectionError);
          resolveEnd(end ?? { kind: 'lost', reason: lostBecause ?? 'the SSH connection closed while the shell was running' });
        });
      });
      resolve({
        stream: channel,
        resize: async (size) => {
          channel.setWindow(size.rows, size.cols, 0, 0);
        },
        ended,
        close: () => channel.close(),
      });
    });
  });
}

import { PassThrough, type Readable } from 'node:stream';
import type { Client } from 'ssh2';
import { errorMessage, SwarmError } from '../../core/errors';
import type { ExportOptions, OperationOptions, WorkspaceTransfer } from '../../core/provider';
import { runSshCommand } from './sshCommand';
import { startSshCommand, type SshCommandEnd, type StreamingSshCommand } from './sshStreamCommand';

/** What the transfer needs of one host: its open connection, the workspace folder there, and how to name it in messages. */
export interface SshWorkspaceHost {
  connection: Client;
  workspacePath: string;
  /** e.g. `"build-box" (me@build-box:22)`. */
  description: string;
}

/*
 * Fixed scripts: the folder reaches them only as $1, never spliced into them. tar is whatever tar the host has (GNU,
 * BusyBox, bsdtar), so only options all of them know are used.
 */

/** Exit 3: no tar. Exit 4: the folder to export is missing. $2 is "export" or "import". */
const PROBE = `command -v tar >/dev/null 2>&1 || exit 3
if [ "$2" = export ] && [ ! -d "$1" ]; then exit 4; fi
exit 0`;

/** Entries ./, ./src/, ./src/main.ts, ...: the folder's contents, with modes, times and symlinks. */
const EXPORT = 'cd "$1" && exec tar -c -f - .';

/** $2...: chosen entries ("./src/main.ts"), those that exist; with none, an empty archive (two zero blocks). */
const EXPORT_PATHS = `cd "$1" && shift
for p do shift; if [ -e "$p" ] || [ -L "$p" ]; then set -- "$@" "$p"; fi; done
if [ $# -eq 0 ]; then exec head -c 1024 /dev/zero; fi
exec tar -c -f - -- "$@"`;

/**
 * Unpacks over the folder, made first if need be. -o: the files belong to the user logged in (not to the archive's
 * owners, which mean nothing here). umask 0: modes as in the archive, also for a user other than root.
 */
const IMPORT = 'mkdir -p "$1" && cd "$1" && umask 0 && exec tar -x -o -f -';

/** Workspaces to and from an SSH host: tar on the host, its archive streamed over the host's SSH connection. */
export class SshWorkspaces implements WorkspaceTransfer {
  constructor(private readonly host: (id: string) => Promise<SshWorkspaceHost>) {}

  async exportWorkspace(id: string, { signal, onProgress, paths }: ExportOptions = {}): Promise<Readable> {
    const host = await this.host(id);
    const action = `Exporting the workspace of ${host.description}`;
    await this.probe(host, 'export', action, signal);
    onProgress?.(`Reading ${host.workspacePath}`);
    const command = paths ? await start(host, EXPORT_PATHS, action, paths.map((path) => `./${path}`)) : await start(host, EXPORT, action);
    command.channel.end();
    const out = new PassThrough();
    command.channel.pipe(out, { end: false });
    const abort = () => out.destroy(cancelled(action));
    signal?.addEventListener('abort', abort, { once: true });
    // The archive ends only once tar has said it succeeded: a tar that fails midway fails the stream rather than ending it early.
    void command.ended.then((end) => {
      signal?.removeEventListener('abort', abort);
      if (end.exitCode === 0) out.end();
      else out.destroy(tarFailed(action, end));
    });
    out.once('close', () => {
      signal?.removeEventListener('abort', abort);
      command.close();
    });
    return out;
  }

  /** Unpacks the archive over the workspace folder; files there and not in the archive stay. On failure the archive is destroyed. */
  async importWorkspace(id: string, archive: Readable, { signal, onProgress }: OperationOptions = {}): Promise<void> {
    let command: StreamingSshCommand | undefined;
    let action = `Importing a workspace into instance ${id}`;
    // Until the archive is read, an error of its own is kept (archive.errored) rather than thrown as uncaught.
    const keepError = () => undefined;
    archive.on('error', keepError);
    const stops: (() => void)[] = [() => archive.removeListener('error', keepError)];
    try {
      const host = await this.host(id);
      action = `Importing a workspace into ${host.description}`;
      await this.probe(host, 'import', action, signal);
      onProgress?.(`Unpacking into ${host.workspacePath}`);
      command = await start(host, IMPORT, action);
      // tar -x prints nothing on stdout; reading it anyway keeps the channel's window open.
      command.channel.resume();
      const interrupted = new Promise<never>((_resolve, reject) => {
        const onArchiveError = (error: unknown) => reject(error);
        const onAbort = () => reject(cancelled(action));
        archive.once('error', onArchiveError);
        signal?.addEventListener('abort', onAbort, { once: true });
        stops.push(() => archive.removeListener('error', onArchiveError), () => signal?.removeEventListener('abort', onAbort));
      });
      if (signal?.aborted) throw cancelled(action);
      if (archive.errored) throw archive.errored;
      if (archive.destroyed) throw new Error('the archive was closed before it was read');
      archive.pipe(command.channel);
      const end = await Promise.race([command.ended, interrupted]);
      if (end.exitCode !== 0) throw tarFailed(action, end);
      // tar stops at the archive's end marker; whatever padding follows is not wanted.
      archive.unpipe(command.channel);
      archive.destroy();
    } catch (error) {
      if (command) archive.unpipe(command.channel);
      command?.close();
      archive.destroy();
      throw SwarmError.is(error) ? error : new SwarmError('OPERATION_FAILED', `${action} failed: ${errorMessage(error)}`, { cause: error });
    } finally {
      for (const stop of stops) stop();
    }
  }

  private async probe(host: SshWorkspaceHost, mode: 'export' | 'import', action: string, signal: AbortSignal | undefined): Promise<void> {
    const result = await runSshCommand(host.connection, ['sh', '-c', PROBE, 'remote-swarm-probe', host.workspacePath, mode], signal ? { signal } : {});
    if (result.exitCode === 0) return;
    if (result.exitCode === 3) {
      throw new SwarmError('OPERATION_FAILED', `${action} failed: tar is not installed there. Install it (e.g. apt-get install tar) to move workspaces to or from this host.`, {
        details: { missing: 'tar' },
      });
    }
    if (result.exitCode === 4) {
      throw new SwarmError('OPERATION_FAILED', `${action} failed: the workspace folder ${host.workspacePath} does not exist there.`, { details: { folder: host.workspacePath } });
    }
    throw new SwarmError('OPERATION_FAILED', `${action} failed: checking the host ended with exit code ${result.exitCode}: ${result.stderr.trim() || 'no output'}`);
  }
}

async function start(host: SshWorkspaceHost, script: string, action: string, paths: readonly string[] = []): Promise<StreamingSshCommand> {
  try {
    return await startSshCommand(host.connection, ['sh', '-c', script, 'remote-swarm-tar', host.workspacePath, ...paths]);
  } catch (error) {
    throw new SwarmError('OPERATION_FAILED', `${action} failed: ${errorMessage(error)}`, { cause: error });
  }
}

function tarFailed(action: string, { exitCode, signal, stderr }: SshCommandEnd): SwarmError {
  const how =
    exitCode !== undefined ? `tar exited with code ${exitCode}` : signal !== undefined ? `tar was killed (${signal})` : 'the SSH connection closed before tar finished';
  return new SwarmError('OPERATION_FAILED', `${action} failed: ${how}${stderr.trim() ? `: ${stderr.trim()}` : ''}`, { details: { exitCode, signal } });
}

function cancelled(action: string): SwarmError {
  return new SwarmError('OPERATION_CANCELLED', `${action} was cancelled.`);
}

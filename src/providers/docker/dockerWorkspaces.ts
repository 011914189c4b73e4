import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { SwarmError } from '../../core/errors';
import type { CopyBetweenOptions, ExecResult, ExportOptions, OperationOptions, WorkspaceTransfer } from '../../core/provider';
import { demultiplex, followedLines } from '../dockerEngine/dockerLogs';
import { reownArchive } from '../../core/workspaces/tarOwner';
import { archiveOfPaths, folderOwner } from './dockerArchive';
import { LABEL, decodeConfig, labelFilters } from '../dockerEngine/dockerLabels';
import type { DockerProviderParts } from './dockerProviderParts';

/**
 * Workspaces in and out of containers through the engine's archive API (what `docker cp` uses), which works on running
 * and stopped containers alike and reaches the workspace volume mounted in them. Everything streams: the engine's tar
 * goes to the caller as it is read, and the caller's tar to the engine as the engine takes it.
 */
export class DockerWorkspaces implements WorkspaceTransfer {
  constructor(private readonly parts: () => DockerProviderParts) {}

  /** The workspace folder's contents: entries `./`, `./src/`, `./src/main.ts`, ... with their modes, times and owners. */
  exportWorkspace(id: string, { signal, onProgress, paths }: ExportOptions = {}): Promise<Readable> {
    const parts = this.parts();
    return parts.withContainer(id, 'Exporting the workspace of', signal, async (container, info) => {
      const folder = workspaceFolder(info);
      onProgress?.(`Reading ${folder}`);
      if (paths) {
        const action = `Exporting ${paths.length} entries of the workspace of "${info.Labels[LABEL.name] ?? id}"`;
        return withMappedErrors(archiveOfPaths(container, folder, paths, signal), (error) => parts.toSwarmError(error, action, signal));
      }
      // The engine names entries after the last element of the path: with "/." that is ".", so the paths are relative to the folder.
      const archive = (await container.getArchive({ path: contentsPath(folder), ...(signal ? { abortSignal: signal } : {}) })) as Readable;
      const action = `Exporting the workspace of "${info.Labels[LABEL.name] ?? id}"`;
      return withMappedErrors(archive, (error) => parts.toSwarmError(error, action, signal));
    });
  }

  /**
   * Unpacks the archive over the workspace folder (files there and not in the archive stay). What it unpacks is owned by
   * the folder's owner, whatever owners the archive names. On failure the archive is destroyed, and what was written
   * before the failure stays.
   */
  async importWorkspace(id: string, archive: Readable, { signal, onProgress }: OperationOptions = {}): Promise<void> {
    const parts = this.parts();
    // Until the archive is read, an error of its own is kept (archive.errored) rather than thrown as uncaught.
    const keepError = () => undefined;
    archive.on('error', keepError);
    try {
      await parts.withContainer(id, 'Importing a workspace into', signal, async (container, info) => {
        const folder = workspaceFolder(info);
        const owner = await folderOwner(container, folder, signal);
        onProgress?.(`Unpacking into ${folder}`);
        const reowned = reownArchive(archive, owner);
        try {
          await container.putArchive(reowned, { path: folder, ...(signal ? { abortSignal: signal } : {}) });
        } finally {
          reowned.destroy();
        }
      });
    } catch (error) {
      archive.destroy();
      throw error;
    } finally {
      archive.removeListener('error', keepError);
    }
  }

  /**
   * A throwaway container of the instance's image with its volumes mounted read-only and no network, removed
   * afterwards. Only where the workspace folder is on a volume: a folder in the container's own layer is not there.
   */
  execStopped(id: string, argv: readonly string[], { signal }: OperationOptions = {}): Promise<ExecResult> {
    const parts = this.parts();
    return parts.withContainer(id, 'Reading the workspace of', signal, async (_container, info) => {
      workspaceMount(info); // fails where the folder is not on a volume
      return this.runHelper(helperSpec(info, argv, this.helperLabels(id)), signal);
    });
  }

  /**
   * One helper container (the source's image, as root, no network) with the source's workspace volume mounted
   * read-only and the target's writable: tar from one into the other, then the target folder's owner given to what
   * it unpacked, as importWorkspace does (set-user and set-group ids, which a change of owner clears, put back).
   */
  copyBetween(sourceId: string, targetId: string, { signal, onProgress, onBytes, paths = [] }: CopyBetweenOptions = {}): Promise<void> {
    const parts = this.parts();
    return parts.withContainer(sourceId, 'Copying the workspace of', signal, (_source, sourceInfo) =>
      parts.withContainer(targetId, 'Copying a workspace into', signal, async (_target, targetInfo) => {
        const from = workspaceMount(sourceInfo);
        const to = workspaceMount(targetInfo);
        onProgress?.(`Copying ${from.folder} into ${to.folder}`);
        const relative = paths.length > 0 ? paths.map((path) => `./${path}`) : ['.'];
        const spec: Docker.ContainerCreateOptions = {
          Image: sourceInfo.ImageID,
          User: '0:0',
          Entrypoint: ['sh'],
          Cmd: ['-c', COPY, 'remote-swarm-copy', `${FROM}${from.within}`, `${TO}${to.within}`, ...relative],
          Labels: this.helperLabels(targetId),
          HostConfig: { Mounts: [mountSpec(from.mount, FROM, true), mountSpec(to.mount, TO, false)], NetworkMode: 'none' },
        };
        const { exitCode, stderr } = await this.runHelper(spec, signal, (line) => {
          const [prefix, kib] = line.trim().split(' ');
          if (prefix === PROGRESS_PREFIX && /^\d+$/.test(kib ?? '')) onBytes?.(Number(kib) * 1024);
        });
        if (exitCode !== 0) {
          const name = (info: Docker.ContainerInfo, id: string) => info.Labels[LABEL.name] ?? id;
          throw new SwarmError('OPERATION_FAILED', `Copying the workspace of "${name(sourceInfo, sourceId)}" into "${name(targetInfo, targetId)}" failed: ${stderr.trim() || `exit code ${exitCode}`}`);
        }
      }),
    );
  }

  private helperLabels(of: string): Record<string, string> {
    return { ...this.parts().extraLabels, [LABEL.helperOf]: of, [LABEL.helperProcess]: THIS_PROCESS };
  }

  /**
   * Runs a helper container to its end and removes it, also on failure or cancel (which kills it); `onLine` hears each
   * line of its output as it comes.
   */
  private async runHelper(spec: Docker.ContainerCreateOptions, signal: AbortSignal | undefined, onLine?: (line: string) => void): Promise<ExecResult> {
    const { docker } = this.parts();
    const helper = await docker.createContainer(spec);
    const following = new AbortController();
    try {
      await helper.start();
      const followed = onLine ? this.followLines(helper, following.signal, onLine) : Promise.resolve();
      const { StatusCode } = (await helper.wait(signal ? { abortSignal: signal } : {})) as { StatusCode: number };
      await followed;
      const { stdout, stderr } = demultiplex((await helper.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
      return { stdout, stderr, exitCode: StatusCode };
    } finally {
      following.abort();
      await helper.remove({ force: true }).catch(() => undefined);
    }
  }

  /** Each line the helper writes, until its output ends; following that fails only loses the lines. */
  private async followLines(helper: Docker.Container, signal: AbortSignal, onLine: (line: string) => void): Promise<void> {
    try {
      const raw = (await helper.logs({ follow: true, stdout: true, stderr: false })) as unknown as NodeJS.ReadableStream;
      for await (const line of createInterface({ input: followedLines(this.parts().docker, raw, signal), crlfDelay: Infinity })) onLine(line);
    } catch {
      // The copy's own outcome decides; progress is only what it could tell.
    }
  }

  /**
   * Removes helpers whose process died before removing them (killed mid-way): on this host, those whose process is
   * gone, however old (an in-engine copy of a large workspace may run for hours); another host's, which cannot be
   * asked, once older than a day.
   */
  async removeStaleHelpers(now: number): Promise<void> {
    const { docker, extraLabels } = this.parts();
    const helpers = await docker.listContainers({ all: true, filters: { label: [LABEL.helperOf, ...labelFilters(extraLabels)] } });
    const stale = helpers.filter((helper) => staleHelper(helper.Labels[LABEL.helperProcess], now - helper.Created * 1000));
    // One its process removed meanwhile is gone all the same.
    const removeOne = (id: string) => docker.getContainer(id).remove({ force: true }).catch((error: unknown) => {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
    });
    await Promise.all(stale.map((helper) => removeOne(helper.Id)));
  }
}

const THIS_PROCESS = `${hostname()}:${process.pid}`;
/** A helper of another host (or of no known process) is taken for left behind after this long. */
const FOREIGN_HELPER_MAX_AGE_MS = 24 * 3_600_000;

/** Whether a helper made by `owner` (`host:pid`) `ageMs` ago was left behind: its process on this host is gone, or it is another's and old. */
function staleHelper(owner: string | undefined, ageMs: number): boolean {
  const match = owner === undefined ? null : /^(.*):(\d+)$/.exec(owner);
  if (!match || match[1] !== hostname()) return ageMs > FOREIGN_HELPER_MAX_AGE_MS;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The image the helper of a stopped instance runs: the instance's own, so that it has the tools the instance has. */
function helperSpec(info: Docker.ContainerInfo, argv: readonly string[], labels: Record<string, string>): Docker.ContainerCreateOptions {
  return {
    Image: info.ImageID,
    Entrypoint: [argv[0]!],
    Cmd: argv.slice(1),
    Labels: labels,
    HostConfig: { VolumesFrom: [`${info.Id}:ro`], NetworkMode: 'none' },
  };
}

/** How a copy helper's progress lines begin: then the KiB copied so far. */
const PROGRESS_PREFIX = 'remote-swarm-copied-kib';

/** Where a copy helper mounts the source's workspace volume and the target's. */
const FROM = '/remote-swarm-from';
const TO = '/remote-swarm-to';

/**
 * $1: the source folder; $2: the target folder; then the entries, relative. Fixed script: folders and paths reach it
 * only as arguments. A pipe's status is its last command's (no pipefail in every sh): the archiving tar's failure is
 * told by a file. Every second, and once at the end, it prints how many KiB the target folder grew by (its disk use,
 * which `du` of busybox and GNU both tell). Exit 4: a folder is missing; exit 6: a tool failed.
 */
const COPY = `cd "$1" || exit 4
to=$2
owner=$(stat -c %u:%g "$to") || exit 4
shift 2
for p do shift; if [ -e "$p" ] || [ -L "$p" ]; then set -- "$@" "$p"; fi; done
[ $# -gt 0 ] || exit 0
used() { du -sk "$to" 2>/dev/null | { read -r kib _ && echo "$kib" || echo 0; }; }
before=$(used)
copied() { echo "${PROGRESS_PREFIX} $(( $(used) - before ))"; }
( while sleep 1; do copied; done ) &
{ tar -cf - -- "$@" || echo failed > /tmp/remote-swarm-tar-failed; } | tar -C "$to" -xf - || exit 6
[ ! -e /tmp/remote-swarm-tar-failed ] || exit 6
kill $! 2>/dev/null
copied
(cd "$to" && chown -hR "$owner" -- "$@") || exit 6
find "$@" -type f \\( -perm -4000 -o -perm -2000 \\) -exec sh -c 'for f do chmod "$(stat -c %a "$f")" "$0/$f" || exit 6; done' "$to" {} + || exit 6`;

/** The mount that holds the workspace folder, and the folder within it ("" or "/sub"); only a volume or bind mount will do. */
function workspaceMount(info: Docker.ContainerInfo): { folder: string; mount: Docker.ContainerInfo['Mounts'][number]; within: string } {
  const folder = workspaceFolder(info).replace(/\/+$/, '');
  const holds = (destination: string) => folder === destination.replace(/\/+$/, '') || folder.startsWith(`${destination.replace(/\/+$/, '')}/`);
  const mount = info.Mounts.filter((candidate) => holds(candidate.Destination)).sort((a, b) => b.Destination.length - a.Destination.length)[0];
  if (!mount) throw new SwarmError('OPERATION_FAILED', `The workspace folder ${folder} of "${info.Labels[LABEL.name] ?? info.Id}" is not on a volume: only the container itself has it.`);
  return { folder, mount, within: folder.slice(mount.Destination.replace(/\/+$/, '').length) };
}

function mountSpec(mount: Docker.ContainerInfo['Mounts'][number], target: string, readOnly: boolean): Docker.MountSettings {
  return mount.Type === 'volume' && mount.Name
    ? { Type: 'volume', Source: mount.Name, Target: target, ReadOnly: readOnly }
    : { Type: 'bind', Source: mount.Source, Target: target, ReadOnly: readOnly };
}

/** The workspace folder: as configured, else where the workspace volume is mounted. */
function workspaceFolder(info: Docker.ContainerInfo): string {
  const configured = decodeConfig(info.Labels)?.workspacePath;
  if (configured) return configured;
  const volume = info.Labels[LABEL.volume];
  const mount = volume === undefined ? undefined : info.Mounts.find((candidate) => candidate.Name === volume);
  if (mount) return mount.Destination;
  throw new SwarmError('OPERATION_FAILED', `The container of instance "${info.Labels[LABEL.instance] ?? info.Id}" records no workspace folder (no configuration label, no workspace volume).`);
}

function contentsPath(folder: string): string {
  return `${folder.replace(/\/+$/, '')}/.`;
}

/** The stream as it is, except that its errors become SwarmErrors; destroying the result stops the source. */
function withMappedErrors(source: Readable, map: (error: unknown) => Error): Readable {
  // As large as the engine's chunks come, so that the socket is not paused after each one.
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  source.once('error', (error) => out.destroy(map(error)));
  out.once('close', () => source.destroy());
  source.pipe(out);
  return out;
}

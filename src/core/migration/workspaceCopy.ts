import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errorMessage, SwarmError } from '../errors';
import type { Provider } from '../provider';
import { BLOCK, TarReader, ZERO_BLOCKS, type TarEntry, type TarEntrySink } from '../workspaces/tarReader';
import { manifestInPlace } from '../workspaces/manifestInPlace';
import { BatchedWriter } from '../workspaces/streamWrite';
import { ManifestBuilder, readManifest, WorkspaceManifest, type ManifestEntry } from '../workspaces/workspaceManifest';

/** One side of a copy: a provider with workspace transfer, the instance id there and its workspace folder. */
export interface WorkspaceSide {
  provider: Provider;
  id: string;
  workspacePath: string;
  /** The instance is stopped (its exec cannot list its workspace; a provider's helper may). */
  stopped?: boolean;
}

/** What one pass over the source gave. */
export interface CopyRound {
  /** The source as this pass read it. */
  manifest: WorkspaceManifest;
  /** When the pass began (this machine's clock, seconds): files changed after it are read again by the next pass. */
  startedAt: number;
  /** Entries sent to the target, and the bytes of their content. */
  changed: string[];
  changedBytes: number;
  /** Entries the previous pass saw and this one did not: removed from the target. */
  removed: string[];
  /** Bytes of content read from the source. */
  bytesRead: number;
}

export interface CopyOptions {
  signal?: AbortSignal;
  /** Bytes of content read so far in this pass. */
  onBytes?: (bytes: number) => void;
  /** This machine's clock, in milliseconds. */
  now: () => number;
}

/** argv of at most this many bytes (an rm, a tar of chosen entries), well under any system's limit. */
const ARGV_BYTES = 64 * 1024;
/** More changed entries than this are read with a whole export: one archive request per entry (Docker's) would be slower. */
const PATHS_BY_NAME = 500;

/** Seconds of clock difference allowed between this machine and the instance when deciding a file may have changed unseen. */
const CLOCK_SLACK_SECONDS = 2;

/**
 * One pass: sends the target every entry the previous pass did not see as it is now, as one archive of those entries'
 * original blocks, while hashing what it sends; entries gone since are removed from the target. Without a previous
 * pass, everything is sent. What changed is told by the source's listing (no content read) where the source can give
 * one, and only those entries are exported; else the whole archive is read and each entry checked as it passes. An
 * entry counts as unchanged when its type, mode, size, time and link target are the same and its time is older than
 * the previous pass (a file written in the second a pass read it is read again, as git treats "racily clean" files).
 */
export async function copyRound(source: WorkspaceSide, target: WorkspaceSide, previous: CopyRound | undefined, { signal, onBytes, now }: CopyOptions): Promise<CopyRound> {
  const startedAt = now() / 1000;
  const changes = previous ? await listedChanges(source, previous, signal) : undefined;
  if (source.stopped && source.provider === target.provider && source.provider.workspaces?.copyBetween) {
    return copyRoundBetween(source, target, previous, changes, { signal, onBytes, startedAt });
  }
  const builder = new ManifestBuilder();
  for (const { listed, known } of changes?.unchanged ?? []) builder.reuse(listed, known);
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const batch = new BatchedWriter(out);
  const changed: string[] = [];
  const sent = new Set<string>();
  let changedBytes = 0;
  let bytesRead = 0;
  const visitor = {
    entry: async (entry: TarEntry, raw: readonly Buffer[]): Promise<TarEntrySink | undefined> => {
      const known = previous?.manifest.get(entry.path);
      if (!changes && known && previous && unchanged(entry, known, builder, previous.startedAt, sent)) {
        builder.reuse(entry, known);
        return skipping(entry.size);
      }
      changed.push(entry.path);
      sent.add(entry.path);
      changedBytes += entry.size;
      for (const block of raw) await batch.write(block);
      const hashing = builder.entry(entry);
      return {
        data: async (chunk) => {
          report(chunk.length);
          hashing?.data?.(chunk);
          await batch.write(chunk);
        },
        end: async () => {
          const padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
          if (padding > 0) await batch.write(ZERO_BLOCKS.subarray(0, padding));
          await hashing?.end?.();
        },
      };
    },
    finish: async () => {
      await batch.write(ZERO_BLOCKS);
      await batch.end();
    },
  };
  const report = (bytes: number) => {
    bytesRead += bytes;
    onBytes?.(bytesRead);
  };
  const skipping = (size: number): TarEntrySink | undefined => (size === 0 ? undefined : { data: (chunk) => report(chunk.length) });

  // A listing that found nothing changed leaves nothing to send.
  if (changes?.paths.length !== 0) {
    const archive = await exportOf(source, changes?.paths, signal);
    const reading = pipeline(archive, new TarReader(visitor), signal ? { signal } : {}).catch((error: unknown) => {
      out.destroy(asError(error));
      throw error;
    });
    const writing = target.provider.workspaces!.importWorkspace(target.id, out, signal ? { signal } : {}).catch((error: unknown) => {
      archive.destroy();
      throw error;
    });
    await settleBoth(reading, writing);
  }

  const manifest = builder.manifest();
  const removed = previous ? topmost([...previous.manifest.entries.keys()].filter((path) => !manifest.get(path))) : [];
  await removeFromTarget(target, removed, signal);
  return { manifest, startedAt, changed, changedBytes, removed, bytesRead };
}

/**
 * copyRound within one provider that copies between its instances itself: the bytes never reach this process. The
 * source's manifest is its own listing with hashes, read while the copy runs: only of a stopped source, so that both
 * see the same bytes (of a running one, a file written meanwhile could be hashed in one version and copied in
 * another; those passes stream, hashing what they send).
 */
async function copyRoundBetween(
  source: WorkspaceSide,
  target: WorkspaceSide,
  previous: CopyRound | undefined,
  changes: ListedChanges | undefined,
  { signal, onBytes, startedAt }: Omit<CopyOptions, 'now'> & { startedAt: number },
): Promise<CopyRound> {
  const paths = changes?.paths;
  const reused = new ManifestBuilder();
  for (const { listed, known } of changes?.unchanged ?? []) reused.reuse(listed, known);
  const entries = new Map(reused.manifest().entries);
  const changed: string[] = [];
  let changedBytes = 0;
  if (paths?.length !== 0) {
    const options = { ...(signal ? { signal } : {}), ...(paths ? { paths } : {}), ...(onBytes ? { onBytes } : {}) };
    // Both to their end, so that no helper outlives the pass; the copy's failure first, the listing's otherwise.
    const [listed, copy] = await Promise.allSettled([sourceManifest(source, paths, signal), source.provider.workspaces!.copyBetween!(source.id, target.id, options)]);
    if (copy.status === 'rejected') throw copy.reason;
    if (listed.status === 'rejected') throw listed.reason;
    for (const entry of listed.value.entries.values()) {
      entries.set(entry.path, entry);
      changed.push(entry.path);
      if (entry.type === 'file') changedBytes += entry.size;
    }
    onBytes?.(changedBytes);
  }
  const manifest = new WorkspaceManifest(entries);
  const removed = previous ? topmost([...previous.manifest.entries.keys()].filter((path) => !manifest.get(path))) : [];
  await removeFromTarget(target, removed, signal);
  return { manifest, startedAt, changed, changedBytes, removed, bytesRead: changedBytes };
}

/** A stopped source's manifest of these entries (all without), hashed where it is, else read from its export. */
async function sourceManifest(source: WorkspaceSide, paths: readonly string[] | undefined, signal: AbortSignal | undefined): Promise<WorkspaceManifest> {
  const scope = { ...(signal ? { signal } : {}), ...(paths ? { paths } : {}) };
  return (await manifestInPlace(source.provider, source.id, source.workspacePath, { ...scope, stopped: true })) ?? readManifest(await exportOf(source, paths, signal), signal ? { signal } : {});
}

/**
 * The target's workspace as it is now: its whole manifest, computed in the target where it can (only the listing
 * travels), else read from its own export.
 */
export async function targetManifest(target: WorkspaceSide, options: Omit<CopyOptions, 'now'>): Promise<WorkspaceManifest> {
  return (await manifestInPlace(target.provider, target.id, target.workspacePath, options.signal ? { signal: options.signal } : {})) ?? exportedManifest(target, options);
}

async function exportedManifest(target: WorkspaceSide, { signal, onBytes }: Omit<CopyOptions, 'now'>): Promise<WorkspaceManifest> {
  let read = 0;
  return readManifest(await exportOf(target, undefined, signal), {
    ...(signal ? { signal } : {}),
    onBytes: (bytes) => {
      read += bytes;
      onBytes?.(read);
    },
  });
}

/** What a pass changed on the target, read back from the target: the paths it sent, the paths it removed. */
export async function refreshedTargetManifest(target: WorkspaceSide, known: WorkspaceManifest, round: CopyRound, options: Omit<CopyOptions, 'now'>): Promise<WorkspaceManifest> {
  const entries = new Map(known.entries);
  for (const path of round.removed) for (const key of entries.keys()) if (key === path || key.startsWith(`${path}/`)) entries.delete(key);
  if (round.changed.length === 0) return new WorkspaceManifest(entries);
  const paths = topmost(round.changed);
  if (paths.includes('.') || argvBytes(paths) > ARGV_BYTES) return targetManifest(target, options);
  const signal = options.signal ? { signal: options.signal } : {};
  const readBack =
    (await manifestInPlace(target.provider, target.id, target.workspacePath, { ...signal, paths })) ??
    (paths.length > PATHS_BY_NAME ? undefined : await readManifest(await exportOf(target, paths, options.signal), signal));
  if (!readBack) return exportedManifest(target, options);
  for (const [path, entry] of readBack.entries) if (path !== '.') entries.set(path, entry);
  // A path the source sent and the target did not give back is missing there.
  for (const path of round.changed) if (!readBack.get(path)) entries.delete(path);
  return new WorkspaceManifest(entries);
}

async function exportOf(side: WorkspaceSide, paths: readonly string[] | undefined, signal: AbortSignal | undefined): Promise<Readable> {
  return side.provider.workspaces!.exportWorkspace(side.id, { ...(signal ? { signal } : {}), ...(paths ? { paths } : {}) });
}

interface ListedChanges {
  /** Entries as listed now, unchanged since the previous pass: reused without reading them. */
  unchanged: { listed: ManifestEntry; known: ManifestEntry }[];
  /** What to export: the changed and new entries, a folder standing for what it holds. */
  paths: string[];
}

/**
 * What changed since the previous pass by the source's listing; undefined where the source cannot list itself or
 * only the whole archive will do.
 */
async function listedChanges(source: WorkspaceSide, previous: CopyRound, signal: AbortSignal | undefined): Promise<ListedChanges | undefined> {
  const listing = await manifestInPlace(source.provider, source.id, source.workspacePath, { hashes: false, stopped: source.stopped === true, ...(signal ? { signal } : {}) });
  if (!listing) return undefined;
  const unchanged: ListedChanges['unchanged'] = [];
  const changed: string[] = [];
  for (const listed of listing.entries.values()) {
    const known = previous.manifest.get(listed.path);
    if (known && listedUnchanged(listed, known, previous.startedAt)) unchanged.push({ listed, known });
    else changed.push(listed.path);
  }
  const paths = fewPaths(topmost(changed));
  // Entries exported one by one lose their hard links: an exported file with several names needs the whole archive.
  const linked = [...listing.hardLinked];
  if (!paths || paths.some((path) => linked.some((file) => file === path || file.startsWith(`${path}/`)))) return undefined;
  return { unchanged, paths };
}

/** As `unchanged`, for a listing's entry: whole seconds (a listing has no fractions), and the folder's own mode is the target's. */
function listedUnchanged(listed: ManifestEntry, known: ManifestEntry, since: number): boolean {
  if (listed.type !== known.type || (listed.path !== '.' && listed.mode !== known.mode)) return false;
  if (listed.type === 'file') return listed.size === known.size && Math.floor(listed.mtime) === Math.floor(known.mtime) && listed.mtime < since - CLOCK_SLACK_SECONDS;
  if (listed.type === 'symlink') return listed.target === known.target;
  return true;
}

function unchanged(entry: TarEntry, known: ManifestEntry, builder: ManifestBuilder, since: number, sent: ReadonlySet<string>): boolean {
  if (entry.mode !== known.mode) return false;
  switch (entry.type) {
    case 'file':
      return known.type === 'file' && entry.size === known.size && entry.mtime === known.mtime && entry.mtime < since - CLOCK_SLACK_SECONDS;
    case 'hardlink': {
      // A target sent again is a new file there: the link is made again to it, or it would keep the old one.
      const linked = builder.get(entry.linkTarget ?? '');
      return known.type === 'file' && linked !== undefined && linked.sha256 === known.sha256 && !sent.has(entry.linkTarget ?? '');
    }
    case 'symlink':
      return known.type === 'symlink' && entry.linkTarget === known.target;
    case 'directory':
      return known.type === 'directory';
    default:
      return known.type === 'other';
  }
}

/**
 * The paths, or the folders that hold them where there are too many to export one by one (a burst of writes fills a
 * few folders: those go whole, unchanged entries with them); undefined when only the whole workspace would do.
 */
function fewPaths(paths: readonly string[]): string[] | undefined {
  const fits = (candidate: readonly string[]) => !candidate.includes('.') && candidate.length <= PATHS_BY_NAME && argvBytes(candidate) <= ARGV_BYTES;
  if (fits(paths)) return [...paths];
  const deepest = Math.max(...paths.map((path) => path.split('/').length));
  for (let depth = deepest - 1; depth >= 1; depth--) {
    const folders = topmost([...new Set(paths.map((path) => path.split('/').slice(0, depth).join('/')))]);
    if (fits(folders)) return folders;
  }
  return undefined;
}

function argvBytes(paths: readonly string[]): number {
  return paths.reduce((bytes, path) => bytes + path.length + 1, 0);
}

/** Paths without those inside another of them ("a" covers "a/b"). */
function topmost(paths: readonly string[]): string[] {
  const kept = new Set<string>();
  // Shallowest first, so that a folder is kept before what it holds ("a-b" sorts between "a" and "a/c").
  for (const path of [...new Set(paths)].sort((a, b) => a.split('/').length - b.split('/').length)) {
    const parts = path.split('/');
    const covered = kept.has('.') || parts.some((_part, index) => index > 0 && kept.has(parts.slice(0, index).join('/')));
    if (!covered) kept.add(path);
  }
  return [...kept].sort();
}


async function removeFromTarget(target: WorkspaceSide, paths: readonly string[], signal: AbortSignal | undefined): Promise<void> {
  if (paths.length === 0) return;
  const folder = target.workspacePath;
  let batch: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const result = await target.provider.executeCommand(target.id, ['rm', '-rf', '--', ...batch], signal ? { signal } : {});
    if (result.exitCode !== 0) throw new SwarmError('OPERATION_FAILED', `Removing entries deleted from the source failed on the target: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
    batch = [];
    bytes = 0;
  };
  for (const path of paths) {
    const absolute = `${folder.replace(/\/+$/, '')}/${path}`;
    if (bytes + absolute.length > ARGV_BYTES) await flush();
    batch.push(absolute);
    bytes += absolute.length + 1;
  }
  await flush();
}

/** Both sides, and the first failure: the reader's own if it failed first, else the writer's. */
async function settleBoth(reading: Promise<unknown>, writing: Promise<unknown>): Promise<void> {
  const [read, written] = await Promise.allSettled([reading, writing]);
  if (written.status === 'rejected' && (read.status === 'fulfilled' || isConsequence(read.reason))) throw written.reason;
  if (read.status === 'rejected') throw read.reason;
  if (written.status === 'rejected') throw written.reason;
}

/** A failure of one side that only says the other side stopped. */
function isConsequence(error: unknown): boolean {
  return /premature close|stopped|ERR_STREAM_PREMATURE_CLOSE|aborted/i.test(errorMessage(error)) || (error as { code?: string })?.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

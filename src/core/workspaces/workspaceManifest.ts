import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarReader, type TarEntry, type TarEntrySink, type TarVisitor } from './tarReader';

/*
 * A workspace's manifest: every entry of the workspace folder with what a copy must keep (type, permission bits, size,
 * SHA-256 of a file's content, a symlink's target), empty folders included. It is computed from the tar stream a
 * provider's `workspaces.exportWorkspace` produces, so it works for every provider with workspace transfer, reads the
 * workspace through the same channel a copy uses, and needs no tool inside the instance. Owners and times are not
 * compared: an import gives files to the target's workspace owner, and times are a copy's to set.
 */

export type ManifestEntryType = 'file' | 'directory' | 'symlink' | 'other';

export interface ManifestEntry {
  /** Relative to the workspace folder, without "./"; the folder itself is ".". */
  path: string;
  type: ManifestEntryType;
  /** Permission bits with setuid, setgid and sticky. */
  mode: number;
  /** A file's size in bytes; 0 otherwise. */
  size: number;
  /** A file's content (a hard link's is its target's). */
  sha256?: string;
  /** A symlink's target, as written. */
  target?: string;
  /** Seconds since the epoch as the archive gave it: not compared, but a later copy's quick check of what changed. */
  mtime: number;
}

export interface ManifestTotals {
  files: number;
  directories: number;
  symlinks: number;
  /** Bytes of file content. */
  bytes: number;
}

export interface ManifestJson {
  version: 1;
  entries: ManifestEntry[];
}

/** Every entry of a workspace, by path. */
export class WorkspaceManifest {
  constructor(readonly entries: ReadonlyMap<string, ManifestEntry>) {}

  get(path: string): ManifestEntry | undefined {
    return this.entries.get(path);
  }

  get size(): number {
    return this.entries.size;
  }

  totals(): ManifestTotals {
    const totals: ManifestTotals = { files: 0, directories: 0, symlinks: 0, bytes: 0 };
    for (const entry of this.entries.values()) {
      if (entry.type === 'file') {
        totals.files++;
        totals.bytes += entry.size;
      } else if (entry.type === 'directory') totals.directories++;
      else if (entry.type === 'symlink') totals.symlinks++;
    }
    return totals;
  }

  /** Sorted by path, so that two equal manifests give equal JSON (stored beside a backup, compared later). */
  toJSON(): ManifestJson {
    return { version: 1, entries: [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
  }

  static fromJSON(json: ManifestJson): WorkspaceManifest {
    if (json.version !== 1) throw new Error(`manifest version ${String(json.version)} is not known`);
    return new WorkspaceManifest(new Map(json.entries.map((entry) => [entry.path, entry])));
  }
}

/** How an entry differs between the expected manifest (the source's) and the actual one (the target's). */
export interface ManifestDifference {
  path: string;
  /** missing: only expected; unexpected: only actual; otherwise the first field that differs. */
  kind: 'missing' | 'unexpected' | 'type' | 'mode' | 'size' | 'content' | 'target';
  expected?: ManifestEntry;
  actual?: ManifestEntry;
}

export interface CompareOptions {
  /** Paths whose permission bits are not compared (the workspace folder itself, whose mode is the target's to set). */
  ignoreModeOf?: readonly string[];
}

/** Every difference, in path order; empty when the workspaces hold the same entries with the same content. */
export function compareManifests(expected: WorkspaceManifest, actual: WorkspaceManifest, { ignoreModeOf = [] }: CompareOptions = {}): ManifestDifference[] {
  const differences: ManifestDifference[] = [];
  for (const want of expected.entries.values()) {
    const have = actual.get(want.path);
    const kind = !have ? 'missing' : entryDifference(want, have, ignoreModeOf.includes(want.path));
    if (kind) differences.push({ path: want.path, kind, expected: want, ...(have ? { actual: have } : {}) });
  }
  for (const have of actual.entries.values()) if (!expected.get(have.path)) differences.push({ path: have.path, kind: 'unexpected', actual: have });
  return differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function entryDifference(want: ManifestEntry, have: ManifestEntry, ignoreMode: boolean): ManifestDifference['kind'] | undefined {
  if (want.type !== have.type) return 'type';
  if (!ignoreMode && want.mode !== have.mode) return 'mode';
  if (want.size !== have.size) return 'size';
  if (want.sha256 !== have.sha256) return 'content';
  if (want.target !== have.target) return 'target';
  return undefined;
}

/** One line per difference, for an error message: at most `limit` of them. */
export function describeDifferences(differences: readonly ManifestDifference[], limit = 5): string {
  const lines = differences.slice(0, limit).map(({ path, kind }) => `${path}: ${kind === 'missing' ? 'missing on the target' : kind === 'unexpected' ? 'only on the target' : `${kind} differs`}`);
  if (differences.length > limit) lines.push(`and ${differences.length - limit} more`);
  return lines.join('; ');
}

/**
 * Builds a manifest from tar entries as a TarReader reads them; composable, so that a copy can hash what it forwards
 * (or reuse what it knows) in the same pass. `onBytes` is told of every byte of content read.
 */
export class ManifestBuilder implements TarVisitor {
  private readonly entries = new Map<string, ManifestEntry>();

  constructor(private readonly onBytes?: (bytes: number) => void) {}

  /** Hashes the entry's content (a file's), or records it at once (anything else). */
  entry(entry: TarEntry): TarEntrySink | undefined {
    if (entry.type !== 'file') {
      this.record(entry);
      return undefined;
    }
    const hash = createHash('sha256');
    return {
      data: (chunk) => {
        hash.update(chunk);
        this.onBytes?.(chunk.length);
      },
      end: () => void this.entries.set(entry.path, { path: entry.path, type: 'file', mode: entry.mode, size: entry.size, sha256: hash.digest('hex'), mtime: entry.mtime }),
    };
  }

  /** An entry whose content was not read, known from an earlier manifest (a quick check found it unchanged). */
  reuse(entry: Pick<TarEntry, 'mode' | 'mtime'>, known: ManifestEntry): void {
    this.entries.set(known.path, { ...known, mode: entry.mode, mtime: entry.mtime });
  }

  /** An entry recorded so far (a hard link's target comes before the link). */
  get(path: string): ManifestEntry | undefined {
    return this.entries.get(path);
  }

  manifest(): WorkspaceManifest {
    return new WorkspaceManifest(new Map(this.entries));
  }

  private record(entry: TarEntry): void {
    const base = { path: entry.path, mode: entry.mode, mtime: entry.mtime };
    if (entry.type === 'hardlink') {
      // A hard link is a file with its target's content; the target came earlier in the archive.
      const linked = this.entries.get(entry.linkTarget ?? '');
      this.entries.set(entry.path, { ...base, type: 'file', size: linked?.size ?? 0, ...(linked?.sha256 !== undefined ? { sha256: linked.sha256 } : {}) });
    } else if (entry.type === 'symlink') this.entries.set(entry.path, { ...base, type: 'symlink', size: 0, target: entry.linkTarget ?? '' });
    else this.entries.set(entry.path, { ...base, type: entry.type === 'directory' ? 'directory' : 'other', size: 0 });
  }
}

export interface ReadManifestOptions {
  signal?: AbortSignal;
  onBytes?: (bytes: number) => void;
}

/**
 * The manifest of an exported workspace: reads the whole archive (and destroys it on failure or cancel). A damaged or
 * cut archive fails rather than giving a partial manifest.
 */
export async function readManifest(archive: Readable, { signal, onBytes }: ReadManifestOptions = {}): Promise<WorkspaceManifest> {
  const builder = new ManifestBuilder(onBytes);
  await pipeline(archive, new TarReader(builder), signal ? { signal } : {});
  return builder.manifest();
}

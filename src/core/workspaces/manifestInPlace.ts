import { SwarmError } from '../errors';
import type { Provider } from '../provider';
import { normalise } from './tarReader';
import { WorkspaceManifest, type ManifestEntry } from './workspaceManifest';

/*
 * A workspace's manifest computed where the workspace is, through the instance's exec: find, stat, sha256sum and
 * readlink (GNU and BusyBox alike) read every entry there and only the listing travels, not the content. A copy is
 * verified this way at a fraction of what streaming the target back costs. Fixed script: the folder and the paths
 * reach it only as arguments.
 */

/**
 * $1: the folder; $2: "hashes" or "metadata" (no sha256sum: what a copy needs to tell what changed); then the paths.
 * Exit 4: no such folder. Exit 5: a name or link target with a newline, which a listing by lines cannot carry.
 */
const LIST = `cd "$1" || exit 4
mode=$2
shift 2
for p do shift; if [ -e "$p" ] || [ -L "$p" ]; then set -- "$@" "$p"; fi; done
if [ $# -eq 0 ]; then printf '@@sha256\\n@@links\\n'; exit 0; fi
nl='
'
[ -z "$(find "$@" -name "*$nl*" | head -n 1)" ] || exit 5
find "$@" -exec stat -c '%f %s %Y %h %n' {} + || exit 6
echo @@sha256
if [ "$mode" = hashes ]; then find "$@" -type f -exec sha256sum {} + || exit 6; fi
echo @@links
find "$@" -type l -exec sh -c 'for f do t=$(readlink "$f") || exit 6; case "$t" in *"$0"*) exit 5;; esac; printf "%s\\n%s\\n" "$f" "$t"; done' "$nl" {} + || exit 6`;

const FILE = 0o100000;
const DIRECTORY = 0o040000;
const SYMLINK = 0o120000;

/** A manifest read in place, and which of its files have more than one name (hard links, which a listing cannot pair). */
export class InPlaceManifest extends WorkspaceManifest {
  constructor(
    entries: ReadonlyMap<string, ManifestEntry>,
    readonly hardLinked: ReadonlySet<string>,
  ) {
    super(entries);
  }
}

export interface InPlaceOptions {
  signal?: AbortSignal;
  /** Without content hashes (default with): types, modes, sizes, times and link targets only. */
  hashes?: boolean;
  /** The instance is stopped: the listing runs through the provider's `workspaces.execStopped` where it has one. */
  stopped?: boolean;
  /** Only these entries (relative to the folder; a folder with what it holds); one that does not exist is left out. */
  paths?: readonly string[];
}

/**
 * The manifest of a running instance's workspace read in place; undefined where that cannot be done (no exec, tools
 * missing or unlike these, names with newlines): the caller then reads the workspace's export instead. A cancel
 * still fails.
 */
export async function manifestInPlace(provider: Provider, id: string, folder: string, { signal, paths = [], hashes = true, stopped = false }: InPlaceOptions = {}): Promise<InPlaceManifest | undefined> {
  const exec = provider.getCapabilities().exec ? provider.executeCommand.bind(provider) : undefined;
  // Without a helper, a stopped instance's exec is tried all the same: an SSH host's still runs commands.
  const run = (stopped ? provider.workspaces?.execStopped?.bind(provider.workspaces) : undefined) ?? exec;
  if (!run) return undefined;
  try {
    const relative = paths.length > 0 ? paths.map((path) => `./${path}`) : ['.'];
    const result = await run(id, ['sh', '-c', LIST, 'remote-swarm-manifest', folder, hashes ? 'hashes' : 'metadata', ...relative], signal ? { signal } : {});
    if (result.exitCode !== 0) return undefined;
    return parseListing(result.stdout, hashes);
  } catch (error) {
    if (signal?.aborted || (SwarmError.is(error) && error.code === 'OPERATION_CANCELLED')) throw error;
    return undefined;
  }
}

/** The script's three sections: stat lines, sha256sum lines (none without hashes), then each symlink's path and target on two lines. */
export function parseListing(output: string, hashes: boolean): InPlaceManifest | undefined {
  const lines = output.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const hashesAt = lines.indexOf('@@sha256');
  const linksAt = lines.indexOf('@@links');
  if (hashesAt === -1 || linksAt < hashesAt) return undefined;
  const entries = new Map<string, ManifestEntry>();
  const hardLinked = new Set<string>();
  for (const line of lines.slice(0, hashesAt)) {
    const match = /^([0-9a-f]+) (\d+) (\d+) (\d+) (.+)$/.exec(line);
    if (!match) return undefined;
    const raw = parseInt(match[1]!, 16);
    const path = normalise(match[5]!);
    const kind = raw & 0o170000;
    const type = kind === FILE ? 'file' : kind === DIRECTORY ? 'directory' : kind === SYMLINK ? 'symlink' : 'other';
    entries.set(path, { path, type, mode: raw & 0o7777, size: type === 'file' ? Number(match[2]) : 0, mtime: Number(match[3]) });
    if (type === 'file' && Number(match[4]) > 1) hardLinked.add(path);
  }
  for (const line of lines.slice(hashesAt + 1, linksAt)) {
    // GNU sha256sum marks a line whose name it escaped with a leading backslash (names with \ or a newline).
    const escaped = line.startsWith('\\');
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(escaped ? line.slice(1) : line);
    if (!match) return undefined;
    const name = escaped ? match[2]!.replace(/\\(\\|n)/g, (_all, char: string) => (char === 'n' ? '\n' : '\\')) : match[2]!;
    const entry = entries.get(normalise(name));
    if (entry?.type !== 'file') return undefined;
    entry.sha256 = match[1]!;
  }
  const links = lines.slice(linksAt + 1);
  if (links.length % 2 !== 0) return undefined;
  for (let i = 0; i < links.length; i += 2) {
    const entry = entries.get(normalise(links[i]!));
    if (entry?.type !== 'symlink') return undefined;
    entry.target = links[i + 1]!;
  }
  if (hashes) for (const entry of entries.values()) if (entry.type === 'file' && entry.sha256 === undefined) return undefined;
  return new InPlaceManifest(entries, hardLinked);
}

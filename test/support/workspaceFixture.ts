import assert from 'node:assert/strict';
import type { Provider } from '../../src/core/provider';

/*
 * A workspace with what a transfer must keep, made and described inside an instance with its own tools (BusyBox in
 * the test image, GNU coreutils on the SSH test host): both scripts stay within what either has.
 */

/** Name elements over 100 bytes, so that paths need the long-name extensions of tar. */
const LONG = 'l'.repeat(110);

/** $1: the workspace folder (made if missing); $2: MiB of random data; $3: a name over 100 bytes. */
const FILL = `set -e
mkdir -p "$1" && cd "$1"
mkdir -p src/nested/deeper "empty dir" "docs/ünïcödé" "long/$3"
printf 'hello\\n' > src/hello.txt
printf 'nested\\n' > src/nested/deeper/leaf.txt
printf '#!/bin/sh\\necho run\\n' > run.sh && chmod 755 run.sh
printf 'secret\\n' > private.key && chmod 600 private.key
printf 'shared\\n' > odd-mode.txt && chmod 641 odd-mode.txt
chmod 700 src/nested
chmod 1777 "empty dir"
printf 'spaces and unicode\\n' > "docs/ünïcödé/a file with spaces ✓.md"
printf 'long\\n' > "long/$3/$3.txt"
ln -s src/nested/deeper/leaf.txt link-to-leaf
ln -s "docs/ünïcödé" link-to-dir
ln -s /nonexistent/target dangling
ln src/hello.txt hard-link.txt
dd if=/dev/urandom of=data.bin bs=1048576 count="$2" 2>/dev/null
`;

/**
 * One line per entry below $1 (the folder itself is "."), tab-separated: the kind and path, then a directory's mode,
 * a symlink's target, or a file's mode, size, link count and SHA-256.
 */
const MANIFEST = `set -e
cd "$1"
find . | while IFS= read -r p; do
  if [ -L "$p" ]; then printf 'link\\t%s\\t%s\\n' "$p" "$(readlink "$p")"
  elif [ -d "$p" ]; then printf 'dir\\t%s\\t%s\\n' "$p" "$(stat -c %a "$p")"
  else printf 'file\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$p" "$(stat -c %a "$p")" "$(stat -c %s "$p")" "$(stat -c %h "$p")" "$(sha256sum < "$p" | cut -d ' ' -f 1)"
  fi
done`;

/** $1: the folder. Lines "uid:gid path" for every entry, symlinks included (stat does not follow them). */
const OWNERS = `cd "$1" && find . -exec stat -c '%u:%g %n' {} +`;

async function run(provider: Provider, id: string, script: string, args: readonly string[]): Promise<string> {
  const result = await provider.executeCommand(id, ['sh', '-c', script, 'fixture', ...args]);
  assert.equal(result.exitCode, 0, `${script.split('\n')[1] ?? script}\n${result.stderr}`);
  return result.stdout;
}

export async function fillWorkspace(provider: Provider, id: string, folder: string, dataMiB: number): Promise<void> {
  await run(provider, id, FILL, [folder, String(dataMiB), LONG]);
}

/** The workspace's manifest, sorted, as lines (see MANIFEST). */
export async function workspaceManifest(provider: Provider, id: string, folder: string): Promise<string[]> {
  const lines = (await run(provider, id, MANIFEST, [folder])).split('\n').filter((line) => line !== '');
  return lines.sort();
}

/** Every owner found in the folder, with one path that has it. */
export async function workspaceOwners(provider: Provider, id: string, folder: string): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (const line of (await run(provider, id, OWNERS, [folder])).split('\n').filter((entry) => entry !== '')) {
    const [owner = '', ...path] = line.split(' ');
    if (!owners.has(owner)) owners.set(owner, path.join(' '));
  }
  return owners;
}

/** The paths the fixture makes that a manifest must show, as a check that the fixture itself worked. */
export const FIXTURE_SAMPLES = [
  `dir\t./empty dir\t1777`,
  `dir\t./src/nested\t700`,
  `link\t./link-to-leaf\tsrc/nested/deeper/leaf.txt`,
  `link\t./dangling\t/nonexistent/target`,
  `link\t./link-to-dir\tdocs/ünïcödé`,
] as const;

export const FIXTURE_LONG_NAME = LONG;

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { compareManifests, readManifest, WorkspaceManifest, type ManifestEntry } from '../../src/core/workspaces/workspaceManifest';
import { makeTempDir } from '../support/tempDir';

const LONG = 'l'.repeat(120);

/** A folder with what a manifest must see: modes, empty folders, symlinks (one dangling), a hard link, long and unicode names. */
function fillFolder(root: string): void {
  mkdirSync(join(root, 'src/nested'), { recursive: true });
  mkdirSync(join(root, 'empty dir'));
  mkdirSync(join(root, 'docs/ünïcödé'), { recursive: true });
  mkdirSync(join(root, 'long', LONG), { recursive: true });
  writeFileSync(join(root, 'src/hello.txt'), 'hello\n');
  writeFileSync(join(root, 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(root, 'run.sh'), 0o755);
  writeFileSync(join(root, 'private.key'), 'secret\n');
  chmodSync(join(root, 'private.key'), 0o600);
  chmodSync(join(root, 'empty dir'), 0o1777);
  writeFileSync(join(root, 'docs/ünïcödé/a file ✓.md'), 'unicode\n');
  writeFileSync(join(root, 'long', LONG, `${LONG}.txt`), 'long\n');
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 17, 7));
  writeFileSync(join(root, 'empty.txt'), '');
  symlinkSync('src/hello.txt', join(root, 'link'));
  symlinkSync('/nonexistent/target', join(root, 'dangling'));
  linkSync(join(root, 'src/hello.txt'), join(root, 'hard.txt'));
}

/** What the folder holds, read with the file system: the truth a manifest of its archive must equal. */
function manifestOfFolder(root: string, relative = '.'): Map<string, Omit<ManifestEntry, 'mtime'>> {
  const entries = new Map<string, Omit<ManifestEntry, 'mtime'>>();
  const path = relative === '.' ? root : join(root, relative);
  const stat = lstatSync(path);
  const mode = stat.mode & 0o7777;
  if (stat.isSymbolicLink()) entries.set(relative, { path: relative, type: 'symlink', mode, size: 0, target: readlinkSync(path) });
  else if (stat.isDirectory()) {
    entries.set(relative, { path: relative, type: 'directory', mode, size: 0 });
    for (const name of readdirSync(path)) for (const [key, value] of manifestOfFolder(root, relative === '.' ? name : `${relative}/${name}`)) entries.set(key, value);
  } else entries.set(relative, { path: relative, type: 'file', mode, size: stat.size, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') });
  return entries;
}

function tar(argv: string[], cwd: string): Readable {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  return child.stdout;
}

describe('workspace manifest from a tar stream', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir('remote-swarm-manifest-');
    fillFolder(temp.path);
  });
  afterEach(() => temp.remove());

  for (const [label, argv] of [
    ['GNU tar, GNU format (long-name entries)', ['tar', '--format=gnu', '-c', '-f', '-', '.']],
    ['GNU tar, PAX format', ['tar', '--format=pax', '-c', '-f', '-', '.']],
    ['BusyBox tar', ['busybox', 'tar', '-c', '-f', '-', '.']],
  ] as const) {
    it(`equals what the file system holds: ${label}`, async () => {
      const manifest = await readManifest(tar([...argv], temp.path));
      const expected = manifestOfFolder(temp.path);
      const actual = new Map([...manifest.entries].map(([path, { mtime: _mtime, ...rest }]) => [path, rest]));
      assert.deepEqual(actual, expected);
      assert.equal(manifest.get(`long/${LONG}/${LONG}.txt`)?.size, 5);
      assert.equal(manifest.get('empty dir')?.mode, 0o1777);
      assert.equal(manifest.get('hard.txt')?.sha256, manifest.get('src/hello.txt')?.sha256, 'a hard link has its target\'s content');
      assert.deepEqual(manifest.totals(), { files: 8, directories: 8, symlinks: 2, bytes: 3 * 1024 * 1024 + 17 + 6 + 10 + 7 + 8 + 5 + 6 });
    });
  }

  it('finds each kind of difference, and none between a manifest and its JSON', async () => {
    const before = await readManifest(tar(['tar', '-c', '-f', '-', '.'], temp.path));
    assert.deepEqual(compareManifests(before, WorkspaceManifest.fromJSON(JSON.parse(JSON.stringify(before.toJSON())))), []);
    writeFileSync(join(temp.path, 'src/hello.txt'), 'HELLO\n');
    chmodSync(join(temp.path, 'run.sh'), 0o700);
    writeFileSync(join(temp.path, 'new.txt'), 'new');
    const after = await readManifest(tar(['tar', '--exclude=./private.key', '-c', '-f', '-', '.'], temp.path));
    assert.deepEqual(
      compareManifests(before, after).map(({ path, kind }) => [path, kind]),
      [
        ['hard.txt', 'content'],
        ['new.txt', 'unexpected'],
        ['private.key', 'missing'],
        ['run.sh', 'mode'],
        ['src/hello.txt', 'content'],
      ],
    );
  });

  it('fails on an archive cut short rather than giving part of a manifest', async () => {
    const whole: Buffer[] = [];
    for await (const chunk of tar(['tar', '-c', '-f', '-', '.'], temp.path)) whole.push(chunk as Buffer);
    const archive = Buffer.concat(whole);
    const { Readable } = await import('node:stream');
    await assert.rejects(readManifest(Readable.from([archive.subarray(0, 1024 * 1024 + 100)])), /ends in the middle of an entry/);
    await assert.rejects(readManifest(Readable.from([Buffer.from('not a tar archive at all'.padEnd(2048, '!'))])), /not a tar archive/);
  });
});

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';
import { reownArchive } from '../../src/core/workspaces/tarOwner';

async function archiveOf(entries: readonly { header: Parameters<ReturnType<typeof tarPack>['entry']>[0]; content?: string }[]): Promise<Buffer> {
  const pack = tarPack();
  for (const { header, content } of entries) pack.entry(header, content ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function entriesOf(archive: Readable): Promise<{ header: Header; content: string }[]> {
  const extract = tarExtract();
  archive.once('error', (error) => extract.destroy(error));
  archive.pipe(extract);
  const entries: { header: Header; content: string }[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.push({ header: entry.header, content: Buffer.concat(chunks).toString('utf8') });
  }
  return entries;
}

describe('reownArchive (tar headers rewritten in place)', () => {
  it('gives every entry the new owner and keeps names, modes, times, links and content byte for byte', async () => {
    const mtime = new Date(1_700_000_000_000);
    const long = `deep/${'n'.repeat(150)}/é-file.txt`;
    const source = await archiveOf([
      { header: { name: './', type: 'directory', mode: 0o755, uid: 1000, gid: 1000, uname: 'alice', gname: 'staff', mtime } },
      { header: { name: './a.txt', mode: 0o640, uid: 1000, gid: 1000, uname: 'alice', gname: 'staff', mtime }, content: 'x'.repeat(1500) },
      { header: { name: long, mode: 0o600, uid: 3_000_000, gid: 1000, uname: 'a-user-name-longer-than-thirty-two-characters', mtime }, content: 'long' },
      { header: { name: './link', type: 'symlink', linkname: 'a.txt', mode: 0o777, uid: 1000, gid: 1000, mtime } },
      { header: { name: './empty', mode: 0o4755, uid: 1000, gid: 1000, mtime }, content: '' },
    ]);
    const entries = await entriesOf(reownArchive(Readable.from([source.subarray(0, 700), source.subarray(700)]), { uid: 33, gid: 44 }));
    assert.deepEqual(
      entries.map(({ header, content }) => [header.name, header.type, header.mode, header.uid, header.gid, header.uname, header.gname, header.linkname ?? null, header.mtime?.getTime(), content.length]),
      [
        ['./', 'directory', 0o755, 33, 44, '', '', null, mtime.getTime(), 0],
        ['./a.txt', 'file', 0o640, 33, 44, '', '', null, mtime.getTime(), 1500],
        [long, 'file', 0o600, 33, 44, '', '', null, mtime.getTime(), 4],
        ['./link', 'symlink', 0o777, 33, 44, '', '', 'a.txt', mtime.getTime(), 0],
        ['./empty', 'file', 0o4755, 33, 44, '', '', null, mtime.getTime(), 0],
      ],
    );
    assert.equal(entries[1]!.content, 'x'.repeat(1500));
  });

  it('fails when the source is not a tar archive, and stops reading the source when its reader goes away', async () => {
    await assert.rejects(entriesOf(reownArchive(Readable.from([Buffer.alloc(512, 7)]), { uid: 1, gid: 1 })), /checksum/);
    const source = new Readable({ read() {} });
    const reowned = reownArchive(source, { uid: 1, gid: 1 });
    reowned.destroy();
    await new Promise((resolve) => source.once('close', resolve));
    assert.equal(source.destroyed, true);
  });
});

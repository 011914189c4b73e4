import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BatchedWriter } from './streamWrite';
import { BLOCK, TarReader, ZERO_BLOCKS } from './tarReader';

/** A numeric owner, as tar headers give it. */
export interface Owner {
  uid: number;
  gid: number;
}

/** PAX records that name an owner: they would override the header's. */
const OWNER_RECORDS = new Set(['uid', 'gid', 'uname', 'gname']);

/**
 * The same archive with every entry owned by `owner`, its bytes otherwise as they came: only the header blocks are
 * rewritten (uid, gid, no owner names, the checksum), content passes through untouched, so this costs little more
 * than the copy itself. PAX records naming an owner are dropped. Destroying the result destroys the source; a failing
 * source fails the result.
 */
export function reownArchive(archive: Readable, owner: Owner): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const batch = new BatchedWriter(out);
  const reader = new TarReader({
    entry: async (entry, raw) => {
      for (const block of reownedHeader(raw, owner)) await batch.write(block);
      if (entry.size === 0) return undefined;
      return {
        data: (chunk) => batch.write(chunk),
        end: () => {
          const padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
          if (padding > 0) return batch.write(ZERO_BLOCKS.subarray(0, padding));
        },
      };
    },
    finish: async () => {
      await batch.write(ZERO_BLOCKS);
      await batch.end();
    },
  });
  out.on('close', () => {
    // The consumer stopped before the end: nothing more is wanted from the source.
    if (!out.writableEnded) archive.destroy();
  });
  if (archive.errored) out.destroy(archive.errored);
  else if (archive.destroyed) out.destroy(new Error('the archive was closed before it was read'));
  else pipeline(archive, reader).catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

/** An entry's raw header blocks (PAX or GNU long-name entries first, then its header) with the owner replaced. */
function reownedHeader(raw: readonly Buffer[], owner: Owner): Buffer[] {
  const bytes = Buffer.concat(raw);
  const blocks: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length - BLOCK) {
    // A PAX or long-name entry: its header, then its content padded to whole blocks.
    const header = bytes.subarray(offset, offset + BLOCK);
    const size = parseInt(header.toString('latin1', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
    const length = BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    const flag = String.fromCharCode(header[156]!);
    blocks.push(flag === 'x' ? paxWithoutOwner(header, bytes.subarray(offset + BLOCK, offset + BLOCK + size)) : bytes.subarray(offset, offset + length));
    offset += length;
  }
  blocks.push(withOwner(Buffer.from(bytes.subarray(offset, offset + BLOCK)), owner));
  return blocks;
}

function withOwner(header: Buffer, { uid, gid }: Owner): Buffer {
  header.write(`${uid.toString(8).padStart(7, '0')}\0`, 108, 8, 'latin1');
  header.write(`${gid.toString(8).padStart(7, '0')}\0`, 116, 8, 'latin1');
  header.fill(0, 265, 265 + 64);
  return withChecksum(header);
}

/** A PAX entry without the records naming an owner (its size and checksum written again). */
function paxWithoutOwner(header: Buffer, content: Buffer): Buffer {
  const kept: Buffer[] = [];
  let offset = 0;
  while (offset < content.length) {
    const space = content.indexOf(0x20, offset);
    const length = space === -1 ? NaN : parseInt(content.toString('latin1', offset, space), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = content.subarray(offset, offset + length);
    const key = content.toString('utf8', space + 1, content.indexOf(0x3d, space));
    if (!OWNER_RECORDS.has(key)) kept.push(record);
    offset += length;
  }
  const records = Buffer.concat(kept);
  const newHeader = Buffer.from(header);
  newHeader.write(`${records.length.toString(8).padStart(11, '0')}\0`, 124, 12, 'latin1');
  const padded = Buffer.alloc(Math.ceil(records.length / BLOCK) * BLOCK);
  records.copy(padded);
  return Buffer.concat([withChecksum(newHeader), padded]);
}

function withChecksum(header: Buffer): Buffer {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += header[i]!;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return header;
}

import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';
import type { Owner } from '../../core/workspaces/tarOwner';

/** PAX records that name an entry or its link target. */
const NAME_RECORDS = new Set(['path', 'linkpath']);

/**
 * Who owns a folder in a container (its first archive entry is the folder itself), without exec, so it works on a
 * stopped container too. Only the first header is read; the rest of the archive is abandoned.
 */
export async function folderOwner(container: Docker.Container, path: string, signal?: AbortSignal): Promise<Owner> {
  const archive = (await container.getArchive({ path, ...(signal ? { abortSignal: signal } : {}) })) as Readable;
  const extract = tarExtract();
  try {
    return await new Promise<Owner>((resolve, reject) => {
      extract.once('entry', (header) => resolve({ uid: header.uid, gid: header.gid }));
      extract.once('error', reject);
      extract.once('finish', () => reject(new Error(`the archive of ${path} is empty`)));
      archive.once('error', reject);
      archive.pipe(extract);
    });
  } finally {
    archive.unpipe(extract);
    archive.destroy();
    extract.destroy();
  }
}

/** A small text file of a container (running or not) through the archive API; undefined when it does not exist. */
export async function readContainerFile(container: Docker.Container, path: string, signal?: AbortSignal): Promise<string | undefined> {
  let archive: Readable;
  try {
    archive = (await container.getArchive({ path, ...(signal ? { abortSignal: signal } : {}) })) as Readable;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
  const extract = tarExtract();
  archive.once('error', (error) => extract.destroy(error));
  archive.pipe(extract);
  const chunks: Buffer[] = [];
  for await (const entry of extract) {
    for await (const chunk of entry) chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One file in a new folder, both owned by `owner` and private to it (0700, 0600), as a tar archive. */
export async function privateFileArchive(folder: string, file: string, content: string, { uid, gid }: Owner): Promise<Buffer> {
  const pack = tarPack();
  pack.entry({ name: `${folder}/`, type: 'directory', mode: 0o700, uid, gid });
  pack.entry({ name: `${folder}/${file}`, mode: 0o600, uid, gid }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function withoutRecords(pax: Header['pax'], dropped: ReadonlySet<string>): Header['pax'] {
  const records = typeof pax === 'object' && pax !== null ? Object.entries(pax).filter(([key]) => !dropped.has(key)) : [];
  return records.length > 0 ? Object.fromEntries(records) : null;
}

/**
 * Chosen entries of a folder as one archive named as the folder's own would be (`./src/main.ts`): one archive request
 * per path, whose entries the engine names after the path's last element, renamed and concatenated. A path that does
 * not exist is left out.
 */
export function archiveOfPaths(container: Docker.Container, folder: string, paths: readonly string[], signal?: AbortSignal): Readable {
  const pack = tarPack();
  const out = new PassThrough();
  pack.on('error', (error) => out.destroy(error));
  out.on('close', () => pack.destroy());
  pack.pipe(out);
  const addAll = async () => {
    for (const path of paths) {
      if (out.destroyed) return;
      let archive: Readable;
      try {
        archive = (await container.getArchive({ path: `${folder.replace(/\/+$/, '')}/${path}`, ...(signal ? { abortSignal: signal } : {}) })) as Readable;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) continue;
        throw error;
      }
      const parent = path.includes('/') ? `./${path.slice(0, path.lastIndexOf('/'))}/` : './';
      const extract = tarExtract();
      archive.once('error', (error) => extract.destroy(error));
      archive.pipe(extract);
      for await (const entry of extract) {
        // The engine's PAX records name the entry as it named it: the new name is written instead.
        const header = { ...entry.header, name: `${parent}${entry.header.name}`, pax: withoutRecords(entry.header.pax, NAME_RECORDS) };
        if (header.type === 'link' && header.linkname) header.linkname = `${parent}${header.linkname}`;
        await new Promise<void>((resolve, reject) => entry.pipe(pack.entry(header, (error) => (error ? reject(error) : resolve()))));
      }
    }
    pack.finalize();
  };
  addAll().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

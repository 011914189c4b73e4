import { PassThrough, Readable, pipeline } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import * as z from 'zod';
import { mapConcurrently } from '../concurrency';
import type { CreateInstanceInput, SwarmController } from '../controller';
import { errorMessage, SwarmError } from '../errors';
import { instanceConfigSchema, type Instance, type InstanceConfig, type InstanceConfigOverrides } from '../models';
import type { Provider, WorkspaceTransfer } from '../provider';
import type { ProviderPool } from '../providerPool';
import { archiveKey, BACKUP_ROOT, backupId, idOfManifestKey, manifestKey, parseBackupId } from './backupNames';
import type { BackupStore } from './backupStore';
import { byteCounter, sha256Hasher } from './byteStreams';

/** Fast gzip: workspaces hold much that is compressed already, and the upload should not wait on the CPU. */
const GZIP_LEVEL = 1;
const MANIFEST_FORMAT = 'remote-swarm-backup/1';

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string(),
  createdAt: z.string(),
  instance: z.object({ id: z.string(), name: z.string(), provider: z.string(), config: instanceConfigSchema }),
  archive: z.object({ key: z.string(), compression: z.literal('gzip'), bytes: z.number(), sha256: z.string() }),
  /** The workspace's tar stream, before compression. */
  workspaceBytes: z.number(),
});

/** What a backup is: written last, beside its archive, so an archive without one is a backup that did not finish. */
export type BackupManifest = z.infer<typeof manifestSchema>;

export interface BytesProgress {
  /** Backing up: workspace bytes read from the instance. Restoring: archive bytes downloaded. */
  bytes: number;
  /** Known when restoring: the archive's size. */
  totalBytes?: number;
}

export interface BackupOperationOptions {
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  onBytes?: (progress: BytesProgress) => void;
}

export interface RestoreTarget {
  /** An instance to restore onto (stopped, unless `overwriteRunning`), or the name of a new one to make. */
  to: string;
  /** The user agreed to unpack into a running instance. */
  overwriteRunning?: boolean;
  /** For a new instance: the provider to make it on, by default the backed-up instance's; its configuration is the backed-up one. */
  provider?: string;
}

export interface RestoreResult {
  instance: Instance;
  /** A new instance was made for the restore. */
  created: boolean;
}

export interface BackupServiceDependencies {
  controller: SwarmController;
  providers: Pick<ProviderPool, 'describe'>;
  /** The store the settings and secrets describe; throws naming the setting or secret that is missing. */
  openStore: () => Promise<BackupStore>;
  now: () => Date;
}

/**
 * Backups of workspaces to S3-compatible storage: the provider's export streams through gzip into a multipart upload,
 * and a download streams through gunzip into the provider's import. Nothing is held whole in memory or on local disk.
 * Each backup or restore is one operation on its instance (no stop or delete meanwhile, here or in another process).
 */
export class BackupService {
  constructor(private readonly deps: BackupServiceDependencies) {}

  /** Backs the instance's workspace up (running or stopped); resolves with its manifest once both objects are stored. */
  async backUp(idOrName: string, options: BackupOperationOptions = {}): Promise<BackupManifest> {
    const { signal, onProgress, onBytes } = options;
    const store = await this.deps.openStore();
    return this.deps.controller.exclusive('back up', idOrName, async (instance, provider) => {
      const workspaces = transferOf(provider);
      const createdAt = this.deps.now();
      const id = backupId(instance.name, createdAt);
      onProgress?.(`Reading the workspace of "${instance.name}"`);
      const tar = await workspaces.exportWorkspace(instance.id, { signal });
      const counter = byteCounter((bytes) => onBytes?.({ bytes }));
      const hasher = sha256Hasher();
      const body = pipeline(tar, counter, createGzip({ level: GZIP_LEVEL }), hasher, () => undefined);
      onProgress?.(`Uploading ${id}`);
      const key = archiveKey(id);
      await store.put(key, body, { signal, contentType: 'application/gzip', metadata: { instance: instance.name, provider: instance.provider, 'created-at': createdAt.toISOString() } });
      const { sha256, bytes } = await hasher.digest;
      const manifest: BackupManifest = {
        format: MANIFEST_FORMAT,
        id,
        createdAt: createdAt.toISOString(),
        instance: { id: instance.id, name: instance.name, provider: instance.provider, config: instance.config },
        archive: { key, compression: 'gzip', bytes, sha256 },
        workspaceBytes: counter.bytes,
      };
      try {
        await store.put(manifestKey(id), Readable.from([Buffer.from(JSON.stringify(manifest, null, 2))]), { signal, contentType: 'application/json' });
      } catch (error) {
        await store.delete([key]).catch(() => undefined);
        throw error;
      }
      return manifest;
    });
  }

  /** The finished backups, of one instance (by name) or of all, newest first. */
  async list(instanceName?: string): Promise<BackupManifest[]> {
    const store = await this.deps.openStore();
    const prefix = instanceName === undefined ? BACKUP_ROOT : `${BACKUP_ROOT}${instanceName}/`;
    const ids = (await store.list(prefix)).flatMap(({ key }) => idOfManifestKey(key) ?? []);
    const manifests = await mapConcurrently(ids, 8, (id) => readManifest(store, id));
    return manifests.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** The manifest of one backup. */
  async get(id: string): Promise<BackupManifest> {
    parseBackupId(id);
    return readManifest(await this.deps.openStore(), id);
  }

  /** Removes a backup: its manifest first, so that it is never listed without its archive. */
  async delete(id: string): Promise<void> {
    parseBackupId(id);
    const store = await this.deps.openStore();
    await readManifest(store, id);
    await store.delete([manifestKey(id)]);
    await store.delete([archiveKey(id)]);
  }

  /**
   * Unpacks a backup over an existing instance's workspace (files not in the backup stay), or into a new instance made
   * for it, which is removed again if the restore fails or is cancelled. The archive's SHA-256 is checked as it streams.
   */
  async restore(id: string, target: RestoreTarget, options: BackupOperationOptions = {}): Promise<RestoreResult> {
    parseBackupId(id);
    const { controller } = this.deps;
    const store = await this.deps.openStore();
    const manifest = await readManifest(store, id);
    const existing = controller.list().find((instance) => instance.name === target.to);
    if (existing) {
      const instance = await controller.exclusive('restore', existing.id, async (instance, provider) => {
        if (instance.status !== 'stopped' && !target.overwriteRunning) {
          throw new SwarmError('CONFLICT', `Instance "${instance.name}" is ${instance.status}: stop it before restoring onto it, or confirm unpacking into the running instance.`, {
            details: { instance: instance.name, status: instance.status },
          });
        }
        await unpack(store, manifest, transferOf(provider), instance, options);
        return controller.get(instance.id);
      });
      return { instance, created: false };
    }
    const input = { ...recreation(manifest, target.provider ?? manifest.instance.provider), name: target.to };
    if (this.deps.providers.describe(input.provider)?.capabilities.workspaceTransfer !== true) throw cannotTransfer(input.provider);
    options.onProgress?.(`Creating "${target.to}" on ${input.provider}`);
    const made = await controller.create(input, { ...(options.signal ? { signal: options.signal } : {}) });
    try {
      await controller.exclusive('restore', made.id, (instance, provider) => unpack(store, manifest, transferOf(provider), instance, options));
    } catch (error) {
      await controller.delete(made.id, { keepWorkspace: false }).catch(() => undefined);
      throw error;
    }
    return { instance: controller.get(made.id), created: true };
  }
}

async function readManifest(store: BackupStore, id: string): Promise<BackupManifest> {
  let text: string;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(manifestKey(id))) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (SwarmError.is(error, 'INSTANCE_NOT_FOUND')) {
      throw new SwarmError('INSTANCE_NOT_FOUND', `No backup "${id}" is in the backup bucket (an unfinished one has no manifest); list them with Backups.`, { details: { backup: id } });
    }
    throw error;
  }
  const parsed = manifestSchema.safeParse(safeJson(text));
  if (!parsed.success) throw new SwarmError('OPERATION_FAILED', `The manifest of backup "${id}" is not one Remote Swarm can read: ${parsed.error.issues[0]?.message ?? 'not JSON'}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Download → SHA-256 → gunzip → the provider's import; the checksum is compared once the archive has been read whole. */
async function unpack(store: BackupStore, manifest: BackupManifest, workspaces: WorkspaceTransfer, instance: Instance, options: BackupOperationOptions): Promise<void> {
  const { signal, onProgress, onBytes } = options;
  onProgress?.(`Restoring ${manifest.id} into "${instance.name}"`);
  const download = await store.get(manifest.archive.key, { signal });
  const counter = byteCounter((bytes) => onBytes?.({ bytes, totalBytes: manifest.archive.bytes }));
  const hasher = sha256Hasher();
  const gunzip = createGunzip();
  const tar = new PassThrough();
  const read = new Promise<void>((resolve, reject) => pipeline(download, counter, hasher, gunzip, (error) => (error ? reject(error) : resolve())));
  read.catch((error: unknown) => tar.destroy(error instanceof Error ? error : new Error(String(error))));
  gunzip.pipe(tar);
  // An import may stop reading at the tar's end marker: what follows (padding, gzip's trailer) is read anyway, for the checksum.
  tar.once('close', () => {
    gunzip.unpipe(tar);
    gunzip.resume();
  });
  try {
    await workspaces.importWorkspace(instance.id, tar, { ...(signal ? { signal } : {}) });
    await read;
  } catch (error) {
    download.destroy();
    throw SwarmError.is(error) ? error : new SwarmError('OPERATION_FAILED', `Restoring ${manifest.id} into "${instance.name}" failed: ${errorMessage(error)}`, { cause: error });
  }
  const { sha256 } = await hasher.digest;
  if (sha256 !== manifest.archive.sha256) {
    throw new SwarmError('OPERATION_FAILED', `Backup ${manifest.id} is damaged: its archive's SHA-256 is ${sha256}, its manifest says ${manifest.archive.sha256}.`);
  }
}

/** A new instance like the backed-up one: its configuration, without its group or secret variables (no values for them). */
function recreation(manifest: BackupManifest, provider: string): Omit<CreateInstanceInput, 'name'> {
  const { name: _name, group: _group, groupRole: _role, groupWorkerTemplate: _workers, secretEnv: _secretEnv, ports, ...config }: InstanceConfig = manifest.instance.config;
  // A fixed host port would clash with the backed-up instance's while it exists.
  const overrides: InstanceConfigOverrides = { ...config, ports: ports.map(({ host: _host, ...port }) => port) };
  return { provider, overrides };
}

function transferOf(provider: Provider): WorkspaceTransfer {
  if (!provider.getCapabilities().workspaceTransfer || !provider.workspaces) throw cannotTransfer(provider.displayName);
  return provider.workspaces;
}

function cannotTransfer(provider: string): SwarmError {
  return new SwarmError('INVALID_CONFIG', `provider: ${provider} instances cannot export or import their workspace, so they cannot be backed up or restored.`, { details: { field: 'provider' } });
}

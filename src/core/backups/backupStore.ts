import type { Readable } from 'node:stream';

/** One object in backup storage. */
export interface StoredObject {
  key: string;
  size: number;
}

export interface StoreWriteOptions {
  /** The object's own metadata (S3 user metadata): short text values. */
  metadata?: Record<string, string>;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * Where backups are kept, in no SDK's terms (src/backup/s3BackupStore.ts is the S3 one). Keys are paths with "/". Every
 * failure is a SwarmError whose remedy names the setting or the secret to fix.
 */
export interface BackupStore {
  /**
   * Streams `body` into a new object; never holds more of it than a few parts in memory. On failure or cancel nothing
   * is left: a multipart upload is aborted before this rejects.
   */
  put(key: string, body: Readable, options?: StoreWriteOptions): Promise<void>;
  /** The object as a stream, read as it is downloaded. */
  get(key: string, options?: { signal?: AbortSignal }): Promise<Readable>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): Promise<StoredObject[]>;
  delete(keys: readonly string[]): Promise<void>;
}

/** Where backups go and how to reach it: settings remoteSwarm.backup.* and the two credentials in the secret store. */
export interface BackupStoreSettings {
  /** An S3-compatible endpoint URL; undefined for AWS S3 itself. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  /** Path-style addressing (endpoint/bucket/key), which most S3-compatible servers need. */
  pathStyle: boolean;
  /** The size of each part of a multipart upload. */
  partSizeBytes: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Opens the store the settings describe: front ends pass the S3 one (src/backup), loaded on first use. */
export type BackupStoreFactory = (settings: BackupStoreSettings) => Promise<BackupStore>;

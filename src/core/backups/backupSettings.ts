import * as z from 'zod';
import { SwarmError } from '../errors';
import type { ProviderSecret } from '../provider';
import type { SecretStore } from '../stores';
import type { BackupStoreSettings } from './backupStore';

/** The credentials of backup storage, kept in the secret store like a provider's token, so each front end offers to set them. */
export const BACKUP_SECRETS = {
  accessKeyId: { key: 'remoteSwarm.backup.accessKeyId', label: 'backup storage access key id', hint: 'the access key id of an S3 user (or an S3-compatible store\'s key) allowed to read and write the backup bucket' },
  secretAccessKey: { key: 'remoteSwarm.backup.secretAccessKey', label: 'backup storage secret access key', hint: 'the secret access key that goes with the backup access key id' },
} as const satisfies Record<string, ProviderSecret>;

const MiB = 1024 * 1024;
/** S3's smallest part (but the last); the default part size keeps a few parts in memory at once. */
const MIN_PART_MIB = 5;
const DEFAULT_PART_MIB = 8;

/** remoteSwarm.backup.* as written; a bad value of an optional setting reads as its default. */
const backupSettingsSchema = z.object({
  endpoint: z.string().trim().catch(''),
  bucket: z.string().trim().catch(''),
  region: z.string().trim().catch('').transform((region) => region || 'us-east-1'),
  pathStyle: z.boolean().catch(false),
  partSizeMiB: z.number().int().min(MIN_PART_MIB).catch(DEFAULT_PART_MIB),
});

/**
 * The store's settings and credentials, or an error naming what is missing: the bucket setting, a malformed endpoint,
 * or a credential (with the secret to set).
 */
export async function backupStoreSettings(section: unknown, secrets: SecretStore): Promise<BackupStoreSettings> {
  const raw = typeof section === 'object' && section !== null ? section : {};
  const { endpoint, bucket, region, pathStyle, partSizeMiB } = backupSettingsSchema.parse({ partSizeMiB: DEFAULT_PART_MIB, ...raw });
  if (!bucket) throw settingError('backup.bucket', 'no backup bucket is set: set remoteSwarm.backup.bucket to the S3 bucket that keeps backups');
  if (endpoint && !isHttpUrl(endpoint)) {
    throw settingError('backup.endpoint', `"${endpoint}" is not an http(s) URL: give the S3-compatible endpoint, e.g. "https://s3.eu-central-1.amazonaws.com", or leave it empty for AWS S3`);
  }
  const accessKeyId = (await secrets.get(BACKUP_SECRETS.accessKeyId.key))?.trim();
  const secretAccessKey = (await secrets.get(BACKUP_SECRETS.secretAccessKey.key))?.trim();
  if (!accessKeyId) throw missingSecret(BACKUP_SECRETS.accessKeyId);
  if (!secretAccessKey) throw missingSecret(BACKUP_SECRETS.secretAccessKey);
  return { endpoint: endpoint || undefined, bucket, region, pathStyle, partSizeBytes: partSizeMiB * MiB, credentials: { accessKeyId, secretAccessKey } };
}

export function settingError(setting: string, message: string, cause?: unknown): SwarmError {
  return new SwarmError('INVALID_CONFIG', `remoteSwarm.${setting}: ${message}`, { details: { field: setting }, remedy: { kind: 'setting', setting }, cause });
}

export function secretError(secret: ProviderSecret, message: string, cause?: unknown): SwarmError {
  return new SwarmError('AUTH_FAILED', message, { details: { secret: secret.key }, remedy: { kind: 'secret', secret: secret.key, label: secret.label }, cause });
}

function missingSecret(secret: ProviderSecret): SwarmError {
  return secretError(secret, `No ${secret.label} is stored: store ${secret.hint} (secret ${secret.key}).`);
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

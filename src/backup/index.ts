import type { BackupStoreFactory } from '../core/backups/backupStore';

/** The S3 store, loaded with its SDK only when a backup or restore first needs it (activation never parses the SDK). */
export const s3BackupStore: BackupStoreFactory = async (settings) => {
  const { S3BackupStore } = await import('./s3BackupStore');
  return new S3BackupStore(settings);
};

import { invalidConfig } from '../errors';
import { INSTANCE_NAME_PATTERN } from '../models';

/** Every key Remote Swarm writes starts with it, so a bucket can hold other things too. */
export const BACKUP_ROOT = 'remote-swarm-backups/';

/**
 * A backup's id is `<instance>/<time>`, e.g. `web/2026-11-30T08.22.14.123Z`: the instance's name and when it began
 * (UTC, sorting as text in time order). Its archive is `<root><id>.tar.gz`, its manifest `<root><id>.json`, written last.
 */
export function backupId(instanceName: string, at: Date): string {
  return `${instanceName}/${at.toISOString().replace(/:/g, '.')}`;
}

export function archiveKey(id: string): string {
  return `${BACKUP_ROOT}${id}.tar.gz`;
}

export function manifestKey(id: string): string {
  return `${BACKUP_ROOT}${id}.json`;
}

const ID_PATTERN = /^([a-z][a-z0-9-]*)\/(\d{4}-\d{2}-\d{2}T\d{2}\.\d{2}\.\d{2}\.\d{3}Z)$/;

/** The backup id of a manifest key, or undefined for any other key. */
export function idOfManifestKey(key: string): string | undefined {
  if (!key.startsWith(BACKUP_ROOT) || !key.endsWith('.json')) return undefined;
  const id = key.slice(BACKUP_ROOT.length, -'.json'.length);
  return ID_PATTERN.test(id) ? id : undefined;
}

/** Checks an id given by a user ("web/2026-…"), naming the field. */
export function parseBackupId(id: string, field = 'backup'): { instance: string; time: string } {
  const match = ID_PATTERN.exec(id.trim());
  if (!match || !INSTANCE_NAME_PATTERN.test(match[1]!)) {
    throw invalidConfig(field, `"${id}" is not a backup id; ids look like "web/2026-11-30T08.22.14.123Z" (list them with Backups)`);
  }
  return { instance: match[1]!, time: match[2]! };
}

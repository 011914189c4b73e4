import { invalidConfig } from '../../core/errors';

/** Apps of ours start with this; a test run uses its own prefix so it sees only its own apps. */
export const DEFAULT_APP_PREFIX = 'remote-swarm-';

/** Fly app names are DNS labels (they become <app>.fly.dev). */
const APP_NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Each instance's app is named from the instance id alone, so every operation finds its app without a lookup call.
 * App names are global across all of Fly: the random id keeps them unique where instance names would clash.
 */
export function flyAppName(prefix: string, instanceId: string): string {
  const name = `${prefix}${instanceId}`;
  if (!APP_NAME.test(name)) {
    throw invalidConfig('id', `"${instanceId}" cannot name a Fly.io app: "${name}" must be lower-case letters, digits and hyphens, at most 63 characters`);
  }
  return name;
}

export function isOurAppName(prefix: string, app: string): boolean {
  return app.startsWith(prefix);
}

export function flyAppUrl(app: string): string {
  return `https://${app}.fly.dev/`;
}

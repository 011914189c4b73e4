import { createHash } from 'node:crypto';
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

/**
 * The Machines API `network` of a group's apps: this installation's, so two users' groups of the same name never
 * share one. The owner id is shortened to a hash so the name stays a DNS label (at most 63 characters).
 */
export function flyNetworkName(prefix: string, owner: string, network: string): string {
  const name = `${ownedNetworkPrefix(prefix, owner)}${network}`;
  if (!APP_NAME.test(name)) {
    throw invalidConfig('network', `"${network}" cannot name a Fly.io network: "${name}" must be lower-case letters, digits and hyphens, at most 63 characters`);
  }
  return name;
}

/** The network's name as Remote Swarm knows it, when the Fly network is one of this installation's; otherwise undefined. */
export function ourNetworkName(prefix: string, owner: string, flyNetwork: string | undefined): string | undefined {
  const ours = ownedNetworkPrefix(prefix, owner);
  return flyNetwork?.startsWith(ours) ? flyNetwork.slice(ours.length) : undefined;
}

/** An app's host name on its organization's private network (6PN): it resolves to the app's started machines. */
export function flyInternalHost(app: string): string {
  return `${app}.internal`;
}

function ownedNetworkPrefix(prefix: string, owner: string): string {
  return `${prefix}${createHash('sha256').update(owner).digest('hex').slice(0, 10)}-`;
}

import { randomBytes } from 'node:crypto';
import type { KeyValueStore } from './stores';

export const INSTALLATION_ID_KEY = 'remoteSwarm.installationId';

/**
 * This installation's id: random, made the first time it is asked for and kept in the front end's state store. A
 * provider whose infrastructure others share (a Fly.io organization) marks what it makes with it, and takes only
 * what carries it as its own.
 */
export async function installationId(state: KeyValueStore): Promise<string> {
  const known = state.get<unknown>(INSTALLATION_ID_KEY);
  if (typeof known === 'string' && known !== '') return known;
  const made = randomBytes(8).toString('hex');
  await state.update(INSTALLATION_ID_KEY, made);
  return made;
}

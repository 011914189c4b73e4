import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from './jsonFileStore';
import { userStateDirectory } from './userStateDirectory';

/**
 * The owner id of this user's Remote Swarm, shared by every front end (the extension, the CLI, the MCP server) through
 * a 0600 file in the user's state folder: random, made the first time it is asked for. A provider whose infrastructure
 * others share (a Fly.io organization) marks what it makes with it, and takes only what carries it as its own, so one
 * user's front ends adopt each other's instances and a colleague's stay theirs.
 */
export function userOwnerId(directory: string = userStateDirectory()): string {
  const file = join(directory, 'owner-id');
  try {
    const known = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{16}$/.test(known)) return known;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const made = randomBytes(8).toString('hex');
  writeAtomically(file, `${made}\n`, 0o600);
  return made;
}

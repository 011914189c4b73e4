import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The per-user folder Remote Swarm keeps outside any editor: the CLI's state, and what every front end of this user
 * shares (the owner id). REMOTE_SWARM_STATE_DIR, else $XDG_STATE_HOME/remote-swarm, else ~/.remote-swarm.
 */
export function userStateDirectory(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return env.REMOTE_SWARM_STATE_DIR || (env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, 'remote-swarm') : join(home, '.remote-swarm'));
}

import { homedir } from 'node:os';
import { join } from 'node:path';
import { userStateDirectory } from '../core/userStateDirectory';

/** Where the CLI keeps its state, outside VS Code: the registry, secrets (0600) and the user's settings. */
export interface StateDirectory {
  root: string;
  /** Instances, cost ledger, SSH host list: the CLI's globalState. */
  stateFile: string;
  /** Passwords and tokens, readable only by the user. */
  secretsFile: string;
  /** The settings, by the keys the extension's remoteSwarm.* settings use ("docker.host", "maxInstances"). */
  settingsFile: string;
}

/** The user's state folder (userStateDirectory): REMOTE_SWARM_STATE_DIR, else $XDG_STATE_HOME/remote-swarm, else ~/.remote-swarm. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): StateDirectory {
  const root = userStateDirectory(env, home);
  return { root, stateFile: join(root, 'state.json'), secretsFile: join(root, 'secrets.json'), settingsFile: join(root, 'settings.json') };
}

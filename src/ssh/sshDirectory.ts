import { homedir } from 'node:os';
import { join } from 'node:path';
import { ALIAS_PREFIX } from './sshFileValues';

/** Where Remote Swarm keeps its SSH files, and the user's own files it reads (and, with consent, edits once). */
export interface SshDirectory {
  home: string;
  /** ~/.ssh/remote-swarm, mode 0700. */
  root: string;
  /** The managed ssh config: one Host block per instance. */
  configFile: string;
  /** Host keys of the instances, keyed by their alias. */
  knownHostsFile: string;
  /** Per-instance key pairs, private keys 0600. */
  keysDir: string;
  /** The user's ssh config, where the one Include line goes. */
  userConfigFile: string;
  /** The user's known_hosts files: read to recognise hosts the user already trusts. */
  userKnownHostsFiles: string[];
}

export function sshDirectory(home: string = homedir()): SshDirectory {
  const userDir = join(home, '.ssh');
  const root = join(userDir, 'remote-swarm');
  return {
    home,
    root,
    configFile: join(root, 'config'),
    knownHostsFile: join(root, 'known_hosts'),
    keysDir: join(root, 'keys'),
    userConfigFile: join(userDir, 'config'),
    userKnownHostsFiles: [join(userDir, 'known_hosts'), join(userDir, 'known_hosts2')],
  };
}

/** The ssh host name of an instance: what Remote-SSH connects to and what its host key is recorded under. */
export function hostAlias(instanceName: string): string {
  return `${ALIAS_PREFIX}${instanceName}`;
}

import type { SecretStore } from '../core/stores';
import { HostKeyTrust, type ConfirmHostKey } from './hostKeyTrust';
import { SecretKeyPassphrases, type AskPassphrase, type KeyPassphrases } from './keyPassphrases';
import { SshAccess } from './sshAccess';
import { sshDirectory, type SshDirectory } from './sshDirectory';

/** How a front end asks the user about SSH: a modal in VS Code, a prompt on a terminal, a refusal where nobody can answer. */
export interface SshPrompts {
  confirmHostKey: ConfirmHostKey;
  askPassphrase: AskPassphrase;
}

/** The SSH machinery the SSH provider and Remote-SSH connect share, over one directory of files. */
export interface SshToolkit {
  directory: SshDirectory;
  trust: HostKeyTrust;
  passphrases: KeyPassphrases;
  access: SshAccess;
}

export interface SshToolkitOptions {
  /** Where key passphrases are remembered once they unlock a key. */
  secrets: SecretStore;
  prompts: SshPrompts;
  /** The home whose ~/.ssh is used; default the user's. */
  home?: string;
}

/**
 * Host keys go to ~/.ssh/remote-swarm/known_hosts (checked with the user, fingerprint shown, on first use), key
 * passphrases to the secret store.
 */
export function createSshToolkit({ secrets, prompts, home }: SshToolkitOptions): SshToolkit {
  const directory = sshDirectory(home);
  const trust = new HostKeyTrust({ managedFile: directory.knownHostsFile, userFiles: directory.userKnownHostsFiles, confirm: prompts.confirmHostKey });
  return {
    directory,
    trust,
    passphrases: new SecretKeyPassphrases(secrets, prompts.askPassphrase),
    access: new SshAccess(directory, trust),
  };
}

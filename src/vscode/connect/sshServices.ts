import type * as vscode from 'vscode';
import { HostKeyTrust } from '../../ssh/hostKeyTrust';
import { SecretKeyPassphrases } from '../../ssh/keyPassphrases';
import { SshAccess } from '../../ssh/sshAccess';
import { sshDirectory, type SshDirectory } from '../../ssh/sshDirectory';
import type { SshProviderDependencies } from '../../providers/ssh/sshProvider';
import { MementoStore } from '../mementoStore';
import { SecretStorageStore } from '../secretStorageStore';
import { askPassphrase, confirmHostKey } from './sshPrompts';

/** The SSH machinery the extension shares between the SSH provider and Remote-SSH connect. */
export interface SshServices {
  directory: SshDirectory;
  access: SshAccess;
  provider: SshProviderDependencies;
}

/**
 * Host keys go to ~/.ssh/remote-swarm/known_hosts (checked with the user, fingerprint shown, on first use), key
 * passphrases to SecretStorage, the list of hosts (no secrets) to globalState.
 */
export function createSshServices(context: vscode.ExtensionContext): SshServices {
  const directory = sshDirectory();
  const trust = new HostKeyTrust({ managedFile: directory.knownHostsFile, userFiles: directory.userKnownHostsFiles, confirm: confirmHostKey });
  return {
    directory,
    access: new SshAccess(directory, trust),
    provider: {
      hosts: new MementoStore(context.globalState),
      trust,
      passphrases: new SecretKeyPassphrases(new SecretStorageStore(context.secrets), askPassphrase),
    },
  };
}

import * as vscode from 'vscode';
import type { HostKeyQuestion } from '../../ssh/hostKeyTrust';

const TRUST = 'Trust and Connect';
const ADD_INCLUDE = 'Add the Include Line';

/**
 * First contact with a host: shows its key's SHA256 fingerprint, as `ssh-keygen -lf` prints it on the host, and
 * trusts it only on an explicit yes. Never a blind accept: dismissing the dialog refuses the host.
 */
export async function confirmHostKey({ name, host, port, keyType, fingerprint }: HostKeyQuestion): Promise<boolean> {
  const where = port === 22 ? host : `${host} port ${port}`;
  const choice = await vscode.window.showWarningMessage(
    `Remote Swarm has not seen the SSH host "${name}" (${where}) before. Trust it?`,
    {
      modal: true,
      detail:
        `Its ${keyType} host key fingerprint is:\n\n${fingerprint}\n\n` +
        `Check it against the host's own before trusting it, e.g. on the host: ssh-keygen -lf /etc/ssh/ssh_host_${keyFileType(keyType)}_key.pub\n\n` +
        'Remote Swarm records the key and refuses the host if it ever presents another one.',
    },
    TRUST,
  );
  return choice === TRUST;
}

/** Asks for the passphrase of an encrypted key; Remote Swarm keeps it in SecretStorage once it unlocks the key. */
export async function askPassphrase(keyFile: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'SSH key passphrase',
    prompt: `The passphrase of ${keyFile} (kept in VS Code's secret storage once it unlocks the key)`,
    password: true,
    ignoreFocusOut: true,
  });
}

/** Remote-SSH reads the user's ssh config: may Remote Swarm add its one Include line there? */
export async function confirmInclude(userConfigFile: string, managedConfigFile: string): Promise<boolean> {
  const choice = await vscode.window.showInformationMessage(
    `Remote-SSH finds hosts in ${userConfigFile}. Add one line to it so that it finds Remote Swarm's instances?`,
    {
      modal: true,
      detail:
        `The line Include "${managedConfigFile}" goes at the top of the file, with a comment saying where it came from. ` +
        'The file is copied to a backup next to it first, and nothing else in it changes. Remote Swarm never edits it again.',
    },
    ADD_INCLUDE,
  );
  return choice === ADD_INCLUDE;
}

/** The name part of the host key file sshd keeps for a key type. */
function keyFileType(keyType: string): string {
  if (keyType.startsWith('ecdsa')) return 'ecdsa';
  if (keyType.includes('ed25519')) return 'ed25519';
  return 'rsa';
}

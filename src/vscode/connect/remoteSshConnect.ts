import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SwarmController } from '../../core/controller';
import type { Instance } from '../../core/models';
import { ensureManagedConfigIncluded } from '../../ssh/userSshConfigInclude';
import { runOperation } from '../operationProgress';
import { ensureCompanionExtension, REMOTE_SSH } from './companionExtensions';
import { sshRemoteUri } from './remoteUris';
import type { SshToolkit } from '../../ssh/sshToolkit';
import { confirmInclude } from './sshPrompts';

export interface RemoteSshDependencies {
  controller: SwarmController;
  ssh: SshToolkit;
  log: vscode.LogOutputChannel;
}

/**
 * Opens the instance's workspace in a new window through Remote-SSH (or open-remote-ssh in VSCodium): prepares its
 * Host block (and key) in Remote Swarm's ssh config, makes sure the user's ssh config includes that file (only with
 * the user's consent), then opens vscode-remote://ssh-remote+remote-swarm.<name><workspace>.
 */
export async function connectRemoteSsh(instance: Instance, deps: RemoteSshDependencies): Promise<void> {
  const { controller, ssh, log } = deps;
  if (!(await ensureCompanionExtension(REMOTE_SSH, `Connecting to "${instance.name}" via Remote-SSH`))) return;
  const alias = await runOperation(log, {
    title: `Preparing SSH access to "${instance.name}"`,
    failure: `Could not prepare SSH access to "${instance.name}"`,
    run: async () => ssh.access.prepare(instance, (await controller.endpoints(instance.id)).ssh, (argv) => controller.exec(instance.id, argv)),
    retry: () => connectRemoteSsh(instance, deps),
  });
  if (alias === undefined) return;

  const { configFile, home } = ssh.directory;
  const userConfigFile = remoteSshConfigFile(home) ?? ssh.directory.userConfigFile;
  const included = await ensureManagedConfigIncluded({ userConfigFile, configFile, home }, () => confirmInclude(userConfigFile, configFile));
  if (included.outcome === 'declined') {
    void vscode.window.showInformationMessage(
      `Remote-SSH cannot find "${alias}" until ${userConfigFile} includes ${configFile}. Connect again to be asked again, or add the line Include "${configFile}" at its top yourself.`,
    );
    return;
  }
  if (included.outcome === 'added') log.info(`Added an Include of ${configFile} to ${userConfigFile}${included.backup ? `; the previous file is saved as ${included.backup}` : ''}`);
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.parse(sshRemoteUri(alias, instance.config.workspacePath)), { forceNewWindow: true });
}

/** Remote-SSH's (and open-remote-ssh's) remote.SSH.configFile setting: the ssh config it reads instead of ~/.ssh/config. */
function remoteSshConfigFile(home: string): string | undefined {
  const setting = vscode.workspace.getConfiguration('remote.SSH').get<string>('configFile');
  if (!setting) return undefined;
  return setting.startsWith('~/') ? join(home, setting.slice(2)) : setting;
}

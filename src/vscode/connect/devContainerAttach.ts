import * as vscode from 'vscode';
import type { Instance } from '../../core/models';
import { containerName } from '../../providers/docker/dockerContainerSpec';
import { DEV_CONTAINERS, ensureCompanionExtension } from './companionExtensions';
import { attachedContainerUri } from './remoteUris';

/**
 * Opens a new VS Code window attached to the instance's container through the Dev Containers extension, in its
 * workspace folder. `dockerHost` (remoteSwarm.docker.host) tells Dev Containers which engine runs it.
 */
export async function attachVsCode(instance: Instance, dockerHost: string | undefined): Promise<void> {
  if (!(await ensureCompanionExtension(DEV_CONTAINERS, `Attaching VS Code to "${instance.name}"`))) return;
  const uri = attachedContainerUri(containerName(instance.config), instance.config.workspacePath, dockerHost);
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.parse(uri), { forceNewWindow: true });
}

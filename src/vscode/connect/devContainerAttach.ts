import * as vscode from 'vscode';
import { SwarmError } from '../../core/errors';
import type { Instance } from '../../core/models';
import type { ContainerReference } from '../../core/provider';
import { DEV_CONTAINERS, ensureCompanionExtension } from './companionExtensions';
import { attachedContainerUri } from './remoteUris';

/**
 * Opens a new VS Code window attached to the instance's container through the Dev Containers extension, in its
 * workspace folder. The container's engine, when not the default, tells Dev Containers where it runs.
 */
export async function attachVsCode(instance: Instance, container: ContainerReference | undefined): Promise<void> {
  if (container === undefined) throw new SwarmError('CONFLICT', `"${instance.name}" runs in no container that Dev Containers can attach to.`);
  if (!(await ensureCompanionExtension(DEV_CONTAINERS, `Attaching VS Code to "${instance.name}"`))) return;
  const uri = attachedContainerUri(container.name, instance.config.workspacePath, container.engineHost);
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.parse(uri), { forceNewWindow: true });
}

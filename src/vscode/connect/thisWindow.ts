import * as vscode from 'vscode';
import type { SwarmController } from '../../core/controller';
import type { Instance } from '../../core/models';
import { instanceOfWindow } from './remoteWindow';

/**
 * The instance this window is connected to, if it is one of Remote Swarm's. Where a window is connected stays the same
 * for its life; which instances are registered does not, so each call looks again.
 */
export function thisWindowsInstance(controller: SwarmController): () => Instance | undefined {
  const remote = { remoteName: vscode.env.remoteName, authority: (vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.workspace.workspaceFile)?.authority };
  return () => instanceOfWindow(remote, controller.list());
}

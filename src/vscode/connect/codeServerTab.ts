import * as vscode from 'vscode';
import type { Instance } from '../../core/models';
import { externalIdeUri } from '../browserAccess';

/** Opens the instance's code-server in a VS Code tab (the built-in Simple Browser), through asExternalUri like Open in Browser. */
export async function openInVsCodeTab(instance: Instance): Promise<void> {
  const url = await externalIdeUri(instance);
  await vscode.commands.executeCommand('simpleBrowser.show', url.toString(true));
}

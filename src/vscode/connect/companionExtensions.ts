import * as vscode from 'vscode';

/** An extension Remote Swarm hands a connection to, and where to get it. */
export interface CompanionExtension {
  /** Any of these ids will do (e.g. Remote-SSH, or open-remote-ssh in VSCodium). */
  ids: readonly string[];
  /** The one to install when none is: for VS Code, and for VSCodium (Open VSX). */
  install: { vscode: string; vscodium: string };
  displayName: string;
}

export const DEV_CONTAINERS: CompanionExtension = {
  ids: ['ms-vscode-remote.remote-containers'],
  install: { vscode: 'ms-vscode-remote.remote-containers', vscodium: 'ms-vscode-remote.remote-containers' },
  displayName: 'Dev Containers',
};

export const REMOTE_SSH: CompanionExtension = {
  ids: ['ms-vscode-remote.remote-ssh', 'jeanp413.open-remote-ssh'],
  install: { vscode: 'ms-vscode-remote.remote-ssh', vscodium: 'jeanp413.open-remote-ssh' },
  displayName: 'Remote - SSH',
};

const INSTALL = 'Install';

/**
 * True when one of the extension's ids is installed. Otherwise says what `purpose` needs, offering Install; true once
 * it is installed, false when the user does not install it.
 */
export async function ensureCompanionExtension(extension: CompanionExtension, purpose: string): Promise<boolean> {
  if (extension.ids.some((id) => vscode.extensions.getExtension(id) !== undefined)) return true;
  const id = /vscodium/i.test(vscode.env.appName) ? extension.install.vscodium : extension.install.vscode;
  const choice = await vscode.window.showInformationMessage(`${purpose} needs the ${extension.displayName} extension (${id}), which is not installed.`, INSTALL);
  if (choice !== INSTALL) return false;
  await vscode.commands.executeCommand('workbench.extensions.installExtension', id);
  return true;
}

import * as vscode from 'vscode';
import type { Disposable } from '../core/events';
import type { SettingsSource } from '../core/settings';
import { readSetting, readWorkspaceAddition, WORKSPACE_ADDITIONS } from './layeredConfiguration';

const SECTION = 'remoteSwarm';

const configuration = () => vscode.workspace.getConfiguration(SECTION);

/**
 * The remoteSwarm.* settings from VS Code's configuration; every read sees the current value. User-only settings come
 * from the user's settings whatever the workspace holds; templates from a workspace only once it is trusted.
 */
export const vscodeSettings: SettingsSource = {
  get: (key) => readSetting(configuration(), key),
  fromWorkspace: (key) => readWorkspaceAddition(configuration(), key, vscode.workspace.isTrusted),
  onDidChange(listener): Disposable {
    const changes = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) listener((key) => event.affectsConfiguration(`${SECTION}.${key}`));
    });
    const trust = vscode.workspace.onDidGrantWorkspaceTrust(() => listener((key) => WORKSPACE_ADDITIONS.includes(key)));
    return { dispose: () => [changes, trust].forEach((subscription) => subscription.dispose()) };
  },
};

import * as vscode from 'vscode';
import type { Disposable } from '../core/events';
import type { SettingsSource } from '../core/settings';

const SECTION = 'remoteSwarm';

/** The remoteSwarm.* settings from VS Code's configuration; every read sees the current value. */
export const vscodeSettings: SettingsSource = {
  get: (key) => vscode.workspace.getConfiguration(SECTION).get<unknown>(key),
  onDidChange(listener): Disposable {
    return vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) listener((key) => event.affectsConfiguration(`${SECTION}.${key}`));
    });
  },
};

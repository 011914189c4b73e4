import * as vscode from 'vscode';
import type { ProviderPool } from '../core/providerPool';
import { FLY_TOKEN_SECRET_KEY } from '../providers/fly';
import { COMMANDS } from './contributions';
import type { InstanceRefresher } from './instanceRefresher';

/** "Set Fly.io API Token": asks for the token and keeps it in SecretStorage only; an empty answer removes it. */
export function registerFlyTokenCommand(secrets: vscode.SecretStorage, pool: ProviderPool, refresher: InstanceRefresher): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.setFlyApiToken, async () => {
    const token = await vscode.window.showInputBox({
      title: 'Remote Swarm: Fly.io API Token',
      prompt: 'A token from `fly tokens create org` (or `fly auth token`). It is kept in VS Code SecretStorage. Leave empty to remove the stored token.',
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return;
    if (token.trim() === '') await secrets.delete(FLY_TOKEN_SECRET_KEY);
    else await secrets.store(FLY_TOKEN_SECRET_KEY, token.trim());
    pool.reset();
    void vscode.window.setStatusBarMessage(token.trim() === '' ? 'Remote Swarm: Fly.io token removed' : 'Remote Swarm: Fly.io token saved', 5000);
    await refresher.refresh();
  });
}

import * as vscode from 'vscode';
import type { ProviderSecret } from '../core/provider';
import type { Swarm } from '../core/swarm';

/**
 * Asks for a provider's secret (e.g. the Fly.io API token) and keeps it in SecretStorage only; an empty answer removes
 * it. Providers made with the old value are dropped and the instances refreshed.
 */
export async function askProviderSecret(secret: ProviderSecret, secrets: vscode.SecretStorage, swarm: Pick<Swarm, 'providers' | 'refresher'>): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: `Remote Swarm: ${secret.label}`,
    prompt: `${capitalized(secret.hint)}. It is kept in VS Code SecretStorage. Leave empty to remove the stored ${secret.label}.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value.trim() === '') await secrets.delete(secret.key);
  else await secrets.store(secret.key, value.trim());
  swarm.providers.reset();
  void vscode.window.setStatusBarMessage(`Remote Swarm: ${secret.label} ${value.trim() === '' ? 'removed' : 'saved'}`, 5000);
  await swarm.refresher.refresh();
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

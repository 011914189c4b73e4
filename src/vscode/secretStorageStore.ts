import type * as vscode from 'vscode';
import type { SecretStore } from '../core/stores';

/** The core's SecretStore over VS Code SecretStorage (the OS keychain where there is one). */
export class SecretStorageStore implements SecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(key: string): Promise<string | undefined> {
    return this.secrets.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    await this.secrets.store(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.secrets.delete(key);
  }
}

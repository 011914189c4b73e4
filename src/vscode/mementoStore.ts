import type * as vscode from 'vscode';
import type { KeyValueStore } from '../core/stores';

/** The registry's KeyValueStore over a VS Code Memento (the extension's globalState). */
export class MementoStore implements KeyValueStore {
  constructor(private readonly memento: vscode.Memento) {}

  get<T>(key: string): T | undefined {
    return this.memento.get<T>(key);
  }

  async update(key: string, value: unknown): Promise<void> {
    await this.memento.update(key, value);
  }

  keys(): readonly string[] {
    return this.memento.keys();
  }
}

import * as vscode from 'vscode';

const SECTION = 'remoteSwarm';

/** Typed reader of the remoteSwarm.* settings; every read sees the current value. Defaults live in package.json. */
export class SwarmSettings {
  get defaultProvider(): string {
    return this.read('defaultProvider', 'docker');
  }

  get maxInstances(): number {
    return this.read('maxInstances', 10);
  }

  /** Seconds between automatic refreshes while the view is visible; 0 turns them off. */
  get refreshIntervalSeconds(): number {
    return Math.max(0, this.read('refreshInterval', 30));
  }

  /** The user's templates as written in settings; loadTemplates validates them. */
  get templates(): unknown {
    return this.read<unknown>('templates', []);
  }

  /** The image for instances whose template names none. */
  get defaultImage(): string {
    return this.read('docker.defaultImage', 'codercom/code-server:4.100.3');
  }

  /** A provider's own settings, remoteSwarm.<type>.* (for Docker: host, defaultImage), as its constructor reads them. */
  providerSettings(type: string): Record<string, unknown> {
    return { ...this.read<Record<string, unknown>>(type, {}) };
  }

  /** Fires with a test for which remoteSwarm.* settings changed, e.g. `changed('docker')`, `changed('templates')`. */
  onDidChange(listener: (changed: (setting: string) => boolean) => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) listener((setting) => event.affectsConfiguration(`${SECTION}.${setting}`));
    });
  }

  private read<T>(key: string, fallback: T): T {
    return vscode.workspace.getConfiguration(SECTION).get<T>(key) ?? fallback;
  }
}

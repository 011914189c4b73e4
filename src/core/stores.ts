/** Where the registry keeps its data: VS Code globalState in the extension, a JSON file in tests and the CLI. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Promise<void>;
  keys(): readonly string[];
}

/** Where secrets live: VS Code SecretStorage in the extension, a 0600 file in tests and the CLI. Never in a KeyValueStore. */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export function instancePasswordKey(instanceId: string): string {
  return `remoteSwarm.instance.${instanceId}.password`;
}

/** Where the registry keeps its data: VS Code globalState in the extension, a JSON file in tests and the CLI. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Promise<void>;
  keys(): readonly string[];
  /**
   * Replaces a key's value with what `change` makes of its current value, with no other writer in between: where other
   * processes share the store (the CLI's file), `change` sees their latest write. Stores with one writer leave it out.
   */
  transact?<T>(key: string, change: (current: T | undefined) => unknown): Promise<void>;
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

/** The value of one of an instance's secretEnv variables. */
export function instanceEnvSecretKey(instanceId: string, name: string): string {
  return `remoteSwarm.instance.${instanceId}.env.${name}`;
}

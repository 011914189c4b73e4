import { systemClock } from '../../src/core/clock';
import { silentLogger } from '../../src/core/logger';
import type { ProviderContext } from '../../src/core/provider';
import type { KeyValueStore, SecretStore } from '../../src/core/stores';

/** A KeyValueStore in memory, as globalState would be for one session. */
export class MemoryStore implements KeyValueStore {
  private readonly data = new Map<string, unknown>();

  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, value);
  }

  keys(): readonly string[] {
    return [...this.data.keys()];
  }
}

/** Secrets in memory. */
export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

/** What a front end gives a provider, in memory; pass secrets to preset some. */
export function memoryProviderContext(secrets: Record<string, string> = {}): ProviderContext {
  const store = new MemorySecrets();
  for (const [key, value] of Object.entries(secrets)) store.values.set(key, value);
  return { state: new MemoryStore(), secrets: store, log: silentLogger, clock: systemClock, ownerId: () => 'test-owner-0001' };
}

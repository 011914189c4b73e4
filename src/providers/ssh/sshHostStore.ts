import * as z from 'zod';
import { instanceConfigSchema } from '../../core/models';
import type { KeyValueStore } from '../../core/stores';

const SSH_HOSTS_KEY = 'remoteSwarm.ssh.hosts';

const storedHostSchema = z.object({ id: z.string().min(1), config: instanceConfigSchema, createdAt: z.string() });

/** A host the user added: what the provider lists. No secret and no host key is in it (those live elsewhere). */
export type StoredHost = z.infer<typeof storedHostSchema>;

/**
 * The hosts the SSH provider knows, in a KeyValueStore (globalState in the extension, a JSON file in tests). An entry
 * that does not validate is left in the store untouched (for a newer version to read) and not listed.
 */
export class SshHostStore {
  constructor(private readonly store: KeyValueStore) {}

  list(): StoredHost[] {
    return Object.values(this.entries()).flatMap((raw) => {
      const parsed = storedHostSchema.safeParse(raw);
      return parsed.success ? [parsed.data] : [];
    });
  }

  get(id: string): StoredHost | undefined {
    return this.list().find((host) => host.id === id);
  }

  add(host: StoredHost): Promise<void> {
    return this.store.update(SSH_HOSTS_KEY, { ...this.entries(), [host.id]: host });
  }

  remove(id: string): Promise<void> {
    const entries = { ...this.entries() };
    delete entries[id];
    return this.store.update(SSH_HOSTS_KEY, entries);
  }

  private entries(): Record<string, unknown> {
    return this.store.get<Record<string, unknown>>(SSH_HOSTS_KEY) ?? {};
  }
}

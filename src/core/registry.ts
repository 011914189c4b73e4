import type * as z from 'zod';
import { Emitter, type Event } from './events';
import { instanceSchema, type Instance, type InstanceStatus } from './models';
import { instanceNotFound, SwarmError } from './errors';
import { compareNaturally } from './naturalOrder';
import type { KeyValueStore } from './stores';

export const REGISTRY_KEY = 'remoteSwarm.registry';
export const QUARANTINE_KEY = 'remoteSwarm.registry.quarantine';
export const REGISTRY_SCHEMA_VERSION = 1;

interface RegistryDocument {
  schemaVersion: number;
  instances: Record<string, unknown>;
}

/** An entry that could not be loaded: kept aside with the reason, never silently dropped. */
export interface QuarantinedEntry {
  id: string;
  reason: string;
  raw: unknown;
  quarantinedAt: string;
}

/** What an update may change; the registry sets updatedAt. */
export type InstancePatch = Partial<Omit<Instance, 'id' | 'createdAt' | 'updatedAt'>>;

export interface RegistryChange {
  kind: 'added' | 'updated' | 'removed';
  instance: Instance;
  /** Made by another process of this user and only shown here; that process wrote it to its store. */
  remote?: boolean;
}

export interface InstanceQuery {
  provider?: string;
  status?: InstanceStatus | readonly InstanceStatus[];
  /** Glob on the name: `*` any run of characters, `?` one character. */
  namePattern?: string;
  /** Every given key must match exactly. */
  metadata?: Record<string, string>;
  template?: string;
  group?: string;
}

/** The instances Remote Swarm knows about, persisted in a KeyValueStore, with change events. */
export class InstanceRegistry {
  private readonly instances = new Map<string, Instance>();
  private readonly changes = new Emitter<RegistryChange>();
  private writeChain: Promise<void> = Promise.resolve();
  private quarantine: QuarantinedEntry[] = [];

  readonly onDidChange: Event<RegistryChange> = this.changes.event;

  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Loads and validates the stored entries. Entries that fail validation are moved to the quarantine and reported. */
  async load(): Promise<QuarantinedEntry[]> {
    this.instances.clear();
    const newlyQuarantined: QuarantinedEntry[] = [];
    const kept = this.store.get<unknown>(QUARANTINE_KEY);
    this.quarantine = kept === undefined ? [] : Array.isArray(kept) ? [...(kept as QuarantinedEntry[])] : [];
    if (kept !== undefined && !Array.isArray(kept)) newlyQuarantined.push(this.quarantined('(quarantine)', 'the list of entries kept aside is not a list', kept));
    const document = this.store.get<RegistryDocument>(REGISTRY_KEY);
    if (document === undefined) {
      if (newlyQuarantined.length > 0) await this.keepAside(newlyQuarantined);
      return newlyQuarantined;
    }

    if (typeof document !== 'object' || document === null || typeof document.instances !== 'object' || document.instances === null) {
      newlyQuarantined.push(this.quarantined('(registry)', 'the stored registry is not an object with "instances"', document));
    } else if (document.schemaVersion !== REGISTRY_SCHEMA_VERSION) {
      const reason = `schema version ${String(document.schemaVersion)} is not ${REGISTRY_SCHEMA_VERSION} (written by another version of Remote Swarm)`;
      for (const [id, raw] of Object.entries(document.instances)) newlyQuarantined.push(this.quarantined(id, reason, raw));
    } else {
      for (const [id, raw] of Object.entries(document.instances)) {
        const parsed = instanceSchema.safeParse(raw);
        if (parsed.success && parsed.data.id === id) {
          this.instances.set(id, parsed.data);
        } else {
          const reason = parsed.success
            ? `stored under "${id}" but its id is "${parsed.data.id}"`
            : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message}`).join('; ');
          newlyQuarantined.push(this.quarantined(id, reason, raw));
        }
      }
    }
    if (newlyQuarantined.length > 0) await this.keepAside(newlyQuarantined);
    return newlyQuarantined;
  }

  private async keepAside(entries: readonly QuarantinedEntry[]): Promise<void> {
    this.quarantine.push(...entries);
    await this.persist();
  }

  quarantinedEntries(): readonly QuarantinedEntry[] {
    return this.quarantine;
  }

  get(id: string): Instance | undefined {
    return this.instances.get(id);
  }

  require(id: string): Instance {
    const instance = this.instances.get(id);
    if (!instance) throw instanceNotFound(id);
    return instance;
  }

  findByName(name: string): Instance | undefined {
    for (const instance of this.instances.values()) if (instance.name === name) return instance;
    return undefined;
  }

  list(query: InstanceQuery = {}): Instance[] {
    const statuses = query.status === undefined ? undefined : new Set(typeof query.status === 'string' ? [query.status] : query.status);
    const nameRegex = query.namePattern === undefined ? undefined : globToRegExp(query.namePattern);
    return [...this.instances.values()]
      .filter(
        (instance) =>
          (query.provider === undefined || instance.provider === query.provider) &&
          (statuses === undefined || statuses.has(instance.status)) &&
          (nameRegex === undefined || nameRegex.test(instance.name)) &&
          (query.template === undefined || instance.config.template === query.template) &&
          (query.group === undefined || instance.config.group === query.group) &&
          Object.entries(query.metadata ?? {}).every(([key, value]) => instance.metadata[key] === value),
      )
      .sort((a, b) => compareNaturally(a.name, b.name));
  }

  /** Every instance, in no particular order: for a pass over all of them that does not show them. */
  unordered(): IterableIterator<Instance> {
    return this.instances.values();
  }

  get size(): number {
    return this.instances.size;
  }

  async add(instance: Instance): Promise<Instance> {
    return (await this.applyAll({ added: [instance] })).added[0]!;
  }

  /** Applies a patch; updatedAt is set by the registry. */
  async update(id: string, patch: InstancePatch): Promise<Instance> {
    return (await this.applyAll({ updated: [{ id, patch }] })).updated[0]!;
  }

  /**
   * Additions and updates with one write to the store, then one event each: a refresh that finds 700 instances gone
   * writes the registry once, not 700 times. Every change is validated before any is applied.
   */
  async applyAll({ added = [], updated = [] }: { added?: readonly Instance[]; updated?: readonly { id: string; patch: InstancePatch }[] }): Promise<{ added: Instance[]; updated: Instance[] }> {
    if (added.length === 0 && updated.length === 0) return { added: [], updated: [] };
    const now = this.now().toISOString();
    const additions = added.map((instance) => this.validAddition(instance, added));
    const updates = updated.map(({ id, patch }) => ({ ...this.require(id), ...validPatch(patch), id, updatedAt: now }));
    for (const instance of [...additions, ...updates]) this.instances.set(instance.id, instance);
    await this.persist([...additions, ...updates].map((instance) => instance.id));
    for (const instance of additions) this.changes.fire({ kind: 'added', instance });
    for (const instance of updates) this.changes.fire({ kind: 'updated', instance });
    return { added: additions, updated: updates };
  }

  private validAddition(instance: Instance, batch: readonly Instance[]): Instance {
    if (this.instances.has(instance.id)) throw new SwarmError('CONFLICT', `An instance with id "${instance.id}" is already registered.`);
    const clash = this.findByName(instance.name) ?? batch.find((other) => other !== instance && other.name === instance.name);
    if (clash) throw new SwarmError('CONFLICT', `An instance named "${instance.name}" already exists (${clash.provider}). Choose another name.`, { details: { field: 'name' } });
    return instanceSchema.parse(instance);
  }

  async remove(id: string): Promise<void> {
    const current = this.instances.get(id);
    if (!current) return;
    this.instances.delete(id);
    await this.persist([id]);
    this.changes.fire({ kind: 'removed', instance: current });
  }

  /**
   * Shows a change another process made (`instance` undefined: it removed it), unless this registry knows of a later
   * one. Nothing is written: the process that made the change wrote it.
   */
  applyRemote(id: string, instance: unknown, at: number): void {
    const current = this.instances.get(id);
    if (instance === undefined) {
      if (!current || Date.parse(current.updatedAt) > at) return;
      this.instances.delete(id);
      this.changes.fire({ kind: 'removed', instance: current, remote: true });
      return;
    }
    const parsed = instanceSchema.safeParse(instance);
    if (!parsed.success || parsed.data.id !== id) return;
    const next = parsed.data;
    if (current ? Date.parse(current.updatedAt) > Date.parse(next.updatedAt) : this.findByName(next.name)) return;
    this.instances.set(id, next);
    this.changes.fire({ kind: current ? 'updated' : 'added', instance: next, remote: true });
  }

  dispose(): void {
    this.changes.dispose();
  }

  /**
   * Writes are chained so that the last state always lands last. Where other processes share the store, only the
   * entries this registry changed are written over what the store holds now, so their entries stay.
   */
  private persist(changed?: readonly string[]): Promise<void> {
    const quarantine = [...this.quarantine];
    const write = this.writeChain.then(async () => {
      if (this.store.transact && changed !== undefined) {
        const entries = changed.map((id) => [id, this.instances.get(id)] as const);
        await this.store.transact<RegistryDocument>(REGISTRY_KEY, (current) => {
          const instances = current?.schemaVersion === REGISTRY_SCHEMA_VERSION ? { ...current.instances } : {};
          for (const [id, entry] of entries) {
            if (entry) instances[id] = entry;
            else delete instances[id];
          }
          return { schemaVersion: REGISTRY_SCHEMA_VERSION, instances };
        });
      } else {
        await this.store.update(REGISTRY_KEY, { schemaVersion: REGISTRY_SCHEMA_VERSION, instances: Object.fromEntries(this.instances) } satisfies RegistryDocument);
      }
      if (quarantine.length > 0 || this.store.get(QUARANTINE_KEY) !== undefined) await this.store.update(QUARANTINE_KEY, quarantine.length > 0 ? quarantine : undefined);
    });
    this.writeChain = write.catch(() => undefined);
    return write;
  }

  private quarantined(id: string, reason: string, raw: unknown): QuarantinedEntry {
    return { id, reason, raw, quarantinedAt: this.now().toISOString() };
  }
}

/**
 * The patch's fields, each checked by its own schema: the entry it applies to is valid already, so a refresh that marks
 * 700 instances missing checks three small fields each, not 700 whole instances.
 */
function validPatch(patch: InstancePatch): InstancePatch {
  const shape = instanceSchema.shape as Record<string, z.ZodType>;
  return Object.fromEntries(Object.entries(patch).map(([key, value]) => [key, value === undefined || !shape[key] ? value : shape[key].parse(value)]));
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

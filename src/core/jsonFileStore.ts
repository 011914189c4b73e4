import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { withFileMutex } from './coordination/fileMutex';
import { invalidConfig } from './errors';
import type { KeyValueStore } from './stores';

/** How long a writer waits for another process's lock, and when a lock is old enough to be a crashed writer's. */
const LOCK_TIMINGS = { waitMs: 10_000, staleMs: 30_000 };

/**
 * A KeyValueStore in one JSON file, for tests and the CLI. Several processes may share the file: every write takes a
 * lock file, reads the file afresh, changes its one key and replaces the file atomically (temporary file + rename), so
 * no process's write undoes another's. A write serialises only the key it changes, as VS Code's globalState does: the
 * other keys' JSON is kept from when they were last read or written (a refresh writes the registry, then the cost
 * ledger, and a large registry is not serialised twice).
 */
export class JsonFileStore implements KeyValueStore {
  private data: Record<string, unknown>;
  /** Each key's value as JSON, made when first needed after the file was read and when the key is written. */
  private texts = new Map<string, string>();
  /** The file as this store last read or wrote it; another process's write replaces the file, so its identity changes. */
  private seen: FileIdentity | undefined;

  constructor(
    readonly path: string,
    private readonly fileMode = 0o600,
  ) {
    this.data = readJsonObject(path);
    this.seen = identityOf(path);
  }

  get<T>(key: string): T | undefined {
    return this.data[key] as T | undefined;
  }

  keys(): readonly string[] {
    return Object.keys(this.data);
  }

  update(key: string, value: unknown): Promise<void> {
    return this.transact(key, () => value);
  }

  async transact<T>(key: string, change: (current: T | undefined) => unknown): Promise<void> {
    await withFileMutex(`${this.path}.lock`, LOCK_TIMINGS, () => {
      // Read afresh only what another process wrote: parsing a large state file on every write is most of its cost.
      const unchanged = sameIdentity(identityOf(this.path), this.seen);
      const next = unchanged ? this.data : readJsonObject(this.path);
      if (!unchanged) this.texts.clear();
      const value = change(next[key] as T | undefined);
      this.texts.delete(key);
      if (value === undefined) delete next[key];
      else next[key] = value;
      writeAtomically(this.path, this.documentText(next), this.fileMode);
      this.data = next;
      this.seen = identityOf(this.path);
    });
  }

  private documentText(data: Record<string, unknown>): string {
    const members = Object.entries(data).map(([key, value]) => {
      let text = this.texts.get(key);
      if (text === undefined) this.texts.set(key, (text = JSON.stringify(value)));
      return `${JSON.stringify(key)}:${text}`;
    });
    return `{${members.join(',')}}`;
  }
}

interface FileIdentity {
  ino: number;
  size: number;
  mtimeNs: bigint;
}

function identityOf(path: string): FileIdentity | undefined {
  try {
    const stat = statSync(path, { bigint: true });
    return { ino: Number(stat.ino), size: Number(stat.size), mtimeNs: stat.mtimeNs };
  } catch {
    return undefined;
  }
}

function sameIdentity(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/** A JSON file holding one object, {} when there is no file; anything else is INVALID_CONFIG naming the file. */
export function readJsonObject(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidConfig(path, `is not valid JSON (${(error as Error).message}); fix it, or move it aside to start afresh`, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidConfig(path, 'does not hold a JSON object; fix it, or move it aside to start afresh');
  return parsed as Record<string, unknown>;
}

export function writeAtomically(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, text, { mode });
  renameSync(temporary, path);
}

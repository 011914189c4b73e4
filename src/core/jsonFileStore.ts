import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyValueStore } from './stores';

/** A KeyValueStore in one JSON file, written atomically (temporary file + rename), for tests and the CLI. */
export class JsonFileStore implements KeyValueStore {
  private data: Record<string, unknown>;

  constructor(
    readonly path: string,
    private readonly fileMode = 0o600,
  ) {
    this.data = readJsonObject(path);
  }

  get<T>(key: string): T | undefined {
    return this.data[key] as T | undefined;
  }

  keys(): readonly string[] {
    return Object.keys(this.data);
  }

  async update(key: string, value: unknown): Promise<void> {
    const next = { ...this.data };
    if (value === undefined) delete next[key];
    else next[key] = value;
    writeAtomically(this.path, JSON.stringify(next, null, 2), this.fileMode);
    this.data = next;
  }
}

function readJsonObject(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path} does not hold a JSON object; move it aside to start afresh`);
  }
  return parsed as Record<string, unknown>;
}

export function writeAtomically(path: string, text: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, text, { mode });
  renameSync(temporary, path);
}

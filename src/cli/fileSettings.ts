import { readJsonObject } from '../core/jsonFileStore';
import type { SettingsSource } from '../core/settings';

/**
 * The CLI's settings from a JSON file, by the same keys as the extension's remoteSwarm.* settings, written flat
 * ({"docker.host": "…"}) or nested ({"docker": {"host": "…"}}). Read once: a CLI command is short-lived.
 */
export function fileSettings(path: string): SettingsSource {
  const settings = readJsonObject(path);
  return {
    get: (key) => lookup(settings, key),
    onDidChange: () => ({ dispose: () => undefined }),
  };
}

/** A flat key wins; else the path through nested objects; a group key ("docker") also gathers its flat "docker.*" keys. */
function lookup(settings: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(settings, key)) return settings[key];
  let value: unknown = settings;
  for (const part of key.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  const prefix = `${key}.`;
  const flat = Object.entries(settings).filter(([name]) => name.startsWith(prefix));
  if (flat.length === 0) return value;
  const group = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
  return { ...group, ...Object.fromEntries(flat.map(([name, entry]) => [name.slice(prefix.length), entry])) };
}

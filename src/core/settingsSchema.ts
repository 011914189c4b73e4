import * as z from 'zod';

// Each setting falls back to its default when missing or invalid, so one bad value never turns a whole feature off.
// A missing one takes its default before validation (`.default`): zod's failure path, which `.catch` takes, builds
// messages and costs ~20 µs a field, and settings are read per instance change (700 in one refresh).

/** A whole number from `min`; one above `max` reads as `max` (package.json declares the same maximum). */
export function wholeNumberSetting(fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .number()
    .int()
    .min(min)
    .transform((value) => Math.min(value, max))
    .catch(fallback)
    .default(fallback);
}

/** Intervals longer than a day are a typo more often than a wish, and far beyond what a timer should hold. */
export const MAX_INTERVAL_SECONDS = 86_400;

export function numberSetting(fallback: number, min: number) {
  return z.number().min(min).catch(fallback).default(fallback);
}

export function booleanSetting(fallback: boolean) {
  return z.boolean().catch(fallback).default(fallback);
}

/** An object setting mapping names (templates, providers) to numbers at least `min`; invalid entries are dropped. */
export function numberMapSetting(min: number) {
  return z
    .record(z.string(), z.unknown())
    .catch({})
    .default({})
    .transform((map) => Object.fromEntries(Object.entries(map).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] >= min)));
}

/** An object setting mapping names (templates) to booleans; invalid entries are dropped. */
export function booleanMapSetting() {
  return z
    .record(z.string(), z.unknown())
    .catch({})
    .default({})
    .transform((map) => Object.fromEntries(Object.entries(map).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean')));
}

/** Parses a settings section (e.g. remoteSwarm.health as an object); anything but an object counts as "all defaults". */
export function parseSettingsSection<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  return schema.parse(typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {});
}

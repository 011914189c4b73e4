import * as z from 'zod';
import { numberMapSetting, parseSettingsSection, wholeNumberSetting } from '../settingsSchema';

/** The remoteSwarm.idle.* settings as written (minutes). */
const idleSettingsSchema = z.object({
  timeoutMinutes: wholeNumberSetting(30, 0, 10_080),
  timeoutMinutesByTemplate: numberMapSetting(0),
});

export interface IdleSettings {
  /** Unused this long, an instance is stopped; 0 never stops one. */
  timeoutMs: number;
  /** Per template, overriding timeoutMs (0: never stop this template's instances). */
  timeoutMsByTemplate: Readonly<Record<string, number>>;
}

export function parseIdleSettings(raw: unknown): IdleSettings {
  const parsed = parseSettingsSection(idleSettingsSchema, raw);
  return {
    timeoutMs: parsed.timeoutMinutes * 60_000,
    timeoutMsByTemplate: Object.fromEntries(Object.entries(parsed.timeoutMinutesByTemplate).map(([template, minutes]) => [template, minutes * 60_000])),
  };
}

import * as z from 'zod';
import { numberMapSetting, parseSettingsSection, wholeNumberSetting } from '../settingsSchema';

/** The remoteSwarm.idle.* settings as written (minutes). */
const idleSettingsSchema = z.object({
  timeoutMinutes: wholeNumberSetting(30, 0, 10_080),
  timeoutMinutesByTemplate: numberMapSetting(0),
  cpuThresholdPercent: wholeNumberSetting(10, 1),
});

/** Agents work unattended: their instances never idle unless the user gives the template a timeout. */
const TEMPLATES_THAT_NEVER_IDLE: Readonly<Record<string, number>> = { agent: 0 };

export interface IdleSettings {
  /** Unused this long, an instance is stopped; 0 never stops one. */
  timeoutMs: number;
  /** Per template, overriding timeoutMs (0: never stop this template's instances). */
  timeoutMsByTemplate: Readonly<Record<string, number>>;
  /** CPU at or above this (percent of one CPU) in a health check counts as use. */
  cpuThresholdPercent: number;
}

export function parseIdleSettings(raw: unknown): IdleSettings {
  const parsed = parseSettingsSection(idleSettingsSchema, raw);
  const byTemplate = { ...TEMPLATES_THAT_NEVER_IDLE, ...parsed.timeoutMinutesByTemplate };
  return {
    timeoutMs: parsed.timeoutMinutes * 60_000,
    timeoutMsByTemplate: Object.fromEntries(Object.entries(byTemplate).map(([template, minutes]) => [template, minutes * 60_000])),
    cpuThresholdPercent: parsed.cpuThresholdPercent,
  };
}

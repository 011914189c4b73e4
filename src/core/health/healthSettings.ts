import * as z from 'zod';
import { booleanMapSetting, booleanSetting, MAX_INTERVAL_SECONDS, parseSettingsSection, wholeNumberSetting } from '../settingsSchema';
import type { HealthThresholds } from './healthStatus';

/** The most probes a sweep keeps open at once, and the most restarts an hour an instance may be given (package.json says the same). */
export const MAX_CONCURRENCY = 1024;
export const MAX_RESTARTS_PER_HOUR = 20;

/** The remoteSwarm.health.* settings as written (seconds), each falling back to its default when invalid. */
const healthSettingsSchema = z.object({
  interval: wholeNumberSetting(30, 0, MAX_INTERVAL_SECONDS),
  timeout: wholeNumberSetting(5, 1, 300),
  // Covers a fleet of up to 1024: the first sweep knows no instance's wait, and a hanging probe that starts late behind
  // the others would make the sweep last longer than its own timeout.
  concurrency: wholeNumberSetting(MAX_CONCURRENCY, 1, MAX_CONCURRENCY),
  failureThreshold: wholeNumberSetting(3, 1),
  successThreshold: wholeNumberSetting(2, 1),
  historySize: wholeNumberSetting(120, 2),
  execProbe: z.array(z.string().min(1)).catch([]).default([]),
  autoRecovery: booleanSetting(true),
  autoRecoveryByTemplate: booleanMapSetting(),
  maxRecoveryAttempts: wholeNumberSetting(3, 1),
  recoveryBackoff: wholeNumberSetting(30, 0, MAX_INTERVAL_SECONDS),
  maxRestartsPerHour: wholeNumberSetting(3, 1, MAX_RESTARTS_PER_HOUR),
});

export interface HealthSettings extends HealthThresholds {
  /** The pause after one sweep before the next; 0 turns monitoring off. */
  intervalMs: number;
  /** For each probe (HTTP and exec). */
  timeoutMs: number;
  /** Instances checked at once: at most this many probes, and so sockets, are open at any time. */
  concurrency: number;
  /** Checks kept per instance. */
  historySize: number;
  execProbe: readonly string[];
  autoRecovery: boolean;
  /** Templates whose instances recover (true) or not (false) regardless of autoRecovery. */
  autoRecoveryByTemplate: Readonly<Record<string, boolean>>;
  maxRecoveryAttempts: number;
  recoveryBackoffMs: number;
  /** Automatic restarts of one instance in any rolling hour; then recovery stops for it until the user starts or restarts it. */
  maxRestartsPerHour: number;
}

export function parseHealthSettings(raw: unknown): HealthSettings {
  const parsed = parseSettingsSection(healthSettingsSchema, raw);
  return {
    intervalMs: parsed.interval * 1000,
    timeoutMs: parsed.timeout * 1000,
    concurrency: parsed.concurrency,
    failureThreshold: parsed.failureThreshold,
    successThreshold: parsed.successThreshold,
    historySize: parsed.historySize,
    execProbe: parsed.execProbe,
    autoRecovery: parsed.autoRecovery,
    autoRecoveryByTemplate: parsed.autoRecoveryByTemplate,
    maxRecoveryAttempts: parsed.maxRecoveryAttempts,
    recoveryBackoffMs: parsed.recoveryBackoff * 1000,
    maxRestartsPerHour: parsed.maxRestartsPerHour,
  };
}

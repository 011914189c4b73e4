import * as z from 'zod';
import { parseCostSettings, type CostSettings } from './cost/costSettings';
import type { Disposable } from './events';
import { parseHealthSettings, type HealthSettings } from './health/healthSettings';
import { parseIdleSettings, type IdleSettings } from './idle/idleSettings';
import { MAX_INTERVAL_SECONDS, wholeNumberSetting } from './settingsSchema';
import { DEFAULT_IDE_IMAGE } from './templates';

/**
 * Where a front end keeps the user's settings, by key under the remoteSwarm namespace ("maxInstances", "health",
 * "docker.host"): VS Code's configuration, the CLI's settings file. A group key ("health") gives the group as one object.
 */
export interface SettingsSource {
  /** The value as the user set it; undefined when unset. A user-only setting (USER_ONLY_SETTINGS) never comes from a workspace. */
  get(key: string): unknown;
  /**
   * What the open workspace (a project's own settings) adds to a setting apart from the user's: its templates. Absent,
   * or undefined, where a front end has no workspaces or does not trust the one open.
   */
  fromWorkspace?(key: string): unknown;
  /** Fires with a test for which keys changed, e.g. `changed('docker')`, `changed('templates')`. */
  onDidChange(listener: (changed: (key: string) => boolean) => void): Disposable;
}

const textSetting = (fallback: string) =>
  z
    .string()
    .trim()
    .catch(fallback)
    .default(fallback)
    .transform((value) => value || fallback);

/** The remoteSwarm.* settings, typed, with their defaults; every read sees the current value, and a bad value reads as its default. */
export class SwarmSettings {
  constructor(readonly source: SettingsSource) {}

  get defaultProvider(): string {
    return textSetting('docker').parse(this.source.get('defaultProvider'));
  }

  get maxInstances(): number {
    return wholeNumberSetting(10, 0).parse(this.source.get('maxInstances'));
  }

  /** Seconds between automatic refreshes while someone watches; 0 turns them off. */
  get refreshIntervalSeconds(): number {
    return wholeNumberSetting(30, 0, MAX_INTERVAL_SECONDS).parse(this.source.get('refreshInterval'));
  }

  /** The user's templates and the open workspace's, as written; loadTemplates validates them. */
  get templates(): { user: unknown; workspace: unknown } {
    return { user: this.source.get('templates') ?? [], workspace: this.source.fromWorkspace?.('templates') ?? [] };
  }

  /** The user's group templates, as written; loadGroupTemplates validates them. */
  get groupTemplates(): unknown {
    return this.source.get('groupTemplates') ?? [];
  }

  /** The image for instances whose template names none. */
  get defaultImage(): string {
    return textSetting(DEFAULT_IDE_IMAGE).parse(this.source.get('docker.defaultImage'));
  }

  health(): HealthSettings {
    return parseHealthSettings(this.source.get('health'));
  }

  idle(): IdleSettings {
    return parseIdleSettings(this.source.get('idle'));
  }

  cost(): CostSettings {
    return parseCostSettings(this.source.get('cost'));
  }

  /** remoteSwarm.backup.* as written; backupStoreSettings validates them. */
  get backup(): unknown {
    return this.source.get('backup');
  }

  /** A provider's own settings (<type>.*, e.g. docker.host), as its registration validates them. */
  providerSettings(type: string): Record<string, unknown> {
    const section = this.source.get(type);
    return typeof section === 'object' && section !== null && !Array.isArray(section) ? { ...section } : {};
  }

  onDidChange(listener: (changed: (key: string) => boolean) => void): Disposable {
    return this.source.onDidChange(listener);
  }
}

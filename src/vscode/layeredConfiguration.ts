import { isUserOnlySetting, userOnlySettingsWithin } from '../core/userOnlySettings';

/** One setting's value in each layer, as vscode.WorkspaceConfiguration.inspect gives it (the layers read here). */
export interface SettingLayers {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** The part of vscode.WorkspaceConfiguration (for the remoteSwarm section) read here. */
export interface LayeredConfiguration {
  get(key: string): unknown;
  inspect(key: string): SettingLayers | undefined;
}

/** Settings a trusted workspace may add to next to the user's, read apart: a repository recommending its environments. */
export const WORKSPACE_ADDITIONS: readonly string[] = ['templates'];

/**
 * A setting as Remote Swarm uses it. A user-only setting (USER_ONLY_SETTINGS), and a setting a workspace only adds to,
 * is the user's value over the default, whatever a workspace holds; a group ("health", "docker") has its user-only
 * members replaced so. Anything else is VS Code's merged value.
 */
export function readSetting(configuration: LayeredConfiguration, key: string): unknown {
  if (isUserOnlySetting(key) || WORKSPACE_ADDITIONS.includes(key)) return userValue(configuration.inspect(key));
  const value = configuration.get(key);
  const members = userOnlySettingsWithin(key);
  if (members.length === 0 || !isPlainObject(value)) return value;
  const guarded: Record<string, unknown> = { ...value };
  for (const member of members) guarded[member.slice(key.length + 1)] = userValue(configuration.inspect(member));
  return guarded;
}

/** What the open workspace adds to a WORKSPACE_ADDITIONS setting; nothing from a workspace that is not trusted. */
export function readWorkspaceAddition(configuration: LayeredConfiguration, key: string, workspaceTrusted: boolean): unknown {
  if (!workspaceTrusted || !WORKSPACE_ADDITIONS.includes(key)) return undefined;
  return configuration.inspect(key)?.workspaceValue;
}

/** The user's value; an object over the default's, as VS Code merges them. */
function userValue(layers: SettingLayers | undefined): unknown {
  const { defaultValue, globalValue } = layers ?? {};
  if (isPlainObject(defaultValue) && isPlainObject(globalValue)) return { ...defaultValue, ...globalValue };
  return globalValue ?? defaultValue;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

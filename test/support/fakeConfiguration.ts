import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SettingsSource } from '../../src/core/settings';
import { readSetting, readWorkspaceAddition, type LayeredConfiguration, type SettingLayers } from '../../src/vscode/layeredConfiguration';

const SECTION = 'remoteSwarm.';

interface ConfigurationProperty {
  default?: unknown;
  scope?: string;
}

/** package.json as VS Code reads it: the contributed settings and what the extension declares about workspace trust. */
export const packageManifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  capabilities?: { untrustedWorkspaces?: { supported?: unknown; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, ConfigurationProperty> } };
};

/** The contributed settings by key under the remoteSwarm namespace ("docker.host"). */
export const contributedSettings: Record<string, ConfigurationProperty> = Object.fromEntries(
  Object.entries(packageManifest.contributes.configuration.properties).map(([key, property]) => [key.slice(SECTION.length), property]),
);

/** Values by key under the remoteSwarm namespace, e.g. { 'docker.host': 'tcp://x:2375' }. */
export type SettingValues = Record<string, unknown>;

/**
 * The remoteSwarm section of VS Code's configuration over three layers, as vscode.WorkspaceConfiguration presents it:
 * the defaults package.json declares, the user's settings and the workspace's (.vscode/settings.json). get() merges
 * them the way VS Code does (workspace over user over default, objects merged); inspect() gives them apart.
 */
export class FakeConfiguration implements LayeredConfiguration {
  private readonly defaults: SettingValues = Object.fromEntries(Object.entries(contributedSettings).map(([key, property]) => [key, property.default]));

  constructor(
    readonly user: SettingValues = {},
    readonly workspace: SettingValues = {},
  ) {}

  inspect(key: string): SettingLayers {
    return { defaultValue: layerValue(this.defaults, key), globalValue: layerValue(this.user, key), workspaceValue: layerValue(this.workspace, key) };
  }

  get(key: string): unknown {
    const { defaultValue, globalValue, workspaceValue } = this.inspect(key);
    return [defaultValue, globalValue, workspaceValue].reduce(merge, undefined);
  }

  /** A SettingsSource over this configuration as the extension's (src/vscode/settings.ts) reads it. */
  source(workspaceTrusted = true): SettingsSource {
    return {
      get: (key) => readSetting(this, key),
      fromWorkspace: (key) => readWorkspaceAddition(this, key, workspaceTrusted),
      onDidChange: () => ({ dispose: () => undefined }),
    };
  }
}

/** A key's value in one layer: the value itself, one inside an object value, or a group made of the layer's members. */
function layerValue(layer: SettingValues, key: string): unknown {
  if (key in layer) return layer[key];
  const parent = Object.keys(layer).find((candidate) => key.startsWith(`${candidate}.`));
  if (parent !== undefined) return (layer[parent] as Record<string, unknown> | undefined)?.[key.slice(parent.length + 1)];
  const members = Object.entries(layer).filter(([candidate, value]) => candidate.startsWith(`${key}.`) && value !== undefined);
  if (members.length === 0) return undefined;
  const group: Record<string, unknown> = {};
  for (const [member, value] of members) setPath(group, member.slice(key.length + 1).split('.'), value);
  return group;
}

function setPath(target: Record<string, unknown>, [head, ...rest]: string[], value: unknown): void {
  if (rest.length === 0) target[head!] = value;
  else setPath((target[head!] ??= {}) as Record<string, unknown>, rest, value);
}

function merge(below: unknown, above: unknown): unknown {
  if (above === undefined) return below;
  if (isObject(below) && isObject(above)) {
    const merged: Record<string, unknown> = { ...below };
    for (const [key, value] of Object.entries(above)) merged[key] = merge(below[key], value);
    return merged;
  }
  return above;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

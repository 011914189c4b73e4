import type * as vscode from 'vscode';
import type { ProviderPool } from '../core/providerPool';
import type { TemplateCatalog } from '../core/templates';
import { reportTemplateProblems } from './configurationWarnings';
import type { InstanceRefresher } from './instanceRefresher';
import type { SwarmSettings } from './settings';

export interface SettingsDependents {
  pool: ProviderPool;
  refresher: InstanceRefresher;
  templates: () => TemplateCatalog;
  log: vscode.LogOutputChannel;
}

/**
 * A provider's settings (remoteSwarm.<type>.*) changed: new providers and a refresh. The default provider changed: a
 * refresh. The refresh interval changed: a new timer. The templates changed: their problems, once.
 */
export function reactToSettingChanges(settings: SwarmSettings, { pool, refresher, templates, log }: SettingsDependents): vscode.Disposable {
  return settings.onDidChange((changed) => {
    const providerSettingsChanged = pool.types().some(({ type }) => changed(type));
    if (providerSettingsChanged) pool.reset();
    if (providerSettingsChanged || changed('defaultProvider')) refresher.refreshIfStarted();
    if (changed('refreshInterval')) refresher.restartTimer();
    if (changed('templates')) reportTemplateProblems(templates().problems, log);
  });
}

import type * as vscode from 'vscode';
import { SwarmController } from './core/controller';
import { ProviderFactory } from './core/provider';
import { ProviderPool } from './core/providerPool';
import { InstanceRegistry } from './core/registry';
import { loadTemplates } from './core/templates';
import { registerDockerProvider } from './providers/docker';
import { registerCommands } from './vscode/commands';
import { reportQuarantined, reportTemplateProblems } from './vscode/configurationWarnings';
import { InstanceLogViewer } from './vscode/instanceLogs';
import { InstanceRefresher } from './vscode/instanceRefresher';
import { createInstancesView } from './vscode/instancesView';
import { createLogChannel, logOperations } from './vscode/logChannel';
import { MementoStore } from './vscode/mementoStore';
import { SecretStorageStore } from './vscode/secretStorageStore';
import { reactToSettingChanges } from './vscode/settingsReactions';
import { SwarmSettings } from './vscode/settings';

/** What activate() returns to other extensions and to the extension tests. */
export interface RemoteSwarmApi {
  controller: SwarmController;
}

/** Builds the core over VS Code storage and registers the UI. Makes no Docker or network call: the view's first showing does. */
export async function activate(context: vscode.ExtensionContext): Promise<RemoteSwarmApi> {
  const log = createLogChannel();
  const settings = new SwarmSettings();
  const factory = new ProviderFactory();
  registerDockerProvider(factory);
  const pool = new ProviderPool(factory, (type) => settings.providerSettings(type));
  const registry = new InstanceRegistry(new MementoStore(context.globalState));
  const templates = () => loadTemplates(settings.templates);
  const controller = new SwarmController({
    registry,
    providers: pool,
    secrets: new SecretStorageStore(context.secrets),
    templates,
    settings: () => ({ maxInstances: settings.maxInstances, defaultImage: settings.defaultImage }),
  });
  context.subscriptions.push(log, registry, pool, controller, logOperations(controller, log));

  reportQuarantined(await registry.load(), log);
  reportTemplateProblems(templates().problems, log);

  const refresher = new InstanceRefresher(controller, settings, log);
  const logViewer = new InstanceLogViewer(controller, log);
  context.subscriptions.push(
    refresher,
    logViewer,
    createInstancesView(controller, pool, refresher),
    registerCommands({ controller, pool, settings, templates, refresher, logViewer, log }),
    reactToSettingChanges(settings, { pool, refresher, templates, log }),
  );
  return { controller };
}

/** Everything is released through context.subscriptions. */
export function deactivate(): void {}

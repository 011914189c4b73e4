import type * as vscode from 'vscode';
import { systemClock } from './core/clock';
import { SwarmController } from './core/controller';
import type { CostMeter } from './core/cost/costMeter';
import type { HealthMonitor } from './core/health/healthMonitor';
import { ProviderFactory } from './core/provider';
import { ProviderPool } from './core/providerPool';
import { InstanceRegistry } from './core/registry';
import { loadTemplates } from './core/templates';
import { registerDockerProvider } from './providers/docker';
import { FLY_TOKEN_SECRET_KEY, registerFlyProvider } from './providers/fly';
import { registerSshProvider } from './providers/ssh';
import { registerCommands } from './vscode/commands';
import { reportQuarantined, reportTemplateProblems } from './vscode/configurationWarnings';
import { registerConnectCommands } from './vscode/connect/connectCommands';
import { createSshServices } from './vscode/connect/sshServices';
import { registerFlyTokenCommand } from './vscode/flyToken';
import { InstanceLogViewer } from './vscode/instanceLogs';
import { InstanceRefresher } from './vscode/instanceRefresher';
import type { SwarmNode } from './vscode/instanceTreeItems';
import { createInstancesView } from './vscode/instancesView';
import { createLogChannel, logOperations } from './vscode/logChannel';
import { MementoStore } from './vscode/mementoStore';
import { startMonitoring } from './vscode/monitoring';
import { SecretStorageStore } from './vscode/secretStorageStore';
import { reactToSettingChanges } from './vscode/settingsReactions';
import { SwarmSettings } from './vscode/settings';
import { InstanceTerminals } from './vscode/terminals/instanceTerminals';

/** What activate() returns to other extensions and to the extension tests. */
export interface RemoteSwarmApi {
  controller: SwarmController;
  /** The Instances view's tree data, as the view renders it. */
  tree: vscode.TreeDataProvider<SwarmNode>;
  health: HealthMonitor;
  cost: CostMeter;
}

/** Builds the core over VS Code storage and registers the UI. Makes no Docker or network call: the view's first showing does. */
export async function activate(context: vscode.ExtensionContext): Promise<RemoteSwarmApi> {
  const log = createLogChannel();
  const settings = new SwarmSettings();
  const factory = new ProviderFactory();
  registerDockerProvider(factory);
  registerFlyProvider(factory, { getToken: () => Promise.resolve(context.secrets.get(FLY_TOKEN_SECRET_KEY)), logger: log });
  const ssh = createSshServices(context);
  registerSshProvider(factory, ssh.provider);
  const store = new MementoStore(context.globalState);
  const pool = new ProviderPool(factory, (type) => settings.providerSettings(type), { state: store, secrets: new SecretStorageStore(context.secrets), log, clock: systemClock });
  const registry = new InstanceRegistry(store);
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
  const instancesView = createInstancesView(controller, pool, refresher);
  const terminals = new InstanceTerminals(controller);
  context.subscriptions.push(
    terminals,
    registerConnectCommands({ controller, pool, settings, ssh, terminals, log }),
    refresher,
    logViewer,
    instancesView,
    registerCommands({ controller, pool, settings, templates, refresher, logViewer, log }),
    reactToSettingChanges(settings, { pool, refresher, templates, log }),
    registerFlyTokenCommand(context.secrets, pool, refresher),
  );
  const monitoring = await startMonitoring({ extensionUri: context.extensionUri, store, controller, pool, settings, log });
  context.subscriptions.push(monitoring);
  return { controller, tree: instancesView.tree, health: monitoring.health, cost: monitoring.cost };
}

/** Everything is released through context.subscriptions. */
export function deactivate(): void {}

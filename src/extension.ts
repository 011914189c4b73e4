import * as vscode from 'vscode';
import { s3BackupStore } from './backup';
import type { CostMeter } from './core/cost/costMeter';
import type { HealthMonitor } from './core/health/healthMonitor';
import { systemClock } from './core/clock';
import type { SwarmController } from './core/controller';
import { FileCoordination } from './core/coordination/fileCoordination';
import { createSwarm } from './core/swarm';
import { userStateDirectory } from './core/userStateDirectory';
import { builtinProviders } from './providers/builtin';
import { createSshToolkit } from './ssh/sshToolkit';
import { registerBackupCommands } from './vscode/backupCommands';
import { registerClusterNodeCommands } from './vscode/clusterNodeCommands';
import { ClusterNodeListings } from './vscode/clusterNodeListings';
import { registerCommands } from './vscode/commands';
import { reportQuarantined, reportTemplateProblems } from './vscode/configurationWarnings';
import { registerConnectCommands } from './vscode/connect/connectCommands';
import { IdeOpener } from './vscode/connect/ideOpener';
import { registerInstanceLinks } from './vscode/connect/instanceLinkHandler';
import { askPassphrase, confirmHostKey } from './vscode/connect/sshPrompts';
import { thisWindowsInstance } from './vscode/connect/thisWindow';
import { COMMANDS, INTERNAL_COMMANDS } from './vscode/contributions';
import { registerGroupCommands } from './vscode/groupCommands';
import { registerMigrateCommand } from './vscode/migrateCommand';
import { InstanceLogViewer } from './vscode/instanceLogs';
import { registerLanguageModelTools } from './vscode/languageModelTools';
import { registerMcpServerDefinition } from './vscode/mcpServerDefinition';
import type { SwarmNode } from './vscode/instanceTreeItems';
import { createInstancesView } from './vscode/instancesView';
import { createLogChannel, logOperations } from './vscode/logChannel';
import { MementoStore } from './vscode/mementoStore';
import { showMonitoring } from './vscode/monitoring';
import { askProviderSecret } from './vscode/providerSecrets';
import { SecretStorageStore } from './vscode/secretStorageStore';
import { vscodeSettings } from './vscode/settings';
import { InstanceTerminals } from './vscode/terminals/instanceTerminals';
import { trackViewState } from './vscode/viewState';

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
  const secrets = new SecretStorageStore(context.secrets);
  const ssh = createSshToolkit({ secrets, prompts: { confirmHostKey, askPassphrase } });
  const swarm = createSwarm({
    stores: { state: new MementoStore(context.globalState) },
    secrets,
    settings: vscodeSettings,
    log,
    providers: builtinProviders(ssh),
    localFiles: [ssh.access],
    backupStore: s3BackupStore,
    // The user's other windows, the CLI and the MCP server meet in the user's state folder: one of them monitors.
    coordination: new FileCoordination(userStateDirectory(), { log }),
  });
  const { controller, providers: pool, refresher, settings } = swarm;
  context.subscriptions.push(log, swarm, logOperations(controller, log));

  const loaded = await swarm.load();
  reportQuarantined(loaded.quarantined, log);
  reportTemplateProblems(loaded.templateProblems, log);

  const templates = () => swarm.templates();
  const logViewer = new InstanceLogViewer(controller, log);
  const thisWindow = thisWindowsInstance(controller);
  const clusterNodes = new ClusterNodeListings(pool, refresher, log);
  const instancesView = createInstancesView(controller, pool, refresher, clusterNodes, thisWindow, swarm.startup);
  const terminals = new InstanceTerminals(controller);
  const opener = new IdeOpener(controller, swarm.startup, systemClock);
  const setSecret = (key: string) => {
    const secret = swarm.secretsToSet().find((candidate) => candidate.key === key);
    return secret ? askProviderSecret(secret, context.secrets, swarm) : Promise.resolve();
  };
  const monitoring = showMonitoring(swarm, context.extensionUri, log, loaded.ledgerProblem, thisWindow);
  context.subscriptions.push(
    terminals,
    opener,
    registerConnectCommands({ controller, selected: instancesView.selected, opener, pool, ssh, terminals, log }),
    registerInstanceLinks({ controller, pool, refresher, log }),
    trackViewState(swarm),
    logViewer,
    instancesView,
    registerCommands({ controller, selected: instancesView.selected, opener, pool, settings, templates, refresher, logViewer, log }),
    registerGroupCommands({ swarm, terminals, log }),
    registerBackupCommands({ swarm, selected: instancesView.selected, secrets: context.secrets, log }),
    registerMigrateCommand({ swarm, selected: instancesView.selected, terminals, log }),
    clusterNodes,
    registerClusterNodeCommands({ controller, clusterNodes, log }),
    settings.onDidChange((changed) => changed('templates') && reportTemplateProblems(templates().problems, log)),
    vscode.commands.registerCommand(INTERNAL_COMMANDS.setProviderSecret, setSecret),
    vscode.commands.registerCommand(COMMANDS.setFlyApiToken, () => setSecret('remoteSwarm.fly.apiToken')),
    monitoring,
    registerLanguageModelTools(swarm, log),
    registerMcpServerDefinition(context, log),
  );
  return { controller, tree: instancesView.tree, health: monitoring.health, cost: monitoring.cost };
}

/** Everything is released through context.subscriptions. */
export function deactivate(): void {}

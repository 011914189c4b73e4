import * as vscode from 'vscode';
import type { SwarmError } from '../core/errors';
import type { Group, GroupStatus } from '../core/groups/groupView';
import type { Instance, InstanceStatus } from '../core/models';
import { describeBinding, networkExposedPorts } from '../core/portExposure';
import type { ClusterNode, ProviderCapabilities } from '../core/provider';
import { isSshReachable } from '../ssh/sshAccess';
import type { ClusterNodeListing } from './clusterNodeListings';
import { canChangeResources } from './changeResources';

export interface ProviderNode {
  kind: 'provider';
  type: string;
  displayName: string;
  instances: Instance[];
  /** Why the provider could not be listed at the last refresh. */
  error?: SwarmError;
}

export interface InstanceNode {
  kind: 'instance';
  instance: Instance;
  /** The tree id of the cluster node it is shown under, besides its own row (an id is unique in a tree). */
  under?: string;
}

/** A group under its provider; its members are instance nodes, so every instance command works on them. */
export interface GroupNode {
  kind: 'group';
  group: Group;
}

/** A provider's cluster nodes (capability `nodes`), after its groups and instances. */
export interface ClusterNodesFolder {
  kind: 'clusterNodes';
  provider: string;
  listing: ClusterNodeListing;
  /** The provider's instances, for the rows under each node. */
  instances: Instance[];
}

/** One machine of the cluster, with the instances running or starting on it. */
export interface ClusterNodeTreeNode {
  kind: 'clusterNode';
  provider: string;
  node: ClusterNode;
  /** By name; those the registry knows. */
  instances: Instance[];
}

export type SwarmNode = ProviderNode | GroupNode | InstanceNode | ClusterNodesFolder | ClusterNodeTreeNode;

/** Statuses grouped by what the user can do with the instance; the group leads its contextValue. */
export type StatusGroup = 'running' | 'stopped' | 'transitional' | 'error' | 'missing' | 'unknown';

const STATUS_GROUPS: Record<InstanceStatus, StatusGroup> = {
  running: 'running',
  stopped: 'stopped',
  creating: 'transitional',
  starting: 'transitional',
  stopping: 'transitional',
  restarting: 'transitional',
  updating: 'transitional',
  deleting: 'transitional',
  error: 'error',
  missing: 'missing',
  unknown: 'unknown',
};

const GROUP_ICONS: Record<StatusGroup, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('vm-running', new vscode.ThemeColor('charts.green')),
  stopped: new vscode.ThemeIcon('vm-outline', new vscode.ThemeColor('disabledForeground')),
  transitional: new vscode.ThemeIcon('loading~spin'),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  missing: new vscode.ThemeIcon('question', new vscode.ThemeColor('list.warningForeground')),
  unknown: new vscode.ThemeIcon('circle-large-outline'),
};

export function statusGroup(status: InstanceStatus): StatusGroup {
  return STATUS_GROUPS[status];
}

/**
 * `instance.<group>` followed by markers: `.hasUrl` when it has an IDE URL, `.password` when code-server asks for a
 * password, `.restart` and `.logs` when its provider can restart and read logs, `.shell` when it can open a terminal,
 * `.attach` when Dev Containers can attach to it, `.ssh` when it is reachable over SSH (Remote-SSH), `.resize` when its CPU
 * and memory can change (live or by recreating it). Menus match with
 * e.g. `viewItem =~ /^instance\.running\b/` and `viewItem =~ /\.hasUrl\b/`.
 */
export function instanceContextValue(instance: Instance, capabilities: ProviderCapabilities | undefined): string {
  const markers = [
    instance.urls.ide ? '.hasUrl' : '',
    instance.config.auth.type === 'password' ? '.password' : '',
    capabilities?.restart ? '.restart' : '',
    capabilities?.logs ? '.logs' : '',
    capabilities?.shell ? '.shell' : '',
    capabilities?.attachContainer ? '.attach' : '',
    isSshReachable(instance) ? '.ssh' : '',
    instance.config.auth.type === 'password' && capabilities?.passwordReset ? '.resetPassword' : '',
    capabilities?.workspaceTransfer ? '.transfer' : '',
    canChangeResources(capabilities) ? '.resize' : '',
  ];
  return `instance.${statusGroup(instance.status)}${markers.join('')}`;
}

/** How a row is marked beyond the instance's own status. */
export interface InstanceMarks {
  /** This VS Code window is connected to the instance (Remote-SSH or Dev Containers), which its row says. */
  thisWindow: boolean;
  /** Its provider reports it running, but it does not serve yet (InstanceStartup): it shows as starting. */
  starting: boolean;
}

/** A starting instance keeps the running context value: Open and the other ways in wait until it serves. */
export function instanceTreeItem(instance: Instance, capabilities: ProviderCapabilities | undefined, { thisWindow, starting }: InstanceMarks): vscode.TreeItem {
  const shown: Instance = starting && instance.status === 'running' ? { ...instance, status: 'starting' } : instance;
  const item = new vscode.TreeItem(instance.name, vscode.TreeItemCollapsibleState.None);
  item.id = `instance:${instance.id}`;
  item.iconPath = GROUP_ICONS[statusGroup(shown.status)];
  item.description = `${thisWindow ? 'this window · ' : ''}${instanceDescription(shown)}`;
  item.tooltip = instanceTooltip(shown, thisWindow);
  item.contextValue = instanceContextValue(instance, capabilities);
  return item;
}

export function providerTreeItem(node: ProviderNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.displayName, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `provider:${node.type}`;
  if (node.error) {
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    item.description = node.error.message;
    item.tooltip = new vscode.MarkdownString().appendMarkdown(`**${node.displayName} is not reachable**\n\n`).appendText(node.error.message);
    item.contextValue = 'provider.unavailable';
  } else {
    const running = node.instances.filter((instance) => instance.status === 'running').length;
    item.iconPath = new vscode.ThemeIcon('server-environment');
    item.description = `${running} of ${node.instances.length} running`;
    item.contextValue = 'provider';
  }
  return item;
}

const ROLL_UP_ICONS: Record<GroupStatus, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('layers-active', new vscode.ThemeColor('charts.green')),
  partial: new vscode.ThemeIcon('layers-dot', new vscode.ThemeColor('charts.yellow')),
  stopped: new vscode.ThemeIcon('layers', new vscode.ThemeColor('disabledForeground')),
  busy: new vscode.ThemeIcon('loading~spin'),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
};

/**
 * `group.<status>` followed by `.shell` when its provider can open terminals and `.restart` when it can restart. Menus
 * match with e.g. `viewItem =~ /^group\.(stopped|partial)\b/`.
 */
export function groupContextValue(group: Group, capabilities: ProviderCapabilities | undefined): string {
  return `group.${group.status}${capabilities?.shell ? '.shell' : ''}${capabilities?.restart ? '.restart' : ''}`;
}

/** The group's name, "4/5 running", the roll-up icon of its members' statuses; expanded, its members below. */
export function groupTreeItem(group: Group, capabilities: ProviderCapabilities | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(group.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `group:${group.provider}:${group.name}`;
  item.iconPath = ROLL_UP_ICONS[group.status];
  item.description = `${group.running}/${group.members.length} running`;
  item.contextValue = groupContextValue(group, capabilities);
  const tooltip = new vscode.MarkdownString().appendMarkdown(`**Group ${group.name}** — ${group.status}\n\n`);
  const row = (label: string, value: string) => tooltip.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
  row('Coordinator', group.coordinator?.name ?? 'none');
  row('Workers', `${group.workers.length}${group.workerTemplate ? ` (template ${group.workerTemplate})` : ''}`);
  row('Running', `${group.running} of ${group.members.length}`);
  row('Network', group.network);
  item.tooltip = tooltip;
  return item;
}

/**
 * "<template> · <cpu> CPU / <mem> MB · <status>", or with the provider's region and size where it names them (Fly), or
 * with the address of an existing SSH host; "on <node>" where a cluster runs it; "open to the network" when a port is
 * bound beyond loopback.
 */
function instanceDescription(instance: Instance): string {
  const { config, status, metadata } = instance;
  const size = metadata.host
    ? metadata.host
    : metadata.size
      ? [metadata.region, metadata.size].filter(Boolean).join(' · ')
      : `${config.resources.cpuCores} CPU / ${config.resources.memoryMB} MB`;
  const exposed = networkExposedPorts(instance.ports).length > 0 ? ' · open to the network' : '';
  const node = metadata.node ? ` · on ${metadata.node}` : '';
  return `${config.template ?? 'custom'} · ${size}${node} · ${status}${exposed}`;
}

function instanceTooltip(instance: Instance, thisWindow: boolean): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString().appendMarkdown(`**${instance.name}** — ${instance.status}\n\n`);
  if (thisWindow) tooltip.appendMarkdown('$(remote) This VS Code window is connected to it.\n\n');
  const row = (label: string, value: string) => tooltip.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
  row('URL', instance.urls.ide ?? 'none (not running)');
  row('Created', new Date(instance.createdAt).toLocaleString());
  row('Image', instance.config.image);
  if (instance.metadata.node) row('Node', instance.metadata.node);
  row('Ports', instance.ports.map((port) => `${describeBinding(port)} → ${port.container}/${port.protocol} (${port.purpose})`).join(', ') || 'none');
  const exposed = networkExposedPorts(instance.ports).map(describeBinding);
  if (exposed.length > 0) row('Open to the network', `${exposed.join(', ')}: other machines that reach this address reach the instance`);
  if (instance.metadata.pricePerHourUsd) {
    row('Price', `$${instance.metadata.pricePerHourUsd}/h running, $${instance.metadata.stoppedPricePerHourUsd ?? '0'}/h stopped`);
  }
  if (instance.lastError) row('Last error', instance.lastError);
  return tooltip;
}

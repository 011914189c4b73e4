import * as vscode from 'vscode';
import type { ClusterNode, NodeAvailability } from '../core/provider';
import { clusterNodeTreeId } from './clusterTreeNodes';
import type { ClusterNodesFolder, ClusterNodeTreeNode } from './instanceTreeItems';

const AVAILABILITY: Record<NodeAvailability, string> = {
  active: 'active: takes new instances',
  pause: 'paused: keeps its instances, takes no new ones',
  drain: 'drained: its instances moved to other nodes where they could',
};

/** "Nodes", how many and how many drained; expanded, the nodes below. */
export function clusterNodesFolderItem({ provider, listing }: ClusterNodesFolder): vscode.TreeItem {
  const item = new vscode.TreeItem('Nodes', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `clusterNodes:${provider}`;
  item.contextValue = 'clusterNodes';
  if (listing.error) {
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    item.description = listing.error.message;
    item.tooltip = listing.error.message;
    return item;
  }
  const { nodes } = listing;
  const notActive = nodes.filter((node) => node.availability !== 'active').length;
  const notReady = nodes.filter((node) => node.state !== 'ready').length;
  item.iconPath = new vscode.ThemeIcon('server');
  item.description = [`${nodes.length} node${nodes.length === 1 ? '' : 's'}`, notActive ? `${notActive} not active` : '', notReady ? `${notReady} not ready` : ''].filter(Boolean).join(' · ');
  return item;
}

/** `clusterNode.<availability>`: menus offer Drain on an active or paused node, Activate on a drained or paused one. */
export function clusterNodeContextValue(node: ClusterNode): string {
  return `clusterNode.${node.availability}`;
}

/** The node's hostname, "manager · active · ready · 2 instances"; its instances below; its facts in the tooltip. */
export function clusterNodeTreeItem({ provider, node, instances }: ClusterNodeTreeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.hostname, instances.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = clusterNodeTreeId(provider, node.id);
  item.iconPath = clusterNodeIcon(node);
  item.description = `${node.role} · ${node.availability} · ${node.state} · ${instances.length} instance${instances.length === 1 ? '' : 's'}`;
  item.contextValue = clusterNodeContextValue(node);
  const tooltip = new vscode.MarkdownString().appendMarkdown('**').appendText(node.hostname).appendMarkdown(`** — ${node.role}\n\n`);
  const row = (label: string, value: string) => tooltip.appendMarkdown(`${label}: `).appendText(value).appendMarkdown('  \n');
  row('Availability', AVAILABILITY[node.availability]);
  row('State', node.state);
  if (node.address) row('Address', node.address);
  if (node.engineVersion) row('Docker Engine', node.engineVersion);
  if (node.cpuCores !== undefined) row('CPU', `${Number(node.cpuCores.toFixed(2))} cores`);
  if (node.memoryBytes !== undefined) row('Memory', `${(node.memoryBytes / 1024 ** 3).toFixed(1)} GiB`);
  const labels = Object.entries(node.labels).map(([key, value]) => `${key}=${value}`);
  if (labels.length > 0) row('Labels', labels.join(', '));
  row('Instances', instances.map((instance) => instance.name).join(', ') || 'none');
  item.tooltip = tooltip;
  return item;
}

function clusterNodeIcon(node: ClusterNode): vscode.ThemeIcon {
  if (node.state !== 'ready') return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  if (node.availability === 'drain') return new vscode.ThemeIcon('debug-stop', new vscode.ThemeColor('disabledForeground'));
  if (node.availability === 'pause') return new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow'));
  return new vscode.ThemeIcon('server', new vscode.ThemeColor('charts.green'));
}

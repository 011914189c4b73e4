import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { InstanceStartup } from '../core/health/instanceStartup';
import type { Instance } from '../core/models';
import type { ProviderPool } from '../core/providerPool';
import type { RefreshScheduler } from '../core/refreshScheduler';
import type { ClusterNodeListings } from './clusterNodeListings';
import { clusterNodesFolderItem, clusterNodeTreeItem } from './clusterNodeTreeItems';
import { clusterNodeChildren, clusterNodeInstanceChildren, clusterNodesFolder } from './clusterTreeNodes';
import { groupChildren, providerChildren } from './groupTreeNodes';
import { groupTreeItem, instanceTreeItem, providerTreeItem, type ProviderNode, type SwarmNode } from './instanceTreeItems';

/**
 * Provider nodes (the default provider and every provider in use), each with its groups and then its other instances
 * sorted by name; a group holds its members. A provider with nodes (a swarm) ends with a Nodes folder: each node with
 * the instances on it. With no instances at all the root is empty, so the view shows the welcome
 * content for remoteSwarm.state.
 */
export class InstanceTreeProvider implements vscode.TreeDataProvider<SwarmNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[];

  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly controller: SwarmController,
    private readonly pool: ProviderPool,
    private readonly refresher: RefreshScheduler,
    private readonly clusterNodes: ClusterNodeListings,
    private readonly thisWindow: () => Instance | undefined,
    private readonly startup: InstanceStartup,
  ) {
    const render = () => this.changed.fire();
    this.subscriptions = [controller.onDidChangeInstances(render), refresher.onDidRefresh(render), clusterNodes.onDidChange(render), startup.onDidChange(render)];
  }

  getTreeItem(node: SwarmNode): vscode.TreeItem {
    switch (node.kind) {
      case 'provider':
        return providerTreeItem(node);
      case 'group':
        return groupTreeItem(node.group, this.pool.describe(node.group.provider)?.capabilities);
      case 'instance': {
        const item = instanceTreeItem(node.instance, this.pool.describe(node.instance.provider)?.capabilities, {
          thisWindow: this.thisWindow()?.id === node.instance.id,
          starting: this.startup.isStarting(node.instance.id),
        });
        if (node.under) item.id = `${node.under}/${item.id}`;
        return item;
      }
      case 'clusterNodes':
        return clusterNodesFolderItem(node);
      case 'clusterNode':
        return clusterNodeTreeItem(node);
    }
  }

  getChildren(node?: SwarmNode): SwarmNode[] {
    if (node === undefined) {
      this.refresher.loadOnce();
      return this.providerNodes();
    }
    switch (node.kind) {
      case 'provider':
        return [...providerChildren(node.instances), ...(node.error ? [] : clusterNodesFolder(node.type, this.clusterNodes.of(node.type), node.instances))];
      case 'group':
        return groupChildren(node);
      case 'clusterNodes':
        return clusterNodeChildren(node);
      case 'clusterNode':
        return clusterNodeInstanceChildren(node);
      case 'instance':
        return [];
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }

  private providerNodes(): ProviderNode[] {
    if (this.controller.list().length === 0) return [];
    const displayNames = new Map(this.pool.types().map(({ type, displayName }) => [type, displayName]));
    return this.refresher.providerTypes().map((type) => ({
      kind: 'provider',
      type,
      displayName: displayNames.get(type) ?? type,
      instances: this.controller.list({ provider: type }),
      error: this.refresher.providerError(type),
    }));
  }
}

import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { Instance } from '../core/models';
import type { ProviderPool } from '../core/providerPool';
import type { RefreshScheduler } from '../core/refreshScheduler';
import { groupChildren, providerChildren } from './groupTreeNodes';
import { groupTreeItem, instanceTreeItem, providerTreeItem, type ProviderNode, type SwarmNode } from './instanceTreeItems';

/**
 * Provider nodes (the default provider and every provider in use), each with its groups and then its other instances
 * sorted by name; a group holds its members. With no instances at all the root is empty, so the view shows the welcome
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
    private readonly thisWindow: () => Instance | undefined,
  ) {
    const render = () => this.changed.fire();
    this.subscriptions = [controller.onDidChangeInstances(render), refresher.onDidRefresh(render)];
  }

  getTreeItem(node: SwarmNode): vscode.TreeItem {
    switch (node.kind) {
      case 'provider':
        return providerTreeItem(node);
      case 'group':
        return groupTreeItem(node.group, this.pool.describe(node.group.provider)?.capabilities);
      case 'instance':
        return instanceTreeItem(node.instance, this.pool.describe(node.instance.provider)?.capabilities, this.thisWindow()?.id === node.instance.id);
    }
  }

  getChildren(node?: SwarmNode): SwarmNode[] {
    if (node === undefined) {
      this.refresher.loadOnce();
      return this.providerNodes();
    }
    if (node.kind === 'provider') return providerChildren(node.instances);
    return node.kind === 'group' ? groupChildren(node) : [];
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

import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { Instance } from '../core/models';
import type { ProviderPool } from '../core/providerPool';
import type { RefreshScheduler } from '../core/refreshScheduler';
import { instanceTreeItem, providerTreeItem, type InstanceNode, type ProviderNode, type SwarmNode } from './instanceTreeItems';

/**
 * Provider nodes (the default provider and every provider in use), each with its instances sorted by name. With no
 * instances at all the root is empty, so the view shows the welcome content for remoteSwarm.state.
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
    if (node.kind === 'provider') return providerTreeItem(node);
    const { instance } = node;
    return instanceTreeItem(instance, this.pool.describe(instance.provider)?.capabilities, this.thisWindow()?.id === instance.id);
  }

  getChildren(node?: SwarmNode): SwarmNode[] {
    if (node === undefined) {
      this.refresher.loadOnce();
      return this.providerNodes();
    }
    return node.kind === 'provider' ? node.instances.map((instance): InstanceNode => ({ kind: 'instance', instance })) : [];
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

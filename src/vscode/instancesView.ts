import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { InstanceStartup } from '../core/health/instanceStartup';
import type { Instance } from '../core/models';
import type { ProviderPool } from '../core/providerPool';
import type { ClusterNodeListings } from './clusterNodeListings';
import { VIEW_ID } from './contributions';
import type { RefreshScheduler } from '../core/refreshScheduler';
import type { SwarmNode } from './instanceTreeItems';
import { InstanceTreeProvider } from './instanceTreeProvider';

export interface InstancesView extends vscode.Disposable {
  /** What the view renders; the extension's API hands it to the extension tests. */
  readonly tree: vscode.TreeDataProvider<SwarmNode>;
  /** The instances selected in the view, as commands run from the palette take them. */
  selected(): Instance[];
}

/** The Instances view: its tree (marking the instance this window is connected to), and automatic refreshes only while it is visible. */
export function createInstancesView(
  controller: SwarmController,
  pool: ProviderPool,
  refresher: RefreshScheduler,
  clusterNodes: ClusterNodeListings,
  thisWindow: () => Instance | undefined,
  startup: InstanceStartup,
): InstancesView {
  const tree = new InstanceTreeProvider(controller, pool, refresher, clusterNodes, thisWindow, startup);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree });
  const visibility = view.onDidChangeVisibility(({ visible }) => refresher.setWatched(visible));
  refresher.setWatched(view.visible);
  const disposable = vscode.Disposable.from(visibility, view, tree);
  const selected = () => view.selection.flatMap((node) => (node.kind === 'instance' ? [node.instance] : []));
  return { tree, selected, dispose: () => disposable.dispose() };
}

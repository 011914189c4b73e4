import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { ProviderPool } from '../core/providerPool';
import { VIEW_ID } from './contributions';
import type { InstanceRefresher } from './instanceRefresher';
import { InstanceTreeProvider } from './instanceTreeProvider';

/** The Instances view: its tree, and automatic refreshes only while it is visible. */
export function createInstancesView(controller: SwarmController, pool: ProviderPool, refresher: InstanceRefresher): vscode.Disposable {
  const tree = new InstanceTreeProvider(controller, pool, refresher);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree });
  const visibility = view.onDidChangeVisibility(({ visible }) => refresher.setVisible(visible));
  refresher.setVisible(view.visible);
  return vscode.Disposable.from(visibility, view, tree);
}

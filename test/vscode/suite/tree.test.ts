import assert from 'node:assert/strict';
import type { RemoteSwarmApi } from '../../../src/extension';
import * as vscode from 'vscode';
import { useRemoteSwarm } from './remoteSwarm';

type Tree = RemoteSwarmApi['tree'];

/** The tree items under the provider node labelled `providerLabel`, by label. */
async function itemsUnder(tree: Tree, providerLabel: string): Promise<Map<string, vscode.TreeItem>> {
  for (const node of (await tree.getChildren()) ?? []) {
    const item = await tree.getTreeItem(node);
    if (item.label !== providerLabel) continue;
    const children = (await tree.getChildren(node)) ?? [];
    const items = await Promise.all(children.map((child) => tree.getTreeItem(child)));
    return new Map(items.map((child) => [String(child.label), child]));
  }
  assert.fail(`the tree has no "${providerLabel}" provider node`);
}

async function instanceItem(tree: Tree, name: string): Promise<vscode.TreeItem> {
  const item = (await itemsUnder(tree, 'Docker')).get(name);
  assert.ok(item, `the tree shows no item "${name}" under Docker`);
  return item;
}

function iconId(item: vscode.TreeItem): string | undefined {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}

function nextTreeChange(tree: Tree): Promise<void> {
  return new Promise((resolve) => {
    const subscription = tree.onDidChangeTreeData?.(() => {
      subscription?.dispose();
      resolve();
    });
  });
}

describe('Remote Swarm tree', () => {
  const suite = useRemoteSwarm();

  it('shows a running instance under its provider with the running icon, its summary and its menu context', async () => {
    const instance = await suite.instances.create('tree');
    // "starting" (a spinner) until its server first answers, then running.
    const deadline = Date.now() + 30_000;
    let item = await instanceItem(suite.api.tree, instance.name);
    while (iconId(item) !== 'vm-running' && Date.now() < deadline) {
      await nextTreeChange(suite.api.tree);
      item = await instanceItem(suite.api.tree, instance.name);
    }
    assert.equal(iconId(item), 'vm-running');
    assert.match(String(item.description), /development .*running/);
    assert.match(item.contextValue ?? '', /^instance\.running\b/);
    assert.match(item.contextValue ?? '', /\.hasUrl\b/);
    assert.match(item.contextValue ?? '', /\.password\b/);
  });

  it('announces a stop and then shows the instance as stopped', async () => {
    const instance = await suite.instances.create('tree-stop');
    const changed = nextTreeChange(suite.api.tree);
    await suite.api.controller.stop(instance.id);
    await changed;
    const item = await instanceItem(suite.api.tree, instance.name);
    assert.equal(iconId(item), 'vm-outline');
    assert.match(item.contextValue ?? '', /^instance\.stopped\b/);
  });
});

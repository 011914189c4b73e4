import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import type { ClusterNode, NodeAvailability } from '../core/provider';
import type { ClusterNodeListings } from './clusterNodeListings';
import { drainConfirmation, drainPlan } from './clusterTreeNodes';
import { COMMANDS } from './contributions';
import type { ClusterNodeTreeNode } from './instanceTreeItems';
import { runOperation } from './operationProgress';

export interface ClusterNodeCommandDependencies {
  controller: SwarmController;
  clusterNodes: ClusterNodeListings;
  log: vscode.LogOutputChannel;
}

/** A node of a provider, as a command receives it from the tree, or picks it from the palette. */
interface PickedNode {
  provider: string;
  node: ClusterNode;
}

const DRAIN = 'Drain Node';

/** Drain Node (asks first: its instances move) and Activate Node, on a node row or picked from the listed nodes. */
export function registerClusterNodeCommands(deps: ClusterNodeCommandDependencies): vscode.Disposable {
  const onNode = (verb: string, applies: (node: ClusterNode) => boolean, act: (picked: PickedNode) => Promise<unknown>) => async (argument?: ClusterNodeTreeNode) => {
    const picked = argument ? { provider: argument.provider, node: argument.node } : await pickNode(deps.clusterNodes, verb, applies);
    if (picked) await act(picked);
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(
      COMMANDS.drainNode,
      onNode('drain', (node) => node.availability !== 'drain', (picked) => drain(deps, picked)),
    ),
    vscode.commands.registerCommand(
      COMMANDS.activateNode,
      onNode('activate', (node) => node.availability !== 'active', (picked) => setAvailability(deps, picked, 'active')),
    ),
  );
}

async function drain(deps: ClusterNodeCommandDependencies, picked: PickedNode): Promise<void> {
  const { question, detail } = drainConfirmation(picked.node, drainPlan(picked.node, deps.controller.list({ provider: picked.provider })));
  if ((await vscode.window.showWarningMessage(question, { modal: true, detail }, DRAIN)) !== DRAIN) return;
  await setAvailability(deps, picked, 'drain');
}

async function setAvailability({ clusterNodes, log }: ClusterNodeCommandDependencies, { provider, node }: PickedNode, availability: NodeAvailability): Promise<void> {
  const verb = availability === 'drain' ? 'drain' : 'activate';
  await runOperation(log, {
    title: `${availability === 'drain' ? 'Draining' : 'Activating'} node "${node.hostname}"`,
    failure: `Could not ${verb} node "${node.hostname}"`,
    run: () => clusterNodes.setAvailability(provider, node.id, availability),
  });
}

async function pickNode(clusterNodes: ClusterNodeListings, verb: string, applies: (node: ClusterNode) => boolean): Promise<PickedNode | undefined> {
  const candidates = clusterNodes.all().filter(({ node }) => applies(node));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Remote Swarm: there is no node to ${verb}.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((candidate) => ({
      label: candidate.node.hostname,
      description: `${candidate.node.role} · ${candidate.node.availability} · ${candidate.node.instances.length} instance(s) · ${candidate.provider}`,
      candidate,
    })),
    { placeHolder: `Node to ${verb}` },
  );
  return picked?.candidate;
}

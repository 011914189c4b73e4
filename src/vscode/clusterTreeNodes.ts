import type { Instance } from '../core/models';
import { compareNaturally } from '../core/naturalOrder';
import type { ClusterNode } from '../core/provider';
import type { ClusterNodeListing } from './clusterNodeListings';
import type { ClusterNodesFolder, ClusterNodeTreeNode, InstanceNode } from './instanceTreeItems';

/** The tree id of a node's row; the rows of its instances are under it. */
export function clusterNodeTreeId(provider: string, nodeId: string): string {
  return `clusterNode:${provider}:${nodeId}`;
}

/** The nodes by hostname as people read them (node2 before node10), each with the registry's instances on it by name. */
export function clusterNodeChildren({ provider, listing, instances }: ClusterNodesFolder): ClusterNodeTreeNode[] {
  const byId = new Map(instances.map((instance) => [instance.id, instance]));
  return [...(listing.nodes ?? [])]
    .sort((a, b) => compareNaturally(a.hostname, b.hostname))
    .map((node) => ({
      kind: 'clusterNode',
      provider,
      node,
      instances: node.instances
        .flatMap((id) => byId.get(id) ?? [])
        .sort((a, b) => compareNaturally(a.name, b.name)),
    }));
}

/** A node's instances as instance rows, so every instance command works on them. */
export function clusterNodeInstanceChildren({ provider, node, instances }: ClusterNodeTreeNode): InstanceNode[] {
  return instances.map((instance) => ({ kind: 'instance', instance, under: clusterNodeTreeId(provider, node.id) }));
}

/** The folder under a provider with nodes, once they were listed. */
export function clusterNodesFolder(provider: string, listing: ClusterNodeListing | undefined, instances: Instance[]): ClusterNodesFolder[] {
  return listing ? [{ kind: 'clusterNodes', provider, listing, instances }] : [];
}

/** What draining a node does to its instances: most move to other nodes; one pinned to it (its workspace volume is there) waits. */
export interface DrainPlan {
  moving: Instance[];
  pinned: Instance[];
}

export function drainPlan(node: ClusterNode, instances: readonly Instance[]): DrainPlan {
  const on = instances.filter((instance) => node.instances.includes(instance.id)).sort((a, b) => compareNaturally(a.name, b.name));
  const pinned = (instance: Instance) => instance.metadata.pinnedNode === node.id;
  return { moving: on.filter((instance) => !pinned(instance)), pinned: on.filter(pinned) };
}

/** The modal's question and detail: the node, how many instances move and which cannot. */
export function drainConfirmation(node: ClusterNode, { moving, pinned }: DrainPlan): { question: string; detail: string } {
  const count = (instances: readonly Instance[]) => `${instances.length} instance${instances.length === 1 ? '' : 's'}`;
  const names = (instances: readonly Instance[]) => instances.map((instance) => instance.name).join(', ');
  const lines = [
    moving.length === 0
      ? 'No instance will move.'
      : `${count(moving)} will move to other nodes, where their placement allows: ${names(moving)}. Each restarts there, and keeps its workspace only if its volume driver shares volumes between nodes.`,
    ...(pinned.length === 0 ? [] : [`${count(pinned)} pinned to this node (the workspace volume is there) will stop until the node is active again: ${names(pinned)}.`]),
    'The node takes no new instances until you activate it.',
  ];
  return { question: `Drain node "${node.hostname}"? ${count(moving)} will move.`, detail: lines.join('\n\n') };
}

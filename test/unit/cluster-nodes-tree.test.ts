import assert from 'node:assert/strict';
import type { ClusterNode } from '../../src/core/provider';
import { clusterNodeChildren, clusterNodeInstanceChildren, clusterNodesFolder, drainConfirmation, drainPlan } from '../../src/vscode/clusterTreeNodes';
import { sampleInstance } from '../support/sampleInstance';

function clusterNode(hostname: string, instances: string[], extra: Partial<ClusterNode> = {}): ClusterNode {
  return { id: `id-${hostname}`, hostname, role: 'worker', availability: 'active', state: 'ready', labels: {}, instances, ...extra };
}

const swarmInstance = (name: string, metadata: Record<string, string> = {}) => sampleInstance(name, { provider: 'swarm', metadata });

describe('cluster nodes in the Instances tree', () => {
  it('lists the nodes by hostname as people read them, each with the registry\'s instances on it by name', () => {
    const instances = [swarmInstance('web-10'), swarmInstance('web-2'), swarmInstance('db')];
    const listing = {
      nodes: [clusterNode('node10', []), clusterNode('node2', ['id-web-10', 'id-web-2']), clusterNode('node1', ['id-db', 'id-not-adopted-yet'], { role: 'manager' })],
    };
    const [folder] = clusterNodesFolder('swarm', listing, instances);
    const nodes = clusterNodeChildren(folder!);
    assert.deepEqual(
      nodes.map(({ node, instances: on }) => [node.hostname, on.map((instance) => instance.name)]),
      [
        ['node1', ['db']],
        ['node2', ['web-2', 'web-10']],
        ['node10', []],
      ],
    );
  });

  it('shows a node\'s instances as instance rows with ids of their own, so the same instance under its provider and its node is two rows', () => {
    const [folder] = clusterNodesFolder('swarm', { nodes: [clusterNode('node2', ['id-web'])] }, [swarmInstance('web')]);
    const [rows] = clusterNodeChildren(folder!).map(clusterNodeInstanceChildren);
    assert.deepEqual(rows, [{ kind: 'instance', instance: swarmInstance('web'), under: 'clusterNode:swarm:id-node2' }]);
  });

  it('has no Nodes folder before the nodes were listed', () => {
    assert.deepEqual(clusterNodesFolder('swarm', undefined, []), []);
  });

  it('confirms a drain naming the node and how many instances move; a pinned one stays and stops', () => {
    const node = clusterNode('node2', ['id-api', 'id-web', 'id-pinned']);
    const instances = [swarmInstance('web'), swarmInstance('api'), swarmInstance('pinned', { pinnedNode: 'id-node2' }), swarmInstance('elsewhere')];
    const plan = drainPlan(node, instances);
    assert.deepEqual([plan.moving.map((instance) => instance.name), plan.pinned.map((instance) => instance.name)], [['api', 'web'], ['pinned']]);
    const { question, detail } = drainConfirmation(node, plan);
    assert.equal(question, 'Drain node "node2"? 2 instances will move.');
    assert.match(detail, /^2 instances will move to other nodes, where their placement allows: api, web\./);
    assert.match(detail, /1 instance pinned to this node \(the workspace volume is there\) will stop until the node is active again: pinned\./);

    const empty = drainConfirmation(clusterNode('node3', []), drainPlan(clusterNode('node3', []), instances));
    assert.equal(empty.question, 'Drain node "node3"? 0 instances will move.');
    assert.match(empty.detail, /^No instance will move\./);
  });
});

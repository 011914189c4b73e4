import type Docker from 'dockerode';
import { SwarmError } from '../../core/errors';
import type { ClusterNode, ClusterNodes, NodeAvailability } from '../../core/provider';
import { LABEL, labelFilters } from '../dockerEngine/dockerLabels';
import type { SwarmNode, SwarmTask } from './swarmTypes';

/** What the nodes extension uses of the provider. */
export interface SwarmNodeParts {
  docker: Docker;
  extraLabels: Record<string, string>;
  /** Called after a node changed, so cached node facts are read afresh. */
  forgetNodes(): void;
  toSwarmError(error: unknown, action: string): SwarmError;
}

/** The swarm's nodes with the instances running or starting on each: one nodes call and one tasks call. */
export class SwarmNodes implements ClusterNodes {
  constructor(private readonly parts: () => SwarmNodeParts) {}

  async listNodes(): Promise<ClusterNode[]> {
    const { docker, extraLabels, toSwarmError } = this.parts();
    try {
      const [nodes, tasks] = await Promise.all([
        docker.listNodes() as Promise<SwarmNode[]>,
        docker.listTasks({ filters: { label: [LABEL.instance, ...labelFilters(extraLabels)], 'desired-state': ['running'] } }) as Promise<SwarmTask[]>,
      ]);
      return nodes.map((node) => toClusterNode(node, tasks)).sort((a, b) => a.hostname.localeCompare(b.hostname));
    } catch (error) {
      throw toSwarmError(error, 'Listing the swarm\'s nodes');
    }
  }

  async setAvailability(nodeId: string, availability: NodeAvailability): Promise<ClusterNode> {
    const { docker, forgetNodes, toSwarmError } = this.parts();
    try {
      const node = docker.getNode(nodeId);
      const current = (await node.inspect()) as SwarmNode;
      await node.update({ version: current.Version?.Index, ...current.Spec, Availability: availability });
      forgetNodes();
      const updated = (await this.listNodes()).find((candidate) => candidate.id === current.ID);
      if (!updated) throw new SwarmError('OPERATION_FAILED', `Node ${nodeId} left the swarm.`);
      return updated;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) throw new SwarmError('OPERATION_FAILED', `There is no node "${nodeId}" in the swarm.`, { cause: error, details: { node: nodeId } });
      throw toSwarmError(error, `Setting node ${nodeId} to ${availability}`);
    }
  }
}

export function toClusterNode(node: SwarmNode, tasks: readonly SwarmTask[]): ClusterNode {
  const instances = tasks
    .filter((task) => task.NodeID === node.ID && task.DesiredState === 'running')
    .map((task) => task.Spec?.ContainerSpec?.Labels?.[LABEL.instance])
    .filter((id): id is string => id !== undefined);
  const resources = node.Description?.Resources;
  return {
    id: node.ID,
    hostname: node.Description?.Hostname ?? node.ID,
    role: node.Spec.Role,
    availability: node.Spec.Availability,
    state: node.Status?.State ?? 'unknown',
    ...(node.Status?.Addr ? { address: node.Status.Addr } : {}),
    ...(node.Description?.Engine?.EngineVersion ? { engineVersion: node.Description.Engine.EngineVersion } : {}),
    ...(resources?.NanoCPUs ? { cpuCores: resources.NanoCPUs / 1e9 } : {}),
    ...(resources?.MemoryBytes ? { memoryBytes: resources.MemoryBytes } : {}),
    labels: node.Spec.Labels ?? {},
    instances: [...new Set(instances)].sort(),
  };
}

import type Docker from 'dockerode';
import type { InstanceConfig, InstanceStatus, PortMapping } from '../../core/models';
import type { ProviderInstance } from '../../core/provider';
import { publishedPortReach } from '../dockerEngine/dockerConnection';
import { LABEL, decodeConfig } from '../dockerEngine/dockerLabels';
import { NODE_LABEL, type PublishMode } from './swarmServiceSpec';
import { traefikUrl, type TraefikSettings } from './swarmTraefik';
import type { SwarmNode, SwarmTask } from './swarmTypes';

/** A task Swarm is still bringing up. */
const STARTING_STATES = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']);
/** A task whose container no longer runs. */
const ENDED_STATES = new Set(['complete', 'shutdown', 'failed', 'rejected', 'orphaned', 'remove']);

export interface ViewSettings {
  publishMode: PublishMode;
  traefik?: TraefikSettings;
  /** The manager's address setting: where ingress ports are reached from here. */
  managerHost: string | undefined;
}

/** An instance's current task: the newest one Swarm wants running, else the newest still running (being stopped). */
export function currentTask(tasks: readonly SwarmTask[]): SwarmTask | undefined {
  const newest = [...tasks].sort((a, b) => (b.Version?.Index ?? 0) - (a.Version?.Index ?? 0));
  return newest.find((task) => task.DesiredState === 'running') ?? newest.find((task) => !ENDED_STATES.has(task.Status.State));
}

/**
 * Why the newest task a node refused was refused: Swarm replaces a refused task at once, so the current task may
 * already be a new one that will be refused for the same reason (an image no node has).
 */
function lastRejection(tasks: readonly SwarmTask[]): string | undefined {
  const newest = [...tasks].sort((a, b) => (b.Version?.Index ?? 0) - (a.Version?.Index ?? 0));
  return newest.find((task) => task.Status.State === 'rejected' && task.Status.Err)?.Status.Err;
}

/** A ProviderInstance from a service, its tasks and the swarm's nodes: a whole list costs one call of each. */
export function toProviderInstance(service: Docker.Service, tasks: readonly SwarmTask[], nodes: ReadonlyMap<string, SwarmNode>, settings: ViewSettings): ProviderInstance {
  const labels = service.Spec?.Labels ?? {};
  const config = decodeConfig(labels);
  const wanted = service.Spec?.Mode?.Replicated?.Replicas ?? 0;
  const task = currentTask(tasks);
  const status = statusOf(wanted, task);
  const node = task?.NodeID === undefined ? undefined : nodes.get(task.NodeID);
  const ports = status === 'running' ? boundPorts(service, task, config, settings) : [];
  const hostOf = (port: PortMapping) => (settings.publishMode === 'host' ? node?.Status?.Addr : publishedPortReach(settings.managerHost, '0.0.0.0', port.host!)?.host);
  const ide = ports.find((port) => port.purpose === 'ide');
  const ssh = ports.find((port) => port.purpose === 'ssh');
  const ideHost = ide && hostOf(ide);
  const sshHost = ssh && hostOf(ssh);
  const name = config?.name ?? labels[LABEL.name] ?? service.Spec?.Name ?? service.ID;
  return {
    id: labels[LABEL.instance] ?? service.ID,
    name,
    status,
    urls: {
      ...(status !== 'running' ? {} : settings.traefik && config?.ports.some((port) => port.purpose === 'ide') ? { ide: traefikUrl(name, settings.traefik) } : {}),
      ...(status === 'running' && !settings.traefik && ideHost ? { ide: `http://${urlHost(ideHost)}:${ide.host}/` } : {}),
      ...(sshHost ? { ssh: `ssh://${urlHost(sshHost)}:${ssh!.host}` } : {}),
    },
    ports,
    config,
    ...(service.CreatedAt ? { createdAt: service.CreatedAt } : {}),
    metadata: {
      serviceId: service.ID,
      volume: labels[LABEL.volume] ?? '',
      image: config?.image ?? '',
      ...(node ? { node: node.Description?.Hostname ?? node.ID, nodeId: node.ID } : {}),
      ...(labels[NODE_LABEL] ? { pinnedNode: labels[NODE_LABEL] } : {}),
      ...(task ? { taskId: task.ID, taskState: task.Status.State } : {}),
      ...(task?.Status.ContainerStatus?.ContainerID ? { containerId: task.Status.ContainerStatus.ContainerID } : {}),
      ...(task?.Status.Err ? { taskError: task.Status.Err } : {}),
      ...(lastRejection(tasks) ? { lastRejection: lastRejection(tasks) } : {}),
    },
  };
}

/**
 * The instance's status from its service's replica count and its current task: a task scheduled nowhere ("no suitable
 * node") or failed is an error, one on its way up is starting, one being replaced is restarting.
 */
function statusOf(wanted: number, task: SwarmTask | undefined): InstanceStatus {
  // Right after a scale to 0 the orchestrator may still list the task as desired running: it is stopping all the same.
  if (wanted === 0) return task && !ENDED_STATES.has(task.Status.State) ? 'stopping' : 'stopped';
  if (!task) return 'starting';
  const state = task.Status.State;
  if (state === 'running') return task.DesiredState === 'running' ? 'running' : 'restarting';
  if (state === 'failed' || state === 'rejected' || (state === 'pending' && task.Status.Err)) return 'error';
  if (STARTING_STATES.has(state)) return 'starting';
  return 'restarting';
}

/** Published ports as bound: a host-mode port on the task's node (the task says which), an ingress port on every node (the service says). */
function boundPorts(service: Docker.Service, task: SwarmTask | undefined, config: InstanceConfig | undefined, settings: ViewSettings): PortMapping[] {
  const published = settings.publishMode === 'host' ? (task?.Status.PortStatus?.Ports ?? []) : (service.Endpoint?.Ports ?? []);
  const seen = new Set<string>();
  const mappings: PortMapping[] = [];
  for (const port of published) {
    const key = `${port.TargetPort}/${port.Protocol}`;
    if (!port.PublishedPort || !port.TargetPort || seen.has(key)) continue;
    seen.add(key);
    const protocol = port.Protocol === 'udp' ? 'udp' : 'tcp';
    const configured = config?.ports.find((candidate) => candidate.container === port.TargetPort && candidate.protocol === protocol);
    mappings.push({ container: port.TargetPort, host: port.PublishedPort, hostIp: '0.0.0.0', protocol, purpose: configured?.purpose ?? 'other' });
  }
  return mappings;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

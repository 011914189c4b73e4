import type Docker from 'dockerode';
import type { InstanceConfig, InstanceStatus, PortMapping } from '../../core/models';
import type { ProviderInstance } from '../../core/provider';
import { publishedPortReach } from '../dockerEngine/dockerConnection';
import { LABEL, decodeConfig } from '../dockerEngine/dockerLabels';

const STATUS_BY_STATE: Record<string, InstanceStatus> = {
  created: 'stopped',
  running: 'running',
  paused: 'stopped',
  restarting: 'restarting',
  removing: 'deleting',
  exited: 'stopped',
  dead: 'error',
};

/**
 * A ProviderInstance from one entry of the container list alone (no inspect), so a whole list costs one API call.
 * `engineHost` is the engine's address setting, which says where its published ports are reached.
 */
export function toProviderInstance(container: Docker.ContainerInfo, engineHost: string | undefined): ProviderInstance {
  const labels = container.Labels;
  const config = decodeConfig(labels);
  const ports = boundPorts(container.Ports, config);
  const ide = ports.find((port) => port.purpose === 'ide');
  const ssh = ports.find((port) => port.purpose === 'ssh');
  return {
    id: labels[LABEL.instance] ?? container.Id,
    name: config?.name ?? labels[LABEL.name] ?? container.Names[0]?.replace(/^\//, '') ?? container.Id,
    status: STATUS_BY_STATE[container.State] ?? 'unknown',
    urls: {
      ...(ide?.host === undefined ? {} : { ide: `http://${urlHost(engineHost, ide.hostIp, ide.host)}:${ide.host}/` }),
      ...(ssh?.host === undefined ? {} : { ssh: `ssh://${urlHost(engineHost, ssh.hostIp, ssh.host)}:${ssh.host}` }),
    },
    ports,
    config,
    createdAt: new Date(container.Created * 1000).toISOString(),
    metadata: { containerId: container.Id, volume: labels[LABEL.volume] ?? '', image: container.Image },
  };
}

export function isRunning(container: Docker.ContainerInfo): boolean {
  return container.State === 'running' || container.State === 'restarting';
}

function boundPorts(ports: Docker.Port[], config: InstanceConfig | undefined): PortMapping[] {
  const seen = new Set<string>();
  const mappings: PortMapping[] = [];
  for (const port of ports) {
    const key = `${port.PrivatePort}/${port.Type}/${port.PublicPort}`;
    // A binding on all addresses is listed twice, once for IPv4 and once for IPv6.
    if (!port.PublicPort || seen.has(key)) continue;
    seen.add(key);
    const protocol = port.Type === 'udp' ? 'udp' : 'tcp';
    const configured = config?.ports.find((p) => p.container === port.PrivatePort && p.protocol === protocol);
    mappings.push({ container: port.PrivatePort, host: port.PublicPort, hostIp: port.IP, protocol, purpose: configured?.purpose ?? 'other' });
  }
  return mappings;
}

/**
 * The host of a published port's URL: the address it is bound to; for every address, the engine's machine as reached
 * from here (loopback for this machine's engine, the engine's host name for a tcp:// one).
 */
function urlHost(engineHost: string | undefined, hostIp: string, port: number): string {
  const host = publishedPortReach(engineHost, hostIp, port)?.host ?? hostIp;
  return host.includes(':') ? `[${host}]` : host;
}

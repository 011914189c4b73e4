import type Docker from 'dockerode';
import { invalidConfig, SwarmError } from '../../core/errors';
import type { PrivateNetwork, PrivateNetworks } from '../../core/provider';
import { LABEL, labelFilters } from '../dockerEngine/dockerLabels';

/** On every network the provider makes: the network's name as Remote Swarm knows it. */
export const NETWORK_LABEL = 'remote-swarm.network';

/** The swarm's name for a network: prefixed, so it cannot clash with the user's own networks. */
export function swarmNetworkName(name: string): string {
  return `remote-swarm-${name}`;
}

const NETWORK_NAME = /^[a-z0-9][a-z0-9_.-]{0,49}$/i;
const ALIAS = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** What the Swarm provider lends its networks: the manager, its scope, and a way to change an instance's service. */
export interface SwarmNetworkParts {
  docker: Docker;
  extraLabels: Record<string, string>;
  /** Changes the networks an instance's service is attached to (Swarm replaces its task to apply it). */
  updateServiceNetworks(id: string, change: (networks: Docker.NetworkAttachmentConfig[]) => Docker.NetworkAttachmentConfig[]): Promise<void>;
  toSwarmError(error: unknown, action: string): SwarmError;
}

/**
 * Private networks as attachable overlay networks spanning the swarm's nodes. Members find each other by the aliases
 * of their service's attachment, which the swarm's DNS resolves to their tasks (services are dnsrr, so the names
 * resolve to task addresses, with no virtual IP needed); `tasks.<service>` resolves too.
 */
export class SwarmNetworks implements PrivateNetworks {
  constructor(private readonly parts: () => SwarmNetworkParts) {}

  async createNetwork(name: string, labels: Record<string, string> = {}): Promise<PrivateNetwork> {
    if (!NETWORK_NAME.test(name)) throw invalidConfig('name', `"${name}" is not a network name: up to 50 letters, digits, "_", "." and "-", starting with a letter or digit`);
    const { docker, extraLabels, toSwarmError } = this.parts();
    const allLabels = { ...labels, ...extraLabels, [NETWORK_LABEL]: name };
    try {
      if (await this.find(name)) throw conflict(name);
      const network = await docker.createNetwork({ Name: swarmNetworkName(name), Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: allLabels });
      return { id: network.id, name, labels: allLabels };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 409) throw conflict(name, error);
      throw toSwarmError(error, `Creating network "${name}"`);
    }
  }

  async listNetworks(): Promise<PrivateNetwork[]> {
    try {
      return (await this.list()).map((network) => ({ id: network.Id, name: network.Labels?.[NETWORK_LABEL] ?? network.Name, labels: network.Labels ?? {} }));
    } catch (error) {
      throw this.parts().toSwarmError(error, 'Listing networks');
    }
  }

  async connectInstance(network: string, id: string, aliases: readonly string[]): Promise<void> {
    for (const alias of aliases) if (!ALIAS.test(alias)) throw invalidConfig('aliases', `"${alias}" is not a host name (letters, digits, inner hyphens, dots between labels)`);
    const target = await this.find(network);
    if (!target) throw new SwarmError('OPERATION_FAILED', `There is no network "${network}"; create it first.`, { details: { network } });
    await this.parts().updateServiceNetworks(id, (networks) => {
      const joined = networks.find((attachment) => attachment.Target === target.Id || attachment.Target === target.Name);
      if (joined && aliases.every((alias) => joined.Aliases?.includes(alias))) return networks;
      if (joined) throw new SwarmError('CONFLICT', `Instance ${id} is on network "${network}" already, with other aliases (${(joined.Aliases ?? []).join(', ')}). Disconnect it first.`);
      return [...networks, { Target: target.Name, Aliases: [...aliases] }];
    });
  }

  async disconnectInstance(network: string, id: string): Promise<void> {
    const target = await this.find(network);
    if (!target) return;
    await this.parts().updateServiceNetworks(id, (networks) => networks.filter((attachment) => attachment.Target !== target.Id && attachment.Target !== target.Name));
  }

  /** Removes the network once no instance's service is attached to it. */
  async deleteNetwork(name: string): Promise<void> {
    const { docker, extraLabels, toSwarmError } = this.parts();
    try {
      const target = await this.find(name);
      if (!target) return;
      const services = await docker.listServices({ filters: { label: [LABEL.instance, ...labelFilters(extraLabels)] } });
      const members = services.filter((service) => (service.Spec?.TaskTemplate?.Networks ?? []).some((attachment) => attachment.Target === target.Id || attachment.Target === target.Name));
      if (members.length > 0) {
        const names = members.map((member) => member.Spec?.Labels?.[LABEL.name] ?? member.Spec?.Name ?? member.ID);
        throw new SwarmError('CONFLICT', `Network "${name}" still has members (${names.join(', ')}). Disconnect them first.`, { details: { network: name, members: names } });
      }
      await removeOnceTasksLeft(docker.getNetwork(target.Id));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      throw toSwarmError(error, `Deleting network "${name}"`);
    }
  }

  private async find(name: string): Promise<Docker.NetworkInspectInfo | undefined> {
    return (await this.list(name))[0];
  }

  private list(name?: string): Promise<Docker.NetworkInspectInfo[]> {
    const { docker, extraLabels } = this.parts();
    const network = name === undefined ? NETWORK_LABEL : `${NETWORK_LABEL}=${name}`;
    return docker.listNetworks({ filters: { label: [network, ...labelFilters(extraLabels)], driver: ['overlay'] } });
  }
}

/** The tasks of a removed service leave the network a moment after: until then the manager refuses to remove it ("in use"). */
async function removeOnceTasksLeft(network: Docker.Network, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await network.remove();
      return;
    } catch (error) {
      const inUse = (error as { statusCode?: number }).statusCode === 403 || /in use|active endpoints/i.test(String(error));
      if (!inUse || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function conflict(name: string, cause?: unknown): SwarmError {
  return new SwarmError('CONFLICT', `A network named "${name}" already exists (swarm network ${swarmNetworkName(name)}). Choose another name, or delete that network.`, {
    cause,
    details: { network: name },
  });
}

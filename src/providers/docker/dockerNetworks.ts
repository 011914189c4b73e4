import type Docker from 'dockerode';
import { invalidConfig, SwarmError } from '../../core/errors';
import type { PrivateNetwork, PrivateNetworks } from '../../core/provider';
import { engineMessage } from '../dockerEngine/dockerErrors';
import { LABEL, labelFilters } from '../dockerEngine/dockerLabels';
import type { DockerProviderParts } from './dockerProviderParts';

/** On every network the provider makes: the network's name as Remote Swarm knows it. */
export const NETWORK_LABEL = 'remote-swarm.network';

/** The engine's name for a network: prefixed like containers, so it cannot clash with the user's own networks. */
export function dockerNetworkName(name: string): string {
  return `remote-swarm-${name}`;
}

/** What Docker accepts in a network name, less what it would accept and should not (the engine takes "bad name!"). */
const NETWORK_NAME = /^[a-z0-9][a-z0-9_.-]{0,49}$/i;

/** A host name: dot-separated labels of letters, digits and inner hyphens. */
const ALIAS = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;


/**
 * Private networks as user-defined bridge networks: the engine's DNS resolves a member's aliases for the other members
 * of the same network only. Isolation between networks beyond DNS is the engine's (its iptables rules; an engine run
 * with --iptables=false routes between bridges), and an instance also stays on the default bridge it was created on.
 */
export class DockerNetworks implements PrivateNetworks {
  constructor(private readonly parts: () => DockerProviderParts) {}

  async createNetwork(name: string, labels: Record<string, string> = {}): Promise<PrivateNetwork> {
    checkName(name);
    const { docker, extraLabels, toSwarmError } = this.parts();
    const allLabels = { ...labels, ...extraLabels, [NETWORK_LABEL]: name };
    try {
      const network = await docker.createNetwork({ Name: dockerNetworkName(name), Driver: 'bridge', CheckDuplicate: true, Labels: allLabels });
      return { id: network.id, name, labels: allLabels };
    } catch (error) {
      if (statusOf(error) === 409) {
        throw new SwarmError('CONFLICT', `A network named "${name}" already exists (Docker network ${dockerNetworkName(name)}). Choose another name, or delete that network.`, {
          cause: error,
          details: { network: name },
        });
      }
      throw toSwarmError(error, `Creating network "${name}"`);
    }
  }

  async listNetworks(): Promise<PrivateNetwork[]> {
    const { toSwarmError } = this.parts();
    try {
      return (await this.list()).map(toPrivateNetwork);
    } catch (error) {
      throw toSwarmError(error, 'Listing networks');
    }
  }

  /** Joins the instance's container under the aliases; joining again with aliases it already has changes nothing. */
  async connectInstance(network: string, id: string, aliases: readonly string[]): Promise<void> {
    for (const alias of aliases) if (!ALIAS.test(alias)) throw invalidConfig('aliases', `"${alias}" is not a host name (letters, digits, inner hyphens, dots between labels)`);
    const { docker, withContainer } = this.parts();
    await withContainer(id, `Connecting network "${network}" to`, undefined, async (container, info) => {
      const target = await this.require(network);
      const joined = (await container.inspect()).NetworkSettings.Networks[target.Name];
      if (joined) {
        if (aliases.every((alias) => joined.Aliases?.includes(alias))) return;
        throw new SwarmError('CONFLICT', `"${info.Labels[LABEL.name] ?? id}" is on network "${network}" already, with other aliases (${(joined.Aliases ?? []).join(', ')}). Disconnect it first.`, {
          details: { network, instance: id },
        });
      }
      await docker.getNetwork(target.Id).connect({ Container: info.Id, EndpointConfig: { Aliases: [...aliases] } });
    });
  }

  /** Leaves the network; an instance not on it, or a network that is gone, is not an error. */
  async disconnectInstance(network: string, id: string): Promise<void> {
    const { docker, withContainer } = this.parts();
    await withContainer(id, `Disconnecting network "${network}" from`, undefined, async (container, info) => {
      const target = await this.find(network);
      if (!target || !(await container.inspect()).NetworkSettings.Networks[target.Name]) return;
      await docker.getNetwork(target.Id).disconnect({ Container: info.Id });
    });
  }

  /**
   * Removes the network once no container is on it. Stopped members count: the engine would remove the network under
   * them, and they could not start again.
   */
  async deleteNetwork(name: string): Promise<void> {
    const { docker, toSwarmError } = this.parts();
    const action = `Deleting network "${name}"`;
    try {
      const target = await this.find(name);
      if (!target) return;
      // By name: a stopped container's entry for the network has no network id, so a filter by id misses it.
      const members = await docker.listContainers({ all: true, filters: { network: [target.Name] } });
      if (members.length > 0) {
        const names = members.map((member) => member.Labels[LABEL.name] ?? member.Names[0]?.replace(/^\//, '') ?? member.Id);
        throw new SwarmError('CONFLICT', `Network "${name}" still has members (${names.join(', ')}). Disconnect them first.`, { details: { network: name, members: names } });
      }
      await docker.getNetwork(target.Id).remove();
    } catch (error) {
      if (statusOf(error) === 404) return;
      if (statusOf(error) === 403 && /active endpoints/i.test(engineMessage(error))) {
        throw new SwarmError('CONFLICT', `Network "${name}" still has members. Disconnect them first.`, { cause: error, details: { network: name } });
      }
      throw toSwarmError(error, action);
    }
  }

  /** Ours (and in the provider's scope), by name: one list call. */
  private async find(name: string): Promise<Docker.NetworkInspectInfo | undefined> {
    return (await this.list(name))[0];
  }

  private async require(name: string): Promise<Docker.NetworkInspectInfo> {
    const network = await this.find(name);
    if (!network) throw new SwarmError('OPERATION_FAILED', `There is no network "${name}"; create it first.`, { details: { network: name } });
    return network;
  }

  private list(name?: string): Promise<Docker.NetworkInspectInfo[]> {
    const { docker, extraLabels } = this.parts();
    const network = name === undefined ? NETWORK_LABEL : `${NETWORK_LABEL}=${name}`;
    return docker.listNetworks({ filters: { label: [network, ...labelFilters(extraLabels)] } });
  }
}

function toPrivateNetwork(network: Docker.NetworkInspectInfo): PrivateNetwork {
  const labels = network.Labels ?? {};
  return { id: network.Id, name: labels[NETWORK_LABEL] ?? network.Name, labels };
}

function checkName(name: string): void {
  if (!NETWORK_NAME.test(name)) throw invalidConfig('name', `"${name}" is not a network name: up to 50 letters, digits, "_", "." and "-", starting with a letter or digit`);
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

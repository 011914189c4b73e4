import { SwarmError } from '../../core/errors';
import type { MemberHosts, PrivateNetwork, PrivateNetworks } from '../../core/provider';
import { flyAppName, flyInternalHost, flyNetworkName, isOurAppName, ourNetworkName } from './flyAppNames';
import type { FlyClient } from './flyClient';

export interface FlyNetworkParts {
  client: FlyClient;
  org: string;
  appPrefix: string;
  owner: string;
  toSwarmError(error: unknown, action: string): SwarmError;
}

/**
 * A group's private network as a Machines API `network`: each member's app is created on it (flyCreate.ts, from
 * memberNetwork), and apps on one network reach each other at `<app>.internal` and no app outside it. Fly has no
 * network resource of its own: a network is there while an app is on it, so creating one makes nothing and deleting
 * one only checks that no app of ours is left on it. An app's network is fixed when the app is created, so an
 * existing instance can neither join nor leave one.
 */
export class FlyNetworks implements PrivateNetworks {
  constructor(private readonly parts: () => FlyNetworkParts) {}

  /** Nothing to make: the first member's app brings the network into being. CONFLICT when an app of ours is on it already. */
  async createNetwork(name: string): Promise<PrivateNetwork> {
    const { appPrefix, owner } = this.parts();
    const network = flyNetworkName(appPrefix, owner, name);
    if ((await this.listNetworks()).some((existing) => existing.name === name)) {
      throw new SwarmError('CONFLICT', `A network named "${name}" already exists (Fly.io network ${network}). Choose another name, or delete its apps.`, { details: { network: name } });
    }
    return { id: network, name, labels: {} };
  }

  /** The networks this installation's apps are on: one GraphQL request per page of the organization's apps. */
  async listNetworks(): Promise<PrivateNetwork[]> {
    const networks = new Map<string, PrivateNetwork>();
    for (const { network, name } of await this.appsOnOurNetworks('Listing networks')) networks.set(name, { id: network, name, labels: {} });
    return [...networks.values()];
  }

  connectInstance(network: string, id: string): Promise<void> {
    return Promise.reject(fixedAtCreate(network, id, 'join'));
  }

  disconnectInstance(network: string, id: string): Promise<void> {
    return Promise.reject(fixedAtCreate(network, id, 'leave'));
  }

  /** Fly forgets a network with its last app: this only refuses while an app of ours is still on it. */
  async deleteNetwork(name: string): Promise<void> {
    const left = (await this.appsOnOurNetworks(`Deleting network "${name}"`)).filter((app) => app.name === name).map((app) => app.app);
    if (left.length > 0) {
      throw new SwarmError('CONFLICT', `Network "${name}" still has members (Fly.io apps ${left.join(', ')}). Delete them first.`, { details: { network: name, members: left } });
    }
  }

  /**
   * The coordinator at its app's `.internal` name. No one name resolves to every worker on Fly (each `.internal` name
   * is one app's, and `_apps.internal` lists every app of the organization as text), so workers get none.
   */
  memberHosts(_group: string, coordinatorId: string | undefined): MemberHosts {
    return coordinatorId === undefined ? {} : { coordinator: flyInternalHost(flyAppName(this.parts().appPrefix, coordinatorId)) };
  }

  private async appsOnOurNetworks(action: string): Promise<{ app: string; network: string; name: string }[]> {
    const { client, org, appPrefix, owner, toSwarmError } = this.parts();
    try {
      const apps = await client.listAppNetworks(org);
      return apps.flatMap(({ name: app, network }) => {
        const name = isOurAppName(appPrefix, app) ? ourNetworkName(appPrefix, owner, network) : undefined;
        return name === undefined || network === undefined ? [] : [{ app, network, name }];
      });
    } catch (error) {
      throw toSwarmError(error, action);
    }
  }
}

function fixedAtCreate(network: string, id: string, verb: 'join' | 'leave'): SwarmError {
  return new SwarmError(
    'CONFLICT',
    `Instance ${id} cannot ${verb} network "${network}": a Fly.io app's private network is set when the app is created. Create the instance as a member of its group instead.`,
    { details: { network, instance: id } },
  );
}

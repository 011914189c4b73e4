import Docker from 'dockerode';
import { SwarmError } from '../../core/errors';
import { dockerOptionsForHost, type DockerTlsSettings, type EngineSettingNames } from '../dockerEngine/dockerConnection';
import type { SwarmNode } from './swarmTypes';

/** The setting that names each node's engine (remoteSwarm.swarm.nodeEngines). */
export const NODE_ENGINES_SETTING = 'swarm.nodeEngines';

export interface NodeEngineSettings {
  /** The manager's address setting (undefined: DOCKER_HOST or the default socket). */
  managerHost: string | undefined;
  tls: DockerTlsSettings;
  /** Node hostname → engine address, for nodes not reached the default way. */
  nodeEngines: Record<string, string>;
  settingNames: EngineSettingNames;
}

/**
 * How the provider reaches the engine of the node a task runs on, for what the manager's API cannot do (exec, a
 * terminal, stats, a node-local volume): the address swarm.nodeEngines names for its hostname; else the manager
 * itself, when the task runs there; else, for an ssh:// manager, the same login at the node's address; for a TLS
 * tcp:// manager, the node's address on the same port with the same certificates. A local (unix://) manager says
 * nothing about how to reach another machine: such a node needs its entry in swarm.nodeEngines.
 */
export class NodeEngines {
  private readonly clients = new Map<string, Docker>();

  constructor(
    private readonly manager: Docker,
    private readonly managerNodeId: () => Promise<string>,
    private readonly settings: NodeEngineSettings,
  ) {}

  async forNode(node: SwarmNode): Promise<Docker> {
    const hostname = node.Description?.Hostname ?? node.ID;
    const named = this.settings.nodeEngines[hostname] ?? this.settings.nodeEngines[node.ID];
    if (named !== undefined) return this.client(named);
    if (node.ID === (await this.managerNodeId())) return this.manager;
    const derived = node.Status?.Addr ? derivedAddress(this.settings.managerHost ?? process.env.DOCKER_HOST, node.Status.Addr, this.settings.tls.tlsVerify === true || Boolean(process.env.DOCKER_TLS_VERIFY)) : undefined;
    if (derived !== undefined) return this.client(derived);
    throw new SwarmError(
      'PROVIDER_UNAVAILABLE',
      `The task runs on node "${hostname}"${node.Status?.Addr ? ` (${node.Status.Addr})` : ''}, whose Docker engine Remote Swarm does not know how to reach from here. ` +
        `Name it in ${NODE_ENGINES_SETTING}, e.g. { "${hostname}": "ssh://you@${node.Status?.Addr ?? hostname}" }.`,
      { details: { node: hostname, field: NODE_ENGINES_SETTING }, remedy: { kind: 'setting', setting: NODE_ENGINES_SETTING } },
    );
  }

  private client(address: string): Docker {
    let client = this.clients.get(address);
    if (!client) {
      client = new Docker(dockerOptionsForHost(address, this.settings.tls, process.env, { ...this.settings.settingNames, host: NODE_ENGINES_SETTING }));
      this.clients.set(address, client);
    }
    return client;
  }
}

/** The node's engine by the manager's way in: ssh:// with the same login, tcp:// with TLS on the same port; else none. */
export function derivedAddress(managerHost: string | undefined, nodeAddress: string, tls: boolean): string | undefined {
  if (managerHost === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(managerHost.includes('://') ? managerHost : `tcp://${managerHost}`);
  } catch {
    return undefined;
  }
  const host = nodeAddress.includes(':') ? `[${nodeAddress}]` : nodeAddress;
  if (url.protocol === 'ssh:') return `ssh://${url.username ? `${url.username}@` : ''}${host}${url.port ? `:${url.port}` : ''}`;
  if (tls && (url.protocol === 'tcp:' || url.protocol === 'https:')) return `${url.protocol}//${host}:${url.port || '2376'}`;
  return undefined;
}

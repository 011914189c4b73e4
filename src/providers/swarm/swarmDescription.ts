import type { ProviderCapabilities } from '../../core/provider';

// What registering the provider needs, without loading its implementation (or its SDK).

export const SWARM_PROVIDER_TYPE = 'swarm';

export const SWARM_DISPLAY_NAME = 'Docker Swarm';

/** The service an instance runs as: one replica, under the name its tasks' containers carry (`<service>.1.<task>`). */
export function swarmServiceName(instanceName: string): string {
  return `remote-swarm-${instanceName}`;
}

export const SWARM_CAPABILITIES: Readonly<ProviderCapabilities> = {
  stop: true,
  forceStop: false,
  restart: true,
  liveResourceUpdate: true,
  recreateUpdate: true,
  logs: true,
  exec: true,
  keepWorkspaceOnDelete: true,
  cancellableCreate: true,
  attachContainer: false,
  shell: true,
  provisions: true,
  endpoints: true,
  workspaceTransfer: false,
  privateNetworks: true,
  passwordReset: true,
  nodes: true,
  publishesOnAllAddresses: true,
};

import type { ProviderCapabilities } from '../../core/provider';

// What registering the provider needs, without loading its implementation (or its SDK).

export const SSH_PROVIDER_TYPE = 'ssh';

export const SSH_DISPLAY_NAME = 'SSH Hosts';

/**
 * An existing host is not Remote Swarm's to make, resize or remove: "create" registers it, "delete" forgets it, and
 * stop / start / restart act on the code-server Remote Swarm runs there.
 */
export const SSH_CAPABILITIES: Readonly<ProviderCapabilities> = {
  stop: true,
  forceStop: false,
  restart: true,
  liveResourceUpdate: false,
  recreateUpdate: false,
  logs: true,
  exec: true,
  keepWorkspaceOnDelete: false,
  cancellableCreate: false,
  attachContainer: false,
  shell: true,
  provisions: false,
  endpoints: true,
  workspaceTransfer: true,
  privateNetworks: false,
  passwordReset: true,
};

import type { ProviderCapabilities } from '../../core/provider';

// What registering the provider needs, without loading its implementation (or its SDK).

export const DOCKER_PROVIDER_TYPE = 'docker';

export const DOCKER_DISPLAY_NAME = 'Docker';

/** The container an instance runs in: also the name a Dev Containers window attached to it knows it by. */
export function dockerContainerName(instanceName: string): string {
  return `remote-swarm-${instanceName}`;
}

export const DOCKER_CAPABILITIES: Readonly<ProviderCapabilities> = {
  stop: true,
  forceStop: true,
  restart: true,
  liveResourceUpdate: true,
  recreateUpdate: true,
  logs: true,
  exec: true,
  keepWorkspaceOnDelete: true,
  cancellableCreate: true,
  attachContainer: true,
  shell: true,
  provisions: true,
  endpoints: true,
  workspaceTransfer: true,
  privateNetworks: true,
  passwordReset: true,
};

import type { ProviderCapabilities } from '../../core/provider';

// What registering the provider needs, without loading its implementation (or its SDK).

export const FLY_PROVIDER_TYPE = 'fly';

export const FLY_DISPLAY_NAME = 'Fly.io';

export const FLY_CAPABILITIES: ProviderCapabilities = {
  stop: true,
  forceStop: true,
  restart: true,
  // A machine update applies CPU and memory in place (same machine and volume) with a restart.
  liveResourceUpdate: true,
  recreateUpdate: true,
  // The Machines API has no logs endpoint (Fly serves logs over NATS to flyctl).
  logs: false,
  exec: true,
  // The volume belongs to the instance's app, which delete removes.
  keepWorkspaceOnDelete: false,
  cancellableCreate: true,
  attachContainer: false,
  // Fly's interactive shells go through WireGuard and SSH (`fly ssh console`), not the Machines API.
  shell: false,
  provisions: true,
  endpoints: true,
  // Exec starts a receiver in the machine; the tar stream goes through the app's transfer service (flyWorkspaces.ts).
  workspaceTransfer: true,
  // A group's apps share a Machines API network and reach each other at <app>.internal; set when an app is created.
  privateNetworks: true,
  passwordReset: false,
};

import { invalidConfig } from '../../core/errors';
import type { InstanceConfig } from '../../core/models';
import { CODE_SERVER_PORT } from '../../core/templates';
import { flyGuestFor, flyVolumeSizeFor } from './flyGuest';
import { machineMetadata } from './flyMetadata';
import { TRANSFER_PORT } from './flyTransferReceiver';
import type { FlyGuest, FlyMachineConfig } from './flyTypes';

/** What an instance needs on Fly, checked before any API call. */
export interface FlyInstanceSpec {
  guest: FlyGuest;
  volumeGB: number;
  /** The port code-server listens on inside the machine. */
  idePort: number;
}

/** Throws INVALID_CONFIG, naming the field, for what Fly would refuse, or what would be open to anyone on Fly. */
export function flyInstanceSpec(config: InstanceConfig): FlyInstanceSpec {
  if (config.auth.type !== 'password') {
    throw invalidConfig('auth.type', `"${config.auth.type}" would leave the IDE open to anyone: a Fly.io instance is a public https app, so code-server must ask for a password; use "password"`);
  }
  if (config.workspacePath === '/') throw invalidConfig('workspacePath', 'Fly.io cannot mount the workspace volume at "/"; use a folder such as "/home/coder/project"');
  return {
    guest: flyGuestFor(config.resources),
    volumeGB: flyVolumeSizeFor(config.resources),
    idePort: config.ports.find((port) => port.purpose === 'ide')?.container ?? CODE_SERVER_PORT,
  };
}

export interface MachineConfigInput {
  id: string;
  config: InstanceConfig;
  spec: FlyInstanceSpec;
  volumeId: string;
  /** This installation's id, marking the machine as its own. */
  owner: string;
}

/** The machine of an instance; its env is the plain env only: the password and the secretEnv values are app secrets. */
export function machineConfigFor({ id, config, spec, volumeId, owner }: MachineConfigInput): FlyMachineConfig {
  return {
    image: config.image,
    env: { ...config.env },
    guest: spec.guest,
    ...(config.command === undefined ? {} : { init: { cmd: [...config.command] } }),
    mounts: [{ volume: volumeId, path: config.workspacePath }],
    services: [
      {
        protocol: 'tcp',
        internal_port: spec.idePort,
        ports: [{ port: 443, handlers: ['tls', 'http'] }],
        // Remote Swarm starts and stops instances; Fly's proxy doing it too would change state behind the registry's back.
        autostart: false,
        autostop: false,
      },
      // Workspace transfer (flyWorkspaces.ts): Fly ends TLS and forwards the bytes to a receiver that listens only while a transfer runs.
      { protocol: 'tcp', internal_port: TRANSFER_PORT, ports: [{ port: TRANSFER_PORT, handlers: ['tls'] }], autostart: false, autostop: false },
    ],
    checks: {
      healthz: { type: 'http', port: spec.idePort, method: 'GET', path: '/healthz', interval: '15s', timeout: '5s', grace_period: '30s' },
    },
    // Not "always": an instance that stops itself when idle must stay stopped.
    restart: { policy: 'on-failure', max_retries: 3 },
    metadata: machineMetadata(id, config, owner),
  };
}

import { SwarmError } from '../../core/errors';
import type { InstanceConfig } from '../../core/models';
import type { CreateInstanceRequest, OperationOptions } from '../../core/provider';
import type { FlyClient } from './flyClient';
import { FlyError } from './flyErrors';
import { machineConfigFor, type FlyInstanceSpec } from './flyMachineConfig';
import { flyPresetName } from './flyPricing';
import { flyFailureText, toSwarmError, type FlyErrorContext } from './flySwarmErrors';
import type { FlyIpType, FlyMachine } from './flyTypes';
import { waitForMachineState } from './flyWait';

/** Every instance has one volume, named the same in each app. */
const WORKSPACE_VOLUME_NAME = 'workspace';
const IP_TYPES: readonly FlyIpType[] = ['v6', 'shared_v4'];

export interface FlyCreateSettings {
  client: FlyClient;
  org: string;
  region: string;
  apiUrl: string;
  startTimeoutSeconds: number;
  /** This installation's id, marking the machine as its own. */
  owner: string;
  /** The Machines API `network` the app is created on (a group's); none: the organization's default. */
  network?: string;
}

/** What a create has made so far: the app holds the rest, so deleting it removes everything. */
class MadeSoFar {
  appMayExist = false;
  volume?: string;
  machine?: string;
  readonly ips: string[] = [];

  constructor(readonly app: string) {}

  describe(): string {
    const inside = [
      this.volume && `volume ${this.volume}`,
      this.machine && `machine ${this.machine}`,
      this.ips.length > 0 && `IP addresses ${this.ips.join(', ')}`,
    ].filter(Boolean);
    return `app ${this.app}${inside.length > 0 ? ` with ${inside.join(', ')}` : ''}`;
  }
}

/**
 * Creates an instance's app, its secrets (password, secretEnv values), workspace volume, IP addresses and machine, and waits for the machine
 * to start. A failure (or cancellation) midway deletes the app, and with it everything made so far; when that fails
 * too, the error says exactly what is left on Fly.io.
 */
export async function createFlyMachine(
  settings: FlyCreateSettings,
  app: string,
  { id, config, password, secretEnv = {} }: CreateInstanceRequest,
  spec: FlyInstanceSpec,
  { signal, onProgress }: OperationOptions = {},
): Promise<FlyMachine> {
  const { client, org, region } = settings;
  const made = new MadeSoFar(app);
  const context: FlyErrorContext = { action: `Creating "${config.name}" on Fly.io`, apiUrl: settings.apiUrl, region };
  try {
    onProgress?.(`Creating Fly.io app ${app}${settings.network === undefined ? '' : ` on network ${settings.network}`}`);
    await createApp(client, org, made, settings.network, signal);
    const variables = secretEnvOf(config, secretEnv);
    const secrets = password === undefined ? variables : { ...variables, PASSWORD: password };
    const what = [...(password === undefined ? [] : ['the code-server password']), ...Object.keys(variables)];
    if (what.length > 0) {
      onProgress?.(`Storing ${what.join(', ')} as ${what.length === 1 ? 'an app secret' : 'app secrets'}`);
      await client.setSecrets(app, secrets, { signal });
    }
    onProgress?.(`Creating the ${spec.volumeGB} GB workspace volume in ${region}`);
    made.volume = (await client.createVolume(app, { name: WORKSPACE_VOLUME_NAME, region, sizeGb: spec.volumeGB }, { signal })).id;
    onProgress?.('Allocating shared IPv4 and IPv6 addresses');
    for (const type of IP_TYPES) {
      const ip = await client.allocateIpAddress(app, type, { signal });
      made.ips.push(ip?.address ?? 'a shared IPv4');
    }
    onProgress?.(`Creating the machine (${flyPresetName(spec.guest)}, ${spec.guest.memory_mb} MB)`);
    const machine = await client.createMachine(app, { name: config.name, region, config: machineConfigFor({ id, config, spec, volumeId: made.volume, owner: settings.owner }) }, { signal });
    made.machine = machine.id;
    onProgress?.('Waiting for the machine to start');
    await waitForMachineState(client, app, machine, 'started', { deadlineSeconds: settings.startTimeoutSeconds, signal });
    return { ...machine, state: 'started' };
  } catch (error) {
    const failure = toSwarmError(error, context);
    if (made.appMayExist) await removeOrReport(client, made, failure);
    throw failure;
  }
}

/** The values of the config's secretEnv names among those given: app secrets, which its machines see as environment. */
export function secretEnvOf(config: InstanceConfig, values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(config.secretEnv.filter((name) => Object.hasOwn(values, name)).map((name) => [name, values[name]!]));
}

async function createApp(client: FlyClient, org: string, made: MadeSoFar, network: string | undefined, signal: AbortSignal | undefined): Promise<void> {
  try {
    await client.createApp(made.app, org, { network, signal });
  } catch (error) {
    // Without an answer the app may exist; a definite refusal (such as name_taken) means it is not ours to delete.
    if (error instanceof FlyError && error.mayHaveSucceeded) made.appMayExist = true;
    throw error;
  }
  made.appMayExist = true;
}

/** Cleanup runs even after a cancellation, so it takes no signal. */
async function removeOrReport(client: FlyClient, made: MadeSoFar, failure: SwarmError): Promise<void> {
  try {
    await client.deleteApp(made.app);
  } catch (cleanupError) {
    if (cleanupError instanceof FlyError && cleanupError.category === 'not_found') return;
    throw new SwarmError(
      failure.code,
      `${failure.message} Removing what was made failed too (${flyFailureText(cleanupError)}); still on Fly.io: ${made.describe()}. ` +
        `Delete it with \`fly apps destroy ${made.app}\`.`,
      { cause: failure, retryable: failure.retryable, details: { ...failure.details, leftovers: { app: made.app, volume: made.volume, machine: made.machine, ips: [...made.ips] } } },
    );
  }
}

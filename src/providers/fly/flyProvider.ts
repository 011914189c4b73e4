import { SwarmError, invalidConfig } from '../../core/errors';
import type { InstanceConfig } from '../../core/models';
import type {
  CreateInstanceRequest,
  DeleteOptions,
  ExecOptions,
  ExecResult,
  InstanceEndpoints,
  InstanceSecrets,
  OperationOptions,
  PrivateNetworks,
  Provider,
  ProviderCapabilities,
  ProviderInstance,
  ShellSession,
  StopOptions,
  WorkspaceTransfer,
} from '../../core/provider';
import { FlyAppListing } from './flyAppListing';
import { memberNetwork } from '../../core/groups/groupMembers';
import { DEFAULT_APP_PREFIX, flyAppName, flyNetworkName, isOurAppName } from './flyAppNames';
import { DEFAULT_FLY_ENDPOINTS, FlyClient, type FlyClientOptions } from './flyClient';
import { createFlyMachine, secretEnvOf } from './flyCreate';
import { emptyIfNotFound, FlyError } from './flyErrors';
import { flyExecCommand } from './flyExec';
import { isOurMachine, toProviderInstance, workspaceSizeGB } from './flyInstances';
import { silentLogger, type Logger } from '../../core/logger';
import { flyInstanceSpec, machineConfigFor } from './flyMachineConfig';
import { instanceIdOf, METADATA, ownerOf } from './flyMetadata';
import { FlyNetworks } from './flyNetworks';
import { instanceGone, missingToken, toSwarmError } from './flySwarmErrors';
import type { FlyMachine, FlyMachineState } from './flyTypes';
import { TRANSFER_PORT } from './flyTransferReceiver';
import { waitForMachineState } from './flyWait';
import { FlyWorkspaces, type TransferMachine } from './flyWorkspaces';
import { FLY_PROVIDER_TYPE, FLY_DISPLAY_NAME, FLY_CAPABILITIES } from './flyDescription';
export { FLY_PROVIDER_TYPE, FLY_DISPLAY_NAME, FLY_CAPABILITIES } from './flyDescription';

export interface FlyProviderOptions {
  /** Organization slug (setting fly.org). */
  org: string;
  /** Region code for new instances (setting fly.region). */
  region: string;
  apiUrl?: string;
  graphqlUrl?: string;
  /** Reads the API token from SecretStorage; asked once, on initialize. */
  getToken: () => Promise<string | undefined>;
  logger?: Logger;
  /** Names of our apps start with it (tests use their own, and see only their own apps). */
  appPrefix?: string;
  /**
   * This installation's id (installationId.ts), on the metadata of every machine it makes. Only machines with it are
   * listed as this installation's, so a colleague's instances in the same organization are never adopted, and so never
   * stopped or deleted from here. Machines made before owners were marked are listed without their config: a registry
   * that has them keeps them, none adopts them anew.
   */
  owner: string;
  /** Client internals for tests: clock, retry policy, rate limits, fetch. */
  client?: Omit<FlyClientOptions, 'token' | 'apiUrl' | 'graphqlUrl' | 'logger'>;
  /** How long create, start and restart wait for a machine to start (Fly pulls the image on first start). */
  startTimeoutSeconds?: number;
  /** How long a graceful stop may take before Fly kills the machine, and how long we wait for it. */
  stopTimeoutSeconds?: number;
  execTimeoutSeconds?: number;
  /** Where an app's service for an internal port answers from here; default https://<app>.fly.dev:<port>/ (tests: the emulator's loopback address). */
  serviceUrl?: (app: string, internalPort: number) => Promise<string>;
}

const NOT_RUNNING: ReadonlySet<FlyMachineState> = new Set(['stopped', 'created', 'suspended']);
/** After a stop's own timeout Fly kills the machine; this leaves time for that. */
const STOP_WAIT_MARGIN_SECONDS = 30;

/**
 * Instances as Fly Machines. Each instance gets its own app, rather than one app per group, because Fly routes an
 * app's public hostname (https://<app>.fly.dev) across all machines of the app: one instance per app is the only way
 * each instance gets its own IDE URL. A group's apps are created on a private network of their own (a Machines API
 * `network`), so its instances still reach each other at <app>.internal, and no other group's do. One app per
 * instance also makes delete one deletion (the app takes its
 * machine, volume and IPs with it) and gives each instance its own rate-limit budget.
 */
export class FlyProvider implements Provider {
  readonly type = FLY_PROVIDER_TYPE;
  readonly displayName = FLY_DISPLAY_NAME;
  private flyClient?: FlyClient;
  private flyListing?: FlyAppListing;
  private readonly apiUrl: string;
  private readonly appPrefix: string;
  private readonly logger: Logger;
  private readonly startTimeoutSeconds: number;
  private readonly stopTimeoutSeconds: number;
  private readonly execTimeoutSeconds: number;
  /** A group's members share a Machines API `network`, and reach each other at <app>.internal (flyNetworks.ts). */
  readonly networks: PrivateNetworks = new FlyNetworks(() => ({
    client: this.client,
    org: this.options.org,
    appPrefix: this.appPrefix,
    owner: this.options.owner,
    toSwarmError: (error, action) => this.toSwarmError(error, action),
  }));

  /** Workspaces move over the app's transfer service, to a receiver exec starts in the machine (flyWorkspaces.ts). */
  readonly workspaces: WorkspaceTransfer = new FlyWorkspaces({
    startedMachine: (id, action, signal) => this.transferMachine(id, action, signal),
    exec: async (app, machineId, argv) => {
      const result = await this.client.exec(app, machineId, argv, this.execTimeoutSeconds);
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exit_code };
    },
    serviceUrl: (app, port) => (this.options.serviceUrl ? this.options.serviceUrl(app, port) : Promise.resolve(`https://${app}.fly.dev:${port}/`)),
  });

  constructor(private readonly options: FlyProviderOptions) {
    this.apiUrl = options.apiUrl ?? DEFAULT_FLY_ENDPOINTS.apiUrl;
    this.appPrefix = options.appPrefix ?? DEFAULT_APP_PREFIX;
    this.logger = options.logger ?? silentLogger;
    this.startTimeoutSeconds = options.startTimeoutSeconds ?? 300;
    this.stopTimeoutSeconds = options.stopTimeoutSeconds ?? 30;
    this.execTimeoutSeconds = options.execTimeoutSeconds ?? 60;
  }

  getCapabilities(): ProviderCapabilities {
    return { ...FLY_CAPABILITIES };
  }

  /** Validates the token, the organization and the region (two GraphQL requests). */
  async initialize(): Promise<void> {
    const token = (await this.options.getToken())?.trim();
    if (!token) throw missingToken();
    const { org, region } = this.options;
    const client = new FlyClient({ ...this.options.client, token, apiUrl: this.apiUrl, graphqlUrl: this.options.graphqlUrl, logger: this.logger });
    try {
      const [organization, regions] = await Promise.all([client.getOrganization(org).catch(undefinedIfNotFound), client.listRegions()]);
      if (!organization) throw invalidConfig('fly.org', `the API token sees no Fly.io organization "${org}"; use its slug as \`fly orgs list\` shows it`);
      if (!regions.some((candidate) => candidate.code === region)) {
        throw invalidConfig('fly.region', `"${region}" is not a Fly.io region; use one of: ${regions.map((r) => r.code).sort().join(', ')}`);
      }
    } catch (error) {
      throw this.toSwarmError(error, 'Connecting to Fly.io');
    }
    this.flyClient = client;
    this.flyListing = new FlyAppListing(client, org, this.logger);
    this.logger.info(`Fly.io: organization ${org}, region ${region}, API ${this.apiUrl}`);
  }

  async createInstance(request: CreateInstanceRequest, options: OperationOptions = {}): Promise<ProviderInstance> {
    const spec = flyInstanceSpec(request.config);
    const app = flyAppName(this.appPrefix, request.id);
    const { org, region, owner } = this.options;
    const group = memberNetwork(request.config);
    const network = group && flyNetworkName(this.appPrefix, owner, group.network);
    const settings = { client: this.client, org, region, owner, network, apiUrl: this.apiUrl, startTimeoutSeconds: this.startTimeoutSeconds };
    return toProviderInstance(app, await createFlyMachine(settings, app, request, spec, options));
  }

  async getInstance(id: string): Promise<ProviderInstance | undefined> {
    const app = flyAppName(this.appPrefix, id);
    try {
      const machine = await this.findMachine(app, id);
      return machine && toProviderInstance(app, machine);
    } catch (error) {
      throw this.toSwarmError(error, `Looking up instance ${id}`);
    }
  }

  /** One GraphQL request per page of the organization's apps, with their machines (flyAppListing.ts). */
  async listInstances(): Promise<ProviderInstance[]> {
    try {
      const apps = await this.listing.list((app) => isOurAppName(this.appPrefix, app));
      return apps.flatMap(({ app, machines }) => machines.filter((machine) => this.isOurLive(machine)).map((machine) => this.listed(app, machine)));
    } catch (error) {
      throw this.toSwarmError(error, 'Listing Fly.io instances');
    }
  }

  startInstance(id: string, { signal }: OperationOptions = {}): Promise<ProviderInstance> {
    return this.withMachine(id, 'Starting', async (app, machine) => toProviderInstance(app, await this.ensureStarted(app, machine, signal)));
  }

  stopInstance(id: string, { force = false, signal }: StopOptions & OperationOptions = {}): Promise<ProviderInstance> {
    return this.withMachine(id, 'Stopping', async (app, machine) => {
      if (NOT_RUNNING.has(machine.state)) return toProviderInstance(app, machine);
      if (machine.state !== 'stopping') {
        await this.client.stopMachine(app, machine.id, { ...(force ? { signal: 'SIGKILL' } : {}), timeoutSeconds: this.stopTimeoutSeconds }, { signal });
      }
      return toProviderInstance(app, await this.waitFor(app, machine, 'stopped', this.stopTimeoutSeconds + STOP_WAIT_MARGIN_SECONDS, signal));
    });
  }

  restartInstance(id: string, { signal }: OperationOptions = {}): Promise<ProviderInstance> {
    return this.withMachine(id, 'Restarting', async (app, machine) => {
      if (machine.state !== 'started') return toProviderInstance(app, await this.ensureStarted(app, machine, signal));
      await this.client.restartMachine(app, machine.id, this.stopTimeoutSeconds, { signal });
      return toProviderInstance(app, await this.waitFor(app, machine, 'started', this.startTimeoutSeconds, signal));
    });
  }

  /**
   * Refused when the workspace should be kept: the volume lives in the instance's app, which delete removes. An app
   * with another installation's machine is not this one's to delete: it is left alone, as not found. Two requests.
   */
  async deleteInstance(id: string, { keepWorkspace, signal }: DeleteOptions & OperationOptions): Promise<void> {
    if (keepWorkspace) {
      throw invalidConfig('keepWorkspace', 'Fly.io instances cannot keep their workspace on delete: the volume belongs to the instance\'s app. Copy the workspace out first.');
    }
    const app = flyAppName(this.appPrefix, id);
    try {
      const machines = await this.client.listMachines(app, { signal });
      if (machines.some((machine) => isLive(machine) && !isOurMachine(machine, this.options.owner))) throw notOurs(id, app);
      await this.client.deleteApp(app, { signal });
    } catch (error) {
      if (SwarmError.is(error)) throw error;
      if (error instanceof FlyError && error.category === 'not_found') throw instanceGone(id);
      throw this.toSwarmError(error, `Deleting instance ${id}`);
    }
  }

  /**
   * Replaces the machine's configuration in place (same machine, same volume): image, env, command, CPU and memory.
   * A larger storage size extends the volume first; volumes cannot shrink. A stopped machine stays stopped. The
   * secretEnv values given are set as app secrets first; the others stay as the app keeps them. The machine is marked
   * as this installation's.
   */
  async updateInstance(id: string, config: InstanceConfig, { signal, onProgress, secretEnv = {} }: OperationOptions & InstanceSecrets = {}): Promise<ProviderInstance> {
    const spec = flyInstanceSpec(config);
    return this.withMachine(id, 'Updating', async (app, machine) => {
      const volumeId = machine.config.mounts?.[0]?.volume;
      if (volumeId === undefined) throw new SwarmError('OPERATION_FAILED', `The machine of instance "${id}" has no workspace volume; it was changed outside Remote Swarm.`);
      const currentGB = workspaceSizeGB(machine) ?? (await this.client.getVolume(app, volumeId, { signal })).size_gb;
      if (spec.volumeGB < currentGB) throw invalidConfig('resources.storageGB', `Fly.io volumes cannot shrink; the workspace has ${currentGB} GB`);
      if (spec.volumeGB > currentGB) {
        onProgress?.(`Extending the workspace volume to ${spec.volumeGB} GB`);
        await this.client.extendVolume(app, volumeId, spec.volumeGB, { signal });
      }
      const variables = secretEnvOf(config, secretEnv);
      if (Object.keys(variables).length > 0) {
        onProgress?.(`Storing ${Object.keys(variables).join(', ')} as app secrets`);
        await this.client.setSecrets(app, variables, { signal });
      }
      const wasStarted = machine.state === 'started';
      onProgress?.('Updating the machine');
      const updated = await this.client.updateMachine(
        app,
        machine.id,
        { config: machineConfigFor({ id, config, spec, volumeId, owner: this.options.owner }), currentVersion: machine.instance_id, skipLaunch: !wasStarted },
        { signal },
      );
      if (!wasStarted) return toProviderInstance(app, updated);
      onProgress?.('Waiting for the machine to start');
      return toProviderInstance(app, await this.waitFor(app, updated, 'started', this.startTimeoutSeconds, signal));
    });
  }

  async getInstanceLogs(id: string): Promise<string> {
    throw new SwarmError('OPERATION_FAILED', `Fly.io's Machines API serves no logs. Run \`fly logs --app ${flyAppName(this.appPrefix, id)}\` in a terminal.`);
  }

  executeCommand(id: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw invalidConfig('command', 'needs at least the program to run, e.g. ["ls", "-la"]');
    return this.withMachine(id, `Running ${argv[0]} in`, async (app, machine) => {
      if (machine.state !== 'started') throw new SwarmError('CONFLICT', `Instance "${id}" is not running; start it first.`);
      const result = await this.client.exec(app, machine.id, flyExecCommand(argv, options), this.execTimeoutSeconds, { signal: options.signal });
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exit_code };
    });
  }

  async openShell(id: string): Promise<ShellSession> {
    throw new SwarmError('OPERATION_FAILED', `Fly.io's Machines API offers no interactive shell. Run \`fly ssh console --app ${flyAppName(this.appPrefix, id)}\` in a terminal.`);
  }

  /** Its https://<app>.fly.dev URL while it runs; Fly offers no SSH port or container of ours to reach from here. */
  async getEndpoints(id: string): Promise<InstanceEndpoints> {
    const ide = (await this.getInstance(id))?.urls.ide;
    return ide === undefined ? {} : { ide };
  }

  dispose(): void {
    // Nothing to release: each API call is its own HTTP request.
  }

  private get client(): FlyClient {
    return this.initialized(this.flyClient);
  }

  private get listing(): FlyAppListing {
    return this.initialized(this.flyListing);
  }

  private initialized<T>(part: T | undefined): T {
    if (part === undefined) throw new SwarmError('PROVIDER_UNAVAILABLE', 'The Fly.io provider is used before initialize(); this is a bug in Remote Swarm.');
    return part;
  }

  /** The instance's machine, started if it was not (and stopped again by `release`); one made before transfers existed is refused. */
  private transferMachine(id: string, action: string, signal: AbortSignal | undefined): Promise<TransferMachine> {
    return this.withMachine(id, action, async (app, machine) => {
      if (!machine.config.services?.some((service) => service.internal_port === TRANSFER_PORT)) {
        throw new SwarmError('CONFLICT', `Instance "${id}" was made before Fly.io instances could move their workspace: update it once (any change) and its machine gets the transfer port.`);
      }
      const workspacePath = machine.config.mounts?.[0]?.path;
      if (workspacePath === undefined) throw new SwarmError('OPERATION_FAILED', `The machine of instance "${id}" has no workspace volume; it was changed outside Remote Swarm.`);
      const wasStarted = machine.state === 'started';
      const started = await this.ensureStarted(app, machine, signal);
      const release = async () => {
        if (wasStarted) return;
        await this.client.stopMachine(app, started.id, { timeoutSeconds: this.stopTimeoutSeconds }).catch(() => undefined);
        await this.waitFor(app, started, 'stopped', this.stopTimeoutSeconds + STOP_WAIT_MARGIN_SECONDS, undefined).catch(() => undefined);
      };
      return { app, machineId: machine.id, workspacePath, release };
    });
  }

  private async ensureStarted(app: string, machine: FlyMachine, signal: AbortSignal | undefined): Promise<FlyMachine> {
    if (machine.state === 'started') return machine;
    if (machine.state !== 'starting') await this.client.startMachine(app, machine.id, { signal });
    return this.waitFor(app, machine, 'started', this.startTimeoutSeconds, signal);
  }

  /** The machine as it is once /wait confirmed the state; nothing else about it changes meanwhile. */
  private async waitFor(app: string, machine: FlyMachine, state: 'started' | 'stopped', deadlineSeconds: number, signal: AbortSignal | undefined): Promise<FlyMachine> {
    await waitForMachineState(this.client, app, machine, state, { deadlineSeconds, signal });
    return { ...machine, state };
  }

  /** The live machines of this installation in an app (one request); none when the app is gone. */
  private async machinesOf(app: string): Promise<FlyMachine[]> {
    const machines = await this.client.listMachines(app).catch(emptyIfNotFound<FlyMachine>);
    return machines.filter((machine) => this.isOurLive(machine));
  }

  private isOurLive(machine: FlyMachine): boolean {
    return isLive(machine) && isOurMachine(machine, this.options.owner);
  }

  /** A machine as listed: one made before owners were marked comes without its config, so that no registry adopts it anew. */
  private listed(app: string, machine: FlyMachine): ProviderInstance {
    const instance = toProviderInstance(app, machine);
    return ownerOf(machine.config.metadata) === undefined ? { ...instance, config: undefined } : instance;
  }

  private async findMachine(app: string, id: string): Promise<FlyMachine | undefined> {
    return (await this.machinesOf(app)).find((machine) => instanceIdOf(machine.config.metadata) === id);
  }

  /** Runs an operation on an instance's machine; a missing one is INSTANCE_NOT_FOUND, any failure a SwarmError. */
  private async withMachine<T>(id: string, verb: string, work: (app: string, machine: FlyMachine) => Promise<T>): Promise<T> {
    let action = `${verb} instance ${id}`;
    try {
      const app = flyAppName(this.appPrefix, id);
      const machine = await this.findMachine(app, id);
      if (!machine) throw instanceGone(id);
      action = `${verb} "${machine.config.metadata?.[METADATA.name] ?? id}"`;
      return await work(app, machine);
    } catch (error) {
      throw this.toSwarmError(error, action);
    }
  }

  private toSwarmError(error: unknown, action: string): SwarmError {
    return toSwarmError(error, { action, apiUrl: this.apiUrl, region: this.options.region });
  }
}

function notOurs(id: string, app: string): SwarmError {
  return new SwarmError('INSTANCE_NOT_FOUND', `The Fly.io app ${app} of instance "${id}" holds another installation's machine: Remote Swarm leaves it as it is.`, {
    details: { instance: id },
  });
}

function isLive(machine: FlyMachine): boolean {
  return machine.state !== 'destroyed' && machine.state !== 'destroying';
}

function undefinedIfNotFound(error: unknown): undefined {
  if (error instanceof FlyError && error.category === 'not_found') return undefined;
  throw error;
}

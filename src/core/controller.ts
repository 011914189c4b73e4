import type { Readable } from 'node:stream';
import { Emitter, type Event } from './events';
import { errorMessage, instanceNotFound, invalidConfig, SwarmError } from './errors';
import { instanceConfigSchema, type Instance, type InstanceConfig, type InstanceConfigOverrides, type InstanceStatus } from './models';
import { generateInstanceId, generatePassword } from './passwords';
import type { ExecOptions, ExecResult, InstanceEndpoints, LogOptions, OperationOptions, Provider, ProviderInstance, ShellSession, TerminalSize } from './provider';
import type { ProviderListings } from './providerListings';
import type { ProviderPool } from './providerPool';
import { processLocalLocks, type InstanceLocks } from './coordination/instanceLocks';
import { OperationQueue } from './operationQueue';
import { requireExposureConsent } from './portExposure';
import type { InstancePatch, InstanceQuery, InstanceRegistry, RegistryChange } from './registry';
import { checkSecretEnvValues, forgetSecretEnv, readSecretEnv, storeSecretEnv } from './secretEnv';
import { withoutStopReason, withStopReason, type StopReason } from './stopReason';
import { instancePasswordKey, type SecretStore } from './stores';
import { configFromTemplate, type TemplateCatalog } from './templates';
import { parseOrThrow } from './validation';

export interface ControllerSettings {
  maxInstances: number;
  defaultImage: string;
}

export interface SwarmControllerDependencies {
  registry: InstanceRegistry;
  providers: ProviderPool;
  /** What the providers list, shared with the health sweep. */
  listings: Pick<ProviderListings, 'fresh'>;
  secrets: SecretStore;
  templates: () => TemplateCatalog;
  settings: () => ControllerSettings;
  /** Serialises operations on an instance with other processes' (default: this process only). */
  locks?: InstanceLocks;
  now?: () => Date;
  newId?: () => string;
  newPassword?: () => string;
}

export interface CreateInstanceInput {
  provider: string;
  name: string;
  template?: string;
  /** Explicit choices over the template's values. */
  overrides?: InstanceConfigOverrides;
  /** A value for each of the configuration's secretEnv names; kept in the secret store only. */
  secretEnv?: Record<string, string>;
  /** The user agreed to publish ports beyond loopback; a template or a setting alone cannot. */
  allowNetworkExposure?: boolean;
  /** The instance id, chosen beforehand when others must know it first (a group's coordinator, which its workers are told of); new otherwise. */
  id?: string;
}

/** What an update may carry besides the changes: values for secretEnv names it adds or changes, and consent as at create. */
export type UpdateOptions = OperationOptions & Pick<CreateInstanceInput, 'secretEnv' | 'allowNetworkExposure'>;

export interface ReconcileReport {
  provider: string;
  adopted: Instance[];
  vanished: Instance[];
  updated: Instance[];
  /** Creates that did not finish and made no instance, removed with what they left and their secrets. */
  discarded: Instance[];
  /** Set when the provider could not be listed; its instances were left as they were. */
  error?: SwarmError;
}

/** Emitted for every lifecycle operation, so the UI can log and notify without wrapping each call. */
export interface OperationEvent {
  operation: string;
  instance: string;
  phase: 'started' | 'succeeded' | 'failed';
  error?: unknown;
}

const CREATE_LOCK = '\0create';

/**
 * The one entry point for lifecycle operations: validates input, checks limits, serialises operations per instance,
 * records results in the registry.
 */
export class SwarmController {
  private readonly queue = new OperationQueue();
  private readonly operations = new Emitter<OperationEvent>();
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly newPassword: () => string;
  private readonly locks: InstanceLocks;

  readonly onDidChangeInstances: Event<RegistryChange>;
  readonly onOperation: Event<OperationEvent> = this.operations.event;

  constructor(private readonly deps: SwarmControllerDependencies) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? generateInstanceId;
    this.newPassword = deps.newPassword ?? generatePassword;
    this.locks = deps.locks ?? processLocalLocks;
    this.onDidChangeInstances = deps.registry.onDidChange;
  }

  get registry(): InstanceRegistry {
    return this.deps.registry;
  }

  /** Validates a create request without side effects; returns the configuration it would use. */
  resolveConfig(input: CreateInstanceInput): InstanceConfig {
    const catalog = this.deps.templates();
    const template = input.template === undefined ? undefined : catalog.templates.find((candidate) => candidate.name === input.template);
    if (input.template !== undefined && !template) {
      throw invalidConfig('template', `"${input.template}" is not a known template; use one of: ${catalog.templates.map((t) => t.name).join(', ')}`);
    }
    const choices = { ...input.overrides, name: input.name };
    const config = parseOrThrow(instanceConfigSchema, configFromTemplate(template, choices, { image: this.deps.settings().defaultImage }), '');
    const declared = this.deps.providers.describe(input.provider)?.instanceOptions;
    const resolved = declared ? { ...config, options: parseOrThrow(declared.schema, config.options, 'options') } : config;
    requireExposureConsent(resolved, input.allowNetworkExposure === true, { publishesOnAllAddresses: this.publishesOnAllAddresses(input.provider) });
    checkSecretEnvValues(resolved.secretEnv, input.secretEnv ?? {});
    return resolved;
  }

  async create(input: CreateInstanceInput, options: OperationOptions = {}): Promise<Instance> {
    const config = this.resolveConfig(input);
    const provider = await this.deps.providers.get(input.provider);
    const instance = await this.queue.run(CREATE_LOCK, () => this.reserve(input.provider, config, input.id));
    return this.track('create', instance.name, () =>
      this.serialised(instance.id, async () => {
        const password = config.auth.type === 'password' ? this.newPassword() : undefined;
        const secretEnv = input.secretEnv ?? {};
        try {
          if (password) await this.deps.secrets.store(instancePasswordKey(instance.id), password);
          await storeSecretEnv(this.deps.secrets, instance.id, secretEnv);
          const created = await provider.createInstance({ id: instance.id, config, password, secretEnv }, options);
          return await this.record(instance.id, created);
        } catch (error) {
          // What the provider made may be left when it could not remove it (its engine went away): the entry then stays
          // "creating", with its secrets, for a reconcile to settle once the provider answers.
          if (await this.mayHaveLeft(provider, instance.id)) {
            await this.deps.registry.update(instance.id, { lastError: `Creating did not finish (${errorMessage(error)}); the next refresh keeps what was made or removes it.` });
          } else {
            await this.forget(instance.id, config);
          }
          throw error;
        }
      }),
    );
  }

  /**
   * Runs `work` on an instance as one operation (a backup, a restore): no other operation runs on it meanwhile, here or
   * in another process. The instance's status is left to `work`.
   */
  exclusive<T>(operation: string, idOrName: string, work: (instance: Instance, provider: Provider) => Promise<T>): Promise<T> {
    const { id, name } = this.get(idOrName);
    return this.track(operation, name, () =>
      this.serialised(id, async () => {
        const instance = this.deps.registry.require(id);
        return work(instance, await this.deps.providers.get(instance.provider));
      }),
    );
  }

  get(idOrName: string): Instance {
    const instance = this.deps.registry.get(idOrName) ?? this.deps.registry.findByName(idOrName);
    if (!instance) throw instanceNotFound(idOrName);
    return instance;
  }

  list(query?: InstanceQuery): Instance[] {
    return this.deps.registry.list(query);
  }

  /** Whether a lifecycle operation is running or queued on the instance, here or in another process. */
  isBusy(id: string): boolean {
    return this.queue.isBusy(id) || this.locks.heldElsewhere(id);
  }

  start(idOrName: string, options: OperationOptions = {}): Promise<Instance> {
    return this.lifecycle('start', idOrName, 'starting', (provider, id) => provider.startInstance(id, options));
  }

  /** A stop Remote Swarm decides on by itself gives its reason, recorded on the instance until its next lifecycle operation. */
  stop(idOrName: string, options: OperationOptions & { force?: boolean; reason?: StopReason } = {}): Promise<Instance> {
    return this.lifecycle('stop', idOrName, 'stopping', async (provider, id) => {
      const stopped = await provider.stopInstance(id, options);
      return options.reason === undefined ? stopped : { ...stopped, metadata: withStopReason(stopped.metadata, options.reason, this.now()) };
    });
  }

  restart(idOrName: string, options: OperationOptions = {}): Promise<Instance> {
    return this.lifecycle('restart', idOrName, 'restarting', (provider, id) => provider.restartInstance(id, options));
  }

  /**
   * Changes the configuration (the name stays). Resources apply live where the provider can; other changes recreate.
   * A secretEnv name it adds needs a value; the others keep theirs unless given anew.
   */
  async update(idOrName: string, changes: InstanceConfigOverrides, { secretEnv: given = {}, allowNetworkExposure, ...options }: UpdateOptions = {}): Promise<Instance> {
    const { id, config: before, provider: type } = this.get(idOrName);
    const publishesOnAllAddresses = this.publishesOnAllAddresses(type);
    // Checked now, to refuse at once; and again in the instance's queue over the configuration as it is then, so that
    // two updates queued together each keep the other's change.
    updatedConfig(before, changes, given, { allowNetworkExposure: allowNetworkExposure === true, publishesOnAllAddresses });
    return this.lifecycle('update', id, 'updating', async (provider) => {
      const current = this.deps.registry.require(id).config;
      const config = updatedConfig(current, changes, given, { allowNetworkExposure: allowNetworkExposure === true, publishesOnAllAddresses });
      const password = (await this.deps.secrets.get(instancePasswordKey(id))) ?? undefined;
      const kept = await readSecretEnv(this.deps.secrets, id, config.secretEnv);
      const updated = await provider.updateInstance(id, config, { ...options, password, secretEnv: { ...kept, ...given } });
      await storeSecretEnv(this.deps.secrets, id, given);
      await forgetSecretEnv(this.deps.secrets, id, current.secretEnv.filter((name) => !config.secretEnv.includes(name)));
      return { ...updated, config };
    });
  }


  async delete(idOrName: string, options: OperationOptions & { keepWorkspace: boolean }): Promise<void> {
    const { id, name } = this.get(idOrName);
    return this.track('delete', name, () =>
      this.serialised(id, async () => {
        const instance = this.deps.registry.require(id);
        const provider = await this.deps.providers.get(instance.provider);
        await this.deps.registry.update(id, { status: 'deleting', lastError: undefined });
        try {
          await provider.deleteInstance(id, options);
        } catch (error) {
          if (!SwarmError.is(error, 'INSTANCE_NOT_FOUND')) {
            await this.deps.registry.update(id, { status: 'error', lastError: errorMessage(error) });
            throw error;
          }
        }
        await this.forget(id, instance.config);
      }),
    );
  }

  async logs(idOrName: string, options?: LogOptions): Promise<string> {
    const instance = this.get(idOrName);
    return (await this.deps.providers.get(instance.provider)).getInstanceLogs(instance.id, options);
  }

  /** The log as it is written, until `signal` aborts or the instance stops; CONFLICT where its provider cannot follow logs. */
  async followLogs(idOrName: string, options: { tail?: number; signal: AbortSignal }): Promise<Readable> {
    const instance = this.get(idOrName);
    const provider = await this.deps.providers.get(instance.provider);
    if (!provider.followInstanceLogs) throw new SwarmError('CONFLICT', `${provider.displayName} cannot follow the log of "${instance.name}" as it is written; read it without following.`);
    return provider.followInstanceLogs(instance.id, options);
  }

  async exec(idOrName: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    if (argv.length === 0) throw invalidConfig('command', 'needs at least the program to run, e.g. ["ls", "-la"]');
    const instance = this.get(idOrName);
    return (await this.deps.providers.get(instance.provider)).executeCommand(instance.id, argv, options);
  }

  /** An interactive shell in the instance, for a terminal; it is not a lifecycle operation, so it does not wait in the queue. */
  async openShell(idOrName: string, size: TerminalSize): Promise<ShellSession> {
    const instance = this.get(idOrName);
    return (await this.deps.providers.get(instance.provider)).openShell(instance.id, size);
  }

  /** How to reach the instance from this machine, as its provider describes it; only the IDE URL where the provider cannot say more. */
  async endpoints(idOrName: string): Promise<InstanceEndpoints> {
    const instance = this.get(idOrName);
    const provider = await this.deps.providers.get(instance.provider);
    if (provider.getEndpoints) return provider.getEndpoints(instance.id);
    return instance.urls.ide === undefined ? {} : { ide: instance.urls.ide };
  }

  /**
   * The instance's code-server password: the one kept in the secret store, else (an instance adopted from elsewhere) the
   * one its provider can read back, which is then kept.
   */
  async getPassword(idOrName: string): Promise<string | undefined> {
    const instance = this.get(idOrName);
    const key = instancePasswordKey(instance.id);
    const kept = await this.deps.secrets.get(key);
    if (kept !== undefined || instance.config.auth.type !== 'password') return kept;
    const recovered = await (await this.deps.providers.get(instance.provider)).passwords?.recover(instance.id);
    if (recovered !== undefined) await this.deps.secrets.store(key, recovered);
    return recovered;
  }

  /** Gives the instance a new generated password, applied by its provider and kept once it took effect. */
  resetPassword(idOrName: string, options: OperationOptions = {}): Promise<Instance> {
    return this.lifecycle('reset password', idOrName, 'updating', async (provider, id) => {
      if (!provider.passwords) throw new SwarmError('CONFLICT', `${provider.displayName} cannot change the password of "${this.get(id).name}".`);
      const password = this.newPassword();
      const instance = await provider.passwords.reset(id, password, options);
      await this.deps.secrets.store(instancePasswordKey(id), password);
      return instance;
    });
  }


  /**
   * Brings the registry in line with what the providers report, one list call per provider: adopts instances of ours
   * made elsewhere, marks vanished ones "missing", refreshes status, URLs and ports. Instances with an operation in
   * flight are left to that operation. A create that did not finish (its process died, or its provider went away) is
   * settled: its instance is what the provider reports if there is one, else what is left of it is removed with the
   * entry and its secrets.
   */
  async reconcile(providerTypes: readonly string[] = this.providerTypesInUse()): Promise<ReconcileReport[]> {
    return Promise.all(providerTypes.map((type) => this.reconcileProvider(type)));
  }

  /** Provider types with registered instances; the UI adds the default provider. */
  providerTypesInUse(): string[] {
    return [...new Set(this.deps.registry.list().map((instance) => instance.provider))];
  }

  dispose(): void {
    this.operations.dispose();
  }

  private async reconcileProvider(type: string): Promise<ReconcileReport> {
    const report: ReconcileReport = { provider: type, adopted: [], vanished: [], updated: [], discarded: [] };
    // What changed in the registry after the listing began (a create reserved meanwhile, an operation that ended) is
    // newer than what the listing can say of it: it is left as it is, to the next refresh.
    const listedFrom = this.now().getTime();
    const newerThanListing = (instance: Instance) => Date.parse(instance.updatedAt) > listedFrom;
    let seen: ProviderInstance[];
    try {
      seen = (await this.deps.listings.fresh(type)).instances;
    } catch (error) {
      report.error = SwarmError.is(error) ? error : new SwarmError('PROVIDER_UNAVAILABLE', errorMessage(error), { cause: error });
      return report;
    }
    const seenIds = new Set(seen.map((observed) => observed.id));
    const adopted: Instance[] = [];
    const updated: { id: string; patch: InstancePatch }[] = [];
    for (const observed of seen) {
      if (this.isBusy(observed.id)) continue;
      const known = this.deps.registry.get(observed.id);
      if (known) {
        if (hasChanged(known, observed) && !newerThanListing(known)) updated.push({ id: observed.id, patch: observedPatch(known, observed) });
      } else if (observed.config && !this.deps.registry.findByName(observed.name) && !adopted.some((other) => other.name === observed.name)) {
        adopted.push(this.toInstance(type, observed, observed.config));
      }
    }
    const vanished = new Set<string>();
    const unfinished: Instance[] = [];
    for (const known of this.deps.registry.unordered()) {
      if (known.provider !== type || seenIds.has(known.id) || this.isBusy(known.id) || known.status === 'missing' || newerThanListing(known)) continue;
      if (known.status === 'creating') {
        unfinished.push(known);
        continue;
      }
      vanished.add(known.id);
      updated.push({ id: known.id, patch: { status: 'missing', urls: {}, lastError: 'Not found on the provider any more; it was removed outside Remote Swarm.' } });
    }
    // An operation may have started on an instance while the provider was being listed: it is that operation's now.
    const applied = await this.deps.registry.applyAll({ added: adopted, updated: updated.filter(({ id }) => !this.isBusy(id)) });
    report.adopted = applied.added;
    for (const instance of applied.updated) (vanished.has(instance.id) ? report.vanished : report.updated).push(instance);
    report.discarded = await this.discardUnfinished(type, unfinished);
    return report;
  }

  /**
   * Removes creates that did not finish and made no instance: what they left (a workspace volume) goes with the entry
   * and its secrets. Each under its instance's lock, so an operation begun meanwhile keeps its instance.
   */
  private async discardUnfinished(type: string, unfinished: readonly Instance[]): Promise<Instance[]> {
    if (unfinished.length === 0) return [];
    const provider = await this.deps.providers.get(type);
    const discarded: Instance[] = [];
    for (const { id } of unfinished) {
      await this.serialised(id, async () => {
        const instance = this.deps.registry.get(id);
        if (instance?.status !== 'creating') return;
        try {
          await provider.deleteInstance(id, { keepWorkspace: false });
        } catch (error) {
          if (!SwarmError.is(error, 'INSTANCE_NOT_FOUND')) return;
        }
        await this.forget(id, instance.config);
        discarded.push(instance);
      });
    }
    return discarded;
  }

  /** Whether a failed create may have left something: the provider reports an instance, or cannot say. */
  private async mayHaveLeft(provider: Provider, id: string): Promise<boolean> {
    return provider.getInstance(id).then(
      (left) => left !== undefined,
      (error: unknown) => !SwarmError.is(error, 'INSTANCE_NOT_FOUND'),
    );
  }

  /** The entry and its secrets go. */
  private async forget(id: string, config: InstanceConfig): Promise<void> {
    await this.deps.registry.remove(id);
    await this.deps.secrets.delete(instancePasswordKey(id));
    await forgetSecretEnv(this.deps.secrets, id, config.secretEnv);
  }

  private publishesOnAllAddresses(provider: string): boolean {
    return this.deps.providers.describe(provider)?.capabilities.publishesOnAllAddresses === true;
  }

  private async reserve(provider: string, config: InstanceConfig, chosenId: string | undefined): Promise<Instance> {
    const { maxInstances } = this.deps.settings();
    if (this.deps.registry.size >= maxInstances) {
      throw new SwarmError(
        'RESOURCE_LIMIT_EXCEEDED',
        `There are already ${this.deps.registry.size} instances and the limit is ${maxInstances}. Delete an instance or raise the limit.`,
        { details: { field: 'maxInstances' }, remedy: { kind: 'setting', setting: 'maxInstances' } },
      );
    }
    if (this.deps.registry.findByName(config.name)) {
      throw new SwarmError('CONFLICT', `name: an instance named "${config.name}" already exists; choose another name.`, { details: { field: 'name' } });
    }
    if (chosenId !== undefined && this.deps.registry.get(chosenId)) {
      throw new SwarmError('CONFLICT', `id: an instance with id "${chosenId}" already exists.`, { details: { field: 'id' } });
    }
    const at = this.now().toISOString();
    return this.deps.registry.add({ id: chosenId ?? this.newId(), name: config.name, provider, status: 'creating', urls: {}, config, ports: [], createdAt: at, updatedAt: at, metadata: {} });
  }

  private async lifecycle(
    operation: string,
    idOrName: string,
    transitional: InstanceStatus,
    act: (provider: Provider, id: string) => Promise<ProviderInstance & { config?: InstanceConfig }>,
  ): Promise<Instance> {
    const { id, name } = this.get(idOrName);
    return this.track(operation, name, () =>
      this.serialised(id, async () => {
        const instance = this.deps.registry.require(id);
        const provider = await this.deps.providers.get(instance.provider);
        await this.deps.registry.update(id, { status: transitional, lastError: undefined, metadata: withoutStopReason(instance.metadata) });
        try {
          return await this.record(id, await act(provider, id));
        } catch (error) {
          await this.recordFailure(provider, id, error);
          throw error;
        }
      }),
    );
  }

  /** One operation on the instance at a time: first in this process's queue, then holding its lock across processes. */
  private serialised<T>(id: string, operation: () => Promise<T>): Promise<T> {
    return this.queue.run(id, () => this.locks.hold(id, operation));
  }

  /** After a failed operation, the instance shows what the provider now says, with the error. */
  private async recordFailure(provider: Provider, id: string, error: unknown): Promise<void> {
    const observed = await provider.getInstance(id).catch(() => undefined);
    const status: InstanceStatus = SwarmError.is(error, 'INSTANCE_NOT_FOUND') ? 'missing' : (observed?.status ?? 'error');
    await this.deps.registry.update(id, { status, lastError: errorMessage(error) });
  }

  private record(id: string, observed: ProviderInstance & { config?: InstanceConfig }): Promise<Instance> {
    return this.deps.registry.update(id, observedPatch(this.deps.registry.require(id), observed));
  }

  private toInstance(provider: string, observed: ProviderInstance, config: InstanceConfig): Instance {
    const at = this.now().toISOString();
    return {
      id: observed.id,
      name: observed.name,
      provider,
      status: observed.status,
      urls: observed.urls,
      config,
      ports: observed.ports,
      createdAt: observed.createdAt ?? at,
      updatedAt: at,
      metadata: observed.metadata,
    };
  }

  private async track<T>(operation: string, instance: string, run: () => Promise<T>): Promise<T> {
    this.operations.fire({ operation, instance, phase: 'started' });
    try {
      const result = await run();
      this.operations.fire({ operation, instance, phase: 'succeeded' });
      return result;
    } catch (error) {
      this.operations.fire({ operation, instance, phase: 'failed', error });
      throw error;
    }
  }
}

/** The configuration `changes` make of `current`, validated: the name stays, ports beyond loopback need consent, new secrets need values. */
function updatedConfig(
  current: InstanceConfig,
  changes: InstanceConfigOverrides,
  given: Record<string, string>,
  { allowNetworkExposure, publishesOnAllAddresses }: { allowNetworkExposure: boolean; publishesOnAllAddresses: boolean },
): InstanceConfig {
  if (changes.name !== undefined && changes.name !== current.name) {
    throw invalidConfig('name', 'cannot be changed on an existing instance; create a new instance instead');
  }
  const config = parseOrThrow(instanceConfigSchema, { ...current, ...changes, resources: { ...current.resources, ...changes.resources } }, '');
  requireExposureConsent(config, allowNetworkExposure, { portsBefore: current.ports, publishesOnAllAddresses });
  checkSecretEnvValues(config.secretEnv, given, current.secretEnv);
  return config;
}

/** What the provider says of an instance, over what the registry knew. */
function observedPatch(known: Instance, observed: ProviderInstance & { config?: InstanceConfig }): InstancePatch {
  return {
    status: observed.status,
    urls: observed.urls,
    ports: observed.ports,
    metadata: { ...known.metadata, ...observed.metadata },
    config: observed.config ?? known.config,
    lastError: undefined,
  };
}

function hasChanged(known: Instance, observed: ProviderInstance): boolean {
  return (
    known.status !== observed.status ||
    known.urls.ide !== observed.urls.ide ||
    JSON.stringify(known.ports) !== JSON.stringify(observed.ports)
  );
}

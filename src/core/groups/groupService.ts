import { mapConcurrently } from '../concurrency';
import type { CreateInstanceInput, SwarmController } from '../controller';
import { errorMessage, invalidConfig, SwarmError } from '../errors';
import type { Instance, InstanceConfigOverrides } from '../models';
import { generateInstanceId } from '../passwords';
import type { ExecResult, MemberHosts, OperationOptions, PrivateNetworks } from '../provider';
import type { ProviderPool } from '../providerPool';
import { CODE_SERVER_PORT } from '../templates';
import { parseOrThrow } from '../validation';
import { ALIAS_HOSTS, COORDINATOR_ROLE, groupNameSchema, groupNetworkName, memberEnvironment, memberName, peerEnvironment, workerCountSchema, workerNumber, workerRole } from './groupMembers';
import type { GroupTemplateCatalog } from './groupTemplates';
import { groupsOf, type Group } from './groupView';

/** Members created, started or deleted at once: the engine, not the client, is the limit (test/bench/group.ts). */
const DEFAULT_MEMBER_CONCURRENCY = 8;

export interface CreateGroupInput {
  name: string;
  provider: string;
  /** A group template (groupTemplates setting, or the built-in agent-swarm): the defaults of the three fields below. */
  template?: string;
  coordinatorTemplate?: string;
  workerTemplate?: string;
  workers?: number;
  /** Applied to every member over its template (an image, resources). */
  overrides?: InstanceConfigOverrides;
  /** Provider options of single members, by role: an SSH host's address for each member of a group of SSH hosts. */
  memberOptions?: MemberOptions;
  allowNetworkExposure?: boolean;
}

export type MemberOptions = Record<string, Record<string, unknown>>;

/** What Create Group will make, checked without side effects: the front ends show it before they act. */
export interface GroupPlan {
  name: string;
  provider: string;
  coordinatorTemplate: string;
  workerTemplate: string;
  workers: number;
  /** The private network, or undefined where the provider has none (SSH hosts: peers by host name). */
  network: string | undefined;
  /** The coordinator first, with the id it will have; where members find their peers is added at create, as the provider names them. */
  members: CreateInstanceInput[];
  /** The coordinator's IDE port, which every member is told. */
  coordinatorPort: number;
}

/** One member's part in an operation on its group. */
export interface MemberOutcome {
  member: string;
  role: string;
  error?: string;
}

export interface MemberExecResult extends MemberOutcome {
  result?: ExecResult;
}

export interface GroupServiceDependencies {
  controller: SwarmController;
  providers: ProviderPool;
  groupTemplates: () => GroupTemplateCatalog;
  settings: () => { maxInstances: number };
  memberConcurrency?: number;
}

/**
 * Groups: a coordinator and N workers on a private network, made, scaled and run as one. A group is its members (see
 * groupsOf); what this service adds is doing things to all of them, all or nothing where that matters.
 */
export class GroupService {
  private readonly concurrency: number;

  constructor(private readonly deps: GroupServiceDependencies) {
    this.concurrency = deps.memberConcurrency ?? DEFAULT_MEMBER_CONCURRENCY;
  }

  list(): Group[] {
    return groupsOf(this.deps.controller.list());
  }

  get(name: string): Group {
    const group = this.find(name);
    if (!group) {
      const known = this.list().map((candidate) => candidate.name);
      throw new SwarmError('INSTANCE_NOT_FOUND', `There is no group "${name}"${known.length > 0 ? `; the groups are: ${known.join(', ')}` : ''}.`, { details: { field: 'group', group: name }, remedy: { kind: 'refresh' } });
    }
    return group;
  }

  plan(input: CreateGroupInput): GroupPlan {
    const name = parseOrThrow(groupNameSchema, input.name, 'name');
    const template = input.template === undefined ? undefined : this.groupTemplate(input.template);
    const coordinatorTemplate = input.coordinatorTemplate ?? template?.coordinator ?? 'development';
    const workerTemplate = input.workerTemplate ?? template?.worker ?? 'agent';
    const workers = parseOrThrow(workerCountSchema, input.workers ?? template?.workers ?? 4, 'workers');
    if (this.find(name)) throw new SwarmError('CONFLICT', `A group named "${name}" exists already; choose another name.`, { details: { field: 'name' } });
    const description = this.deps.providers.describe(input.provider);
    const coordinatorPort = ideContainerPort(this.deps.controller.resolveConfig(this.memberInput(input, name, COORDINATOR_ROLE, coordinatorTemplate, workerTemplate)).ports);
    const members = [
      { ...this.memberInput(input, name, COORDINATOR_ROLE, coordinatorTemplate, workerTemplate), id: generateInstanceId() },
      ...Array.from({ length: workers }, (_, index) => this.memberInput(input, name, workerRole(index + 1), workerTemplate, workerTemplate)),
    ];
    this.checkRoom(members);
    const network = description?.capabilities.privateNetworks ? groupNetworkName(name) : undefined;
    return { name, provider: input.provider, coordinatorTemplate, workerTemplate, workers, network, members, coordinatorPort };
  }

  /** All or nothing: a failure or a cancel removes every member made and the network, then reports the first failure. */
  async create(input: CreateGroupInput, options: OperationOptions = {}): Promise<Group> {
    const plan = this.plan(input);
    const networks = await this.networks(plan.provider);
    const madeNetwork = networks ? await this.ensureNetwork(networks, plan.name) : false;
    const peers = peerEnvironment(peerHosts(networks, plan.name, plan.members[0]?.id), plan.coordinatorPort);
    try {
      await this.createMembers(plan.members.map((member) => withEnvironment(member, peers)), input.allowNetworkExposure === true, options);
    } catch (error) {
      if (madeNetwork) await networks?.deleteNetwork(groupNetworkName(plan.name)).catch(() => undefined);
      throw error;
    }
    return this.get(plan.name);
  }

  /** Adds or removes the highest-numbered workers until there are `workers`; the coordinator stays. */
  async scale(name: string, workers: number, options: OperationOptions & { allowNetworkExposure?: boolean; memberOptions?: MemberOptions } = {}): Promise<Group> {
    const target = parseOrThrow(workerCountSchema, workers, 'workers');
    const group = this.get(name);
    if (target < group.workers.length) {
      const leaving = group.workers.slice(target);
      const outcomes = await this.eachMember(leaving, async (member) => {
        await this.deps.controller.delete(member.id, { ...options, keepWorkspace: false });
      });
      throwIfAnyFailed(outcomes, `Scaling group "${name}" to ${target} workers`);
    } else if (target > group.workers.length) {
      const workerTemplate = group.workerTemplate ?? group.workers[0]?.config.template;
      if (workerTemplate === undefined) throw invalidConfig('workerTemplate', `group "${name}" does not record the template of its workers; delete and create it again`);
      const coordinatorPort = ideContainerPort(group.coordinator?.config.ports ?? []);
      const highest = Math.max(0, ...group.workers.map((worker) => workerNumber(worker.config.groupRole) ?? 0));
      const shared = sharedOverrides(group);
      const peers = peerEnvironment(peerHosts(await this.networks(group.provider), name, group.coordinator?.id), coordinatorPort);
      const joining = Array.from({ length: target - group.workers.length }, (_, index) =>
        withEnvironment(this.memberInput({ name, provider: group.provider, overrides: shared, memberOptions: options.memberOptions }, name, workerRole(highest + index + 1), workerTemplate, workerTemplate), peers),
      );
      this.checkRoom(joining);
      await this.createMembers(joining, options.allowNetworkExposure === true, options);
    }
    return this.get(name);
  }

  start(name: string, options: OperationOptions = {}): Promise<MemberOutcome[]> {
    return this.eachMember(this.get(name).members, async (member) => {
      await this.deps.controller.start(member.id, options);
    });
  }

  stop(name: string, options: OperationOptions & { force?: boolean } = {}): Promise<MemberOutcome[]> {
    return this.eachMember(this.get(name).members, async (member) => {
      await this.deps.controller.stop(member.id, options);
    });
  }

  restart(name: string, options: OperationOptions = {}): Promise<MemberOutcome[]> {
    return this.eachMember(this.get(name).members, async (member) => {
      await this.deps.controller.restart(member.id, options);
    });
  }

  /** Every member, then the network; a member that cannot be deleted keeps the network (and is reported). */
  async delete(name: string, options: OperationOptions & { keepWorkspace?: boolean } = {}): Promise<void> {
    const group = this.get(name);
    const outcomes = await this.eachMember(group.members, async (member) => {
      await this.deps.controller.delete(member.id, { ...options, keepWorkspace: options.keepWorkspace ?? false });
    });
    throwIfAnyFailed(outcomes, `Deleting group "${name}"`);
    await (await this.networks(group.provider))?.deleteNetwork(group.network);
  }

  /** The same argv on every member at once; each member's exit code and output, or why it could not run. */
  exec(name: string, argv: readonly string[], options: OperationOptions = {}): Promise<MemberExecResult[]> {
    if (argv.length === 0) throw invalidConfig('command', 'needs at least the program to run, e.g. ["hostname"]');
    return this.eachMember(this.get(name).members, async (member) => ({ result: await this.deps.controller.exec(member.id, argv, options) }));
  }

  private find(name: string): Group | undefined {
    return this.list().find((group) => group.name === name);
  }

  private groupTemplate(name: string) {
    const catalog = this.deps.groupTemplates();
    const template = catalog.templates.find((candidate) => candidate.name === name);
    if (!template) throw invalidConfig('template', `"${name}" is not a known group template; use one of: ${catalog.templates.map((t) => t.name).join(', ')}`);
    return template;
  }

  private memberInput(input: Pick<CreateGroupInput, 'name' | 'provider' | 'overrides' | 'memberOptions'>, group: string, role: string, template: string, workerTemplate: string): CreateInstanceInput {
    const overrides = input.overrides ?? {};
    const options = { ...overrides.options, ...input.memberOptions?.[role] };
    return {
      provider: input.provider,
      name: memberName(group, role),
      template,
      overrides: { ...overrides, options, env: { ...overrides.env, ...memberEnvironment(group, role) }, group, groupRole: role, groupWorkerTemplate: workerTemplate },
    };
  }

  private checkRoom(members: readonly CreateInstanceInput[]): void {
    for (const member of members) this.deps.controller.resolveConfig(member);
    const taken = members.find((member) => this.deps.controller.registry.findByName(member.name));
    if (taken) throw new SwarmError('CONFLICT', `An instance named "${taken.name}" exists already; choose another group name.`, { details: { field: 'name' } });
    const { maxInstances } = this.deps.settings();
    const size = this.deps.controller.registry.size;
    if (size + members.length > maxInstances) {
      throw new SwarmError('RESOURCE_LIMIT_EXCEEDED', `${members.length} more instances would make ${size + members.length}, over the limit of ${maxInstances}. Raise the limit or make a smaller group.`, {
        details: { field: 'maxInstances' },
        remedy: { kind: 'setting', setting: 'maxInstances' },
      });
    }
  }

  /** Creates them all or none: the first failure cancels the creates still running and removes the members made. */
  private async createMembers(members: readonly CreateInstanceInput[], allowNetworkExposure: boolean, options: OperationOptions): Promise<Instance[]> {
    const cancel = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, cancel.signal]) : cancel.signal;
    let firstFailure: unknown;
    const made: Instance[] = [];
    let done = 0;
    await mapConcurrently(members, this.concurrency, async (member) => {
      if (signal.aborted) return;
      try {
        made.push(await this.deps.controller.create({ ...member, allowNetworkExposure }, { signal }));
        options.onProgress?.(`${++done} of ${members.length} members running`);
      } catch (error) {
        firstFailure ??= error;
        cancel.abort();
      }
    });
    if (firstFailure === undefined && options.signal?.aborted) firstFailure = new SwarmError('OPERATION_CANCELLED', 'Cancelled.');
    if (firstFailure === undefined) return made;
    options.onProgress?.(`Removing the ${made.length} members made`);
    await mapConcurrently(made, this.concurrency, (member) => this.deps.controller.delete(member.id, { keepWorkspace: false }).catch(() => undefined));
    throw firstFailure;
  }

  /** Acts on the members at once (bounded); each outcome says what its member gave back or why it failed. */
  private async eachMember<T extends object>(members: readonly Instance[], act: (member: Instance) => Promise<T | void>): Promise<(MemberOutcome & Partial<T>)[]> {
    return mapConcurrently(members, this.concurrency, async (member): Promise<MemberOutcome & Partial<T>> => {
      try {
        return { member: member.name, role: roleOf(member), ...(await act(member)) } as MemberOutcome & Partial<T>;
      } catch (error) {
        return { member: member.name, role: roleOf(member), error: errorMessage(error) } as MemberOutcome & Partial<T>;
      }
    });
  }

  private async networks(provider: string): Promise<PrivateNetworks | undefined> {
    if (!this.deps.providers.describe(provider)?.capabilities.privateNetworks) return undefined;
    return (await this.deps.providers.get(provider)).networks;
  }

  /** Makes the group's network; one left by an earlier attempt (ours, by its label) is taken over. True when made now. */
  private async ensureNetwork(networks: PrivateNetworks, group: string): Promise<boolean> {
    const name = groupNetworkName(group);
    if ((await networks.listNetworks()).some((network) => network.name === name)) return false;
    await networks.createNetwork(name, {});
    return true;
  }
}

/** The provider's names for the group's peers, or else the aliases of memberNetwork. */
function peerHosts(networks: PrivateNetworks | undefined, group: string, coordinatorId: string | undefined): MemberHosts {
  return networks?.memberHosts?.(group, coordinatorId) ?? ALIAS_HOSTS;
}

function withEnvironment(member: CreateInstanceInput, env: Record<string, string>): CreateInstanceInput {
  return { ...member, overrides: { ...member.overrides, env: { ...member.overrides?.env, ...env } } };
}

function roleOf(member: Instance): string {
  return member.config.groupRole ?? '(none)';
}

function ideContainerPort(ports: readonly { container: number; purpose?: string }[]): number {
  return ports.find((port) => port.purpose === 'ide')?.container ?? CODE_SERVER_PORT;
}

/** What a new worker shares with the workers before it beyond its template (their image and resources), or the coordinator's image. */
function sharedOverrides(group: Group): InstanceConfigOverrides {
  const [model] = group.workers;
  if (model) return { image: model.config.image, resources: model.config.resources };
  return group.coordinator ? { image: group.coordinator.config.image } : {};
}

/** Throws one error naming every member that failed, if any did. */
export function throwIfAnyFailed(outcomes: readonly MemberOutcome[], action: string): void {
  const failed = outcomes.filter((outcome) => outcome.error !== undefined);
  if (failed.length === 0) return;
  throw new SwarmError('OPERATION_FAILED', `${action}: ${failed.length} of ${outcomes.length} members failed: ${failed.map((outcome) => `${outcome.member}: ${outcome.error}`).join('; ')}`, {
    details: { failed: failed.map((outcome) => outcome.member) },
  });
}

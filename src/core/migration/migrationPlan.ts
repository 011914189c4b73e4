import type { SwarmController } from '../controller';
import type { HourlyPrice, PriceBook } from '../cost/pricing';
import { invalidConfig, SwarmError } from '../errors';
import { INSTANCE_NAME_MAX_LENGTH, type Instance, type InstanceConfig, type InstanceConfigOverrides, type Resources } from '../models';
import { generateInstanceId } from '../passwords';
import type { ProviderPool } from '../providerPool';

export const MIGRATION_STRATEGIES = ['pre-copy', 'stop-and-copy'] as const;
/**
 * stop-and-copy: the source is stopped, copied, verified. pre-copy: copied while it runs, then stopped and only what
 * changed copied again (deletions included), so it is unavailable for the last pass only.
 */
export type MigrationStrategy = (typeof MIGRATION_STRATEGIES)[number];

/** How long a migrated source is kept stopped by default, in case the user wants to go back. */
export const DEFAULT_KEEP_SOURCE_HOURS = 24;

export interface MigrationRequest {
  /** The instance to move, by name or id. */
  instance: string;
  /** The provider type to move it to. */
  to: string;
  /** Default: pre-copy for a running instance, stop-and-copy for a stopped one. */
  strategy?: MigrationStrategy;
  /** Choices over the source's configuration for the target: its provider options (an SSH host's address), workspace folder, resources. */
  overrides?: InstanceConfigOverrides;
  /** After success the source is kept stopped this long, then deleted; 0 deletes it at once. */
  keepSourceHours?: number;
  /** The user agreed to publish the target's ports beyond loopback, as at create. */
  allowNetworkExposure?: boolean;
}

export interface MigrationPlan {
  source: { id: string; name: string; provider: string; status: Instance['status']; config: InstanceConfig; price: HourlyPrice };
  target: {
    provider: string;
    /** The target's name while it is made and filled; it takes the source's name when the move succeeds. */
    temporaryName: string;
    config: InstanceConfig;
    price: HourlyPrice;
  };
  strategy: MigrationStrategy;
  keepSourceHours: number;
  /** What the translation changed or could not keep, in words (resources the target does not offer, ports, options). */
  notes: string[];
}

export interface PlanDependencies {
  controller: SwarmController;
  providers: ProviderPool;
  prices: PriceBook;
}

/** What a migration will do, checked without side effects: front ends show it and the user confirms it. */
export function planMigration({ controller, providers, prices }: PlanDependencies, request: MigrationRequest): MigrationPlan {
  const source = controller.get(request.instance);
  if (!providers.describe(request.to)) {
    const known = providers.types().map(({ type }) => type).join(', ');
    throw invalidConfig('to', `"${request.to}" is not a provider; use one of: ${known}`);
  }
  const from = providers.describe(source.provider);
  const to = providers.describe(request.to)!;
  if (!from?.capabilities.workspaceTransfer) throw new SwarmError('CONFLICT', `${from?.displayName ?? source.provider} cannot export a workspace, so "${source.name}" cannot be moved.`);
  if (!to.capabilities.workspaceTransfer) throw invalidConfig('to', `${to.displayName} cannot import a workspace; choose a provider that can`);
  if (source.config.group !== undefined) {
    throw new SwarmError('CONFLICT', `"${source.name}" is a member of group "${source.config.group}", whose members share one provider's network: it cannot be moved alone.`);
  }
  if (source.status !== 'running' && source.status !== 'stopped') {
    throw new SwarmError('CONFLICT', `"${source.name}" is ${source.status}: a migration starts from a running or stopped instance.`, { remedy: { kind: 'refresh' } });
  }
  const strategy = request.strategy ?? (source.status === 'running' ? 'pre-copy' : 'stop-and-copy');
  if (!MIGRATION_STRATEGIES.includes(strategy)) throw invalidConfig('strategy', `must be one of: ${MIGRATION_STRATEGIES.join(', ')}`);
  if (strategy === 'pre-copy' && !to.capabilities.exec) throw invalidConfig('strategy', `pre-copy removes what the source deleted through ${to.displayName}'s exec, which it does not have; use stop-and-copy`);
  const keepSourceHours = request.keepSourceHours ?? DEFAULT_KEEP_SOURCE_HOURS;
  if (!Number.isFinite(keepSourceHours) || keepSourceHours < 0) throw invalidConfig('keepSourceHours', 'must be a number of hours, 0 or more (0 deletes the source once the move succeeded)');

  const notes: string[] = [];
  const resources = fittedResources(source.config.resources, request, to, notes);
  // Unique per move, not only among the registry's names: infrastructure keeps the names it was made under, so the
  // target of an earlier move of this instance still runs under "<name>-moving".
  const temporaryName = freeName(controller, source.name, `moving-${generateInstanceId().slice(0, 4)}`);
  const config = controller.resolveConfig({
    provider: request.to,
    name: temporaryName,
    overrides: targetOverrides(source, request, resources, notes),
    // Only the names are checked here; the move gives the target the source's values.
    secretEnv: Object.fromEntries(source.config.secretEnv.map((name) => [name, ''])),
    ...(request.allowNetworkExposure !== undefined ? { allowNetworkExposure: request.allowNetworkExposure } : {}),
  });
  const targetInstance: Instance = { ...source, id: 'planned', name: temporaryName, provider: request.to, status: 'running', config, metadata: {} };
  return {
    source: { id: source.id, name: source.name, provider: source.provider, status: source.status, config: source.config, price: prices.priceOf({ ...source, status: 'running' }) },
    target: { provider: request.to, temporaryName, config, price: prices.priceOf(targetInstance) },
    strategy,
    keepSourceHours,
    notes,
  };
}

/** The source's configuration for the target: its provider options replaced by the request's, host ports left for the target to pick. */
function targetOverrides(source: Instance, request: MigrationRequest, resources: Resources, notes: string[]): InstanceConfigOverrides {
  const { name: _name, options: _options, group: _group, groupRole: _role, groupWorkerTemplate: _worker, ...kept } = source.config;
  if (Object.keys(source.config.options).length > 0 && request.overrides?.options === undefined) notes.push(`The source's ${source.provider} options are not the target's; the target gets none.`);
  const ports = source.config.ports.map(({ host, ...port }) => {
    if (host !== undefined) notes.push(`Port ${port.container} was published on host port ${host}; the target gets a free one.`);
    return port;
  });
  return { ...kept, ports, ...request.overrides, resources };
}

/**
 * The source's resources as the target offers them (a provider that declares its sizes fits them), over the request's
 * own choices; an existing host has its own.
 */
function fittedResources(current: Resources, request: MigrationRequest, to: NonNullable<ReturnType<ProviderPool['describe']>>, notes: string[]): Resources {
  const wanted = { ...current, ...request.overrides?.resources };
  if (!to.capabilities.provisions) {
    notes.push(`${to.displayName} are existing machines: the target has that host's CPUs, memory and disk, not ${describeResources(wanted)}.`);
    return wanted;
  }
  const fitted = to.fitResources?.(wanted) ?? wanted;
  if (describeResources(fitted) !== describeResources(wanted)) notes.push(`${to.displayName} offers ${describeResources(fitted)} for ${describeResources(wanted)}.`);
  return fitted;
}

export function describeResources({ cpuCores, memoryMB, storageGB }: Resources): string {
  return `${cpuCores} CPU, ${memoryMB} MB memory, ${storageGB} GB disk`;
}

/** `<name>-<suffix>`, or `<name>-<suffix>-2`, ... : a name no instance has, within the length limit. */
export function freeName(controller: Pick<SwarmController, 'list'>, name: string, suffix: string): string {
  const taken = new Set(controller.list().map((instance) => instance.name));
  for (let n = 1; ; n++) {
    const tail = n === 1 ? `-${suffix}` : `-${suffix}-${n}`;
    const candidate = `${name.slice(0, INSTANCE_NAME_MAX_LENGTH - tail.length).replace(/-+$/, '')}${tail}`;
    if (!taken.has(candidate)) return candidate;
  }
}

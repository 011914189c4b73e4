import * as z from 'zod';
import type { InstanceConfig } from '../models';
import type { MemberHosts } from '../provider';

/**
 * How the members of a group are named and find each other. Providers read it from a member's configuration, so an
 * instance recreated for an update, or adopted in another window, joins its group's network exactly as at create.
 */
export const COORDINATOR_ROLE = 'coordinator';
/** A DNS name on the group's network that resolves to every worker: the engine keeps it current as the group scales. */
export const WORKERS_ALIAS = 'workers';
const WORKER_ROLE = /^worker-([1-9][0-9]*)$/;

/** Room left in an instance name for "-worker-NNN"; member names must still fit every provider's naming rules. */
export const GROUP_NAME_MAX_LENGTH = 24;
export const MAX_GROUP_WORKERS = 500;

export const groupNameSchema = z
  .string({ error: 'must be a text value' })
  .min(1, { error: 'is required: give the group a name such as "swarm-1"' })
  .max(GROUP_NAME_MAX_LENGTH, { error: `must be at most ${GROUP_NAME_MAX_LENGTH} characters, so its members' names fit` })
  .regex(/^[a-z](?:[a-z0-9-]*[a-z0-9])?$/, { error: 'must be lower-case letters, digits and inner hyphens, starting with a letter' });

export const workerCountSchema = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'cannot be negative' })
  .max(MAX_GROUP_WORKERS, { error: `must be at most ${MAX_GROUP_WORKERS}` });

export function workerRole(number: number): string {
  return `worker-${number}`;
}

/** The worker's number, or undefined for the coordinator. */
export function workerNumber(role: string | undefined): number | undefined {
  const match = role === undefined ? null : WORKER_ROLE.exec(role);
  return match ? Number(match[1]) : undefined;
}

export function memberName(group: string, role: string): string {
  return `${group}-${role}`;
}

/** The private network's name, as the provider's networks know it. */
export function groupNetworkName(group: string): string {
  return `group-${group}`;
}

/** The network a member joins and the names it answers to there: its role, its instance name, and `workers` for a worker. */
export function memberNetwork(config: InstanceConfig): { network: string; aliases: string[] } | undefined {
  if (config.group === undefined || config.groupRole === undefined) return undefined;
  const aliases = [config.groupRole, config.name];
  if (workerNumber(config.groupRole) !== undefined) aliases.push(WORKERS_ALIAS);
  return { network: groupNetworkName(config.group), aliases };
}

/** Members reach each other by memberNetwork's aliases (Docker), unless the provider names other hosts (PrivateNetworks.memberHosts). */
export const ALIAS_HOSTS: MemberHosts = { coordinator: COORDINATOR_ROLE, workers: WORKERS_ALIAS };

/** What every member is told about its group, as environment. */
export function memberEnvironment(group: string, role: string): Record<string, string> {
  return { REMOTE_SWARM_GROUP: group, REMOTE_SWARM_ROLE: role };
}

/** Where a member finds its peers, as environment: a name the provider has none for is left out. */
export function peerEnvironment(hosts: MemberHosts, coordinatorPort: number): Record<string, string> {
  return {
    ...(hosts.coordinator === undefined ? {} : { REMOTE_SWARM_COORDINATOR: `${hosts.coordinator}:${coordinatorPort}` }),
    ...(hosts.workers === undefined ? {} : { REMOTE_SWARM_WORKERS: hosts.workers }),
  };
}

import type { Instance, InstanceStatus } from '../models';
import { compareNaturally } from '../naturalOrder';
import { COORDINATOR_ROLE, groupNetworkName, workerNumber } from './groupMembers';

/** A group as its members make it up: rebuilt from the registry, which the providers' labels and metadata rebuild. */
export interface Group {
  name: string;
  provider: string;
  network: string;
  coordinator: Instance | undefined;
  /** In worker-number order. */
  workers: Instance[];
  /** The coordinator first, then the workers. */
  members: Instance[];
  /** The template new workers are made from. */
  workerTemplate: string | undefined;
  running: number;
  /** The members' statuses rolled up: "running" when all run, "stopped" when none does, else "partial" or "error". */
  status: GroupStatus;
}

export type GroupStatus = 'running' | 'stopped' | 'partial' | 'error' | 'busy';

const BUSY: ReadonlySet<InstanceStatus> = new Set(['creating', 'starting', 'stopping', 'restarting', 'updating', 'deleting']);
const FAILED: ReadonlySet<InstanceStatus> = new Set(['error', 'missing', 'unknown']);

/** Every group with at least one member, by name. Members of one group on two providers make two groups' worth of trouble: the first provider wins. */
export function groupsOf(instances: readonly Instance[]): Group[] {
  const byName = new Map<string, Instance[]>();
  for (const instance of instances) {
    const group = instance.config.group;
    if (group !== undefined) byName.set(group, [...(byName.get(group) ?? []), instance]);
  }
  return [...byName.entries()].sort(([a], [b]) => compareNaturally(a, b)).map(([name, members]) => toGroup(name, members));
}

function toGroup(name: string, members: Instance[]): Group {
  const coordinator = members.find((member) => member.config.groupRole === COORDINATOR_ROLE);
  const workers = members
    .filter((member) => member !== coordinator)
    .sort((a, b) => (workerNumber(a.config.groupRole) ?? Infinity) - (workerNumber(b.config.groupRole) ?? Infinity) || compareNaturally(a.name, b.name));
  const ordered = coordinator ? [coordinator, ...workers] : workers;
  const running = ordered.filter((member) => member.status === 'running').length;
  return {
    name,
    provider: (coordinator ?? ordered[0]!).provider,
    network: groupNetworkName(name),
    coordinator,
    workers,
    members: ordered,
    workerTemplate: ordered.find((member) => member.config.groupWorkerTemplate !== undefined)?.config.groupWorkerTemplate,
    running,
    status: rollUp(ordered, running),
  };
}

function rollUp(members: readonly Instance[], running: number): GroupStatus {
  if (members.some((member) => BUSY.has(member.status))) return 'busy';
  if (running === members.length) return 'running';
  if (members.some((member) => FAILED.has(member.status))) return 'error';
  return running === 0 ? 'stopped' : 'partial';
}

import { COORDINATOR_ROLE, memberName, workerCountSchema } from '../core/groups/groupMembers';
import { firstProblem } from '../core/validation';

/** The number typed for a worker count, or why it is not one. */
export function parseWorkerCount(text: string): { workers: number; problem?: undefined } | { workers?: undefined; problem: string } {
  const trimmed = text.trim();
  const workers = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  const problem = Number.isNaN(workers) ? 'Workers must be a whole number, e.g. 4' : firstProblem(workerCountSchema, workers, 'Workers');
  return problem === undefined ? { workers } : { problem };
}

/** Why a group cannot take this name: a group of that name, or an instance with its coordinator's name. */
export function groupNameTaken(name: string, groupExists: (name: string) => boolean, instanceExists: (name: string) => boolean): string | undefined {
  if (groupExists(name)) return `A group named "${name}" exists already`;
  const coordinator = memberName(name, COORDINATOR_ROLE);
  return instanceExists(coordinator) ? `An instance named "${coordinator}" exists already` : undefined;
}

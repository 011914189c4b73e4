import { WORKERS_ALIAS } from '../core/groups/groupMembers';
import type { GroupPlan } from '../core/groups/groupService';

/** Workers listed one by one up to this many; beyond, the first and the last. */
const LISTED_WORKERS = 4;

/** What Create Group asks the user to confirm: the members with their templates, and how they find each other. */
export function groupPlanSummary(plan: GroupPlan, providerName: string): { question: string; detail: string } {
  const [coordinator, ...workers] = plan.members;
  const workerNames = workers.map((member) => member.name);
  const listed = workerNames.length <= LISTED_WORKERS ? workerNames.join(', ') : `${workerNames[0]} … ${workerNames[workerNames.length - 1]}`;
  const lines = [
    `Coordinator: ${coordinator?.name} (template ${plan.coordinatorTemplate})`,
    plan.workers === 0 ? 'Workers: none yet (Scale Group adds them)' : `Workers: ${plan.workers} × template ${plan.workerTemplate}: ${listed}`,
    plan.network === undefined
      ? `Network: none of its own (${providerName} has no private networks); members reach each other by host name.`
      : `Network: ${plan.network}, private to the group; members reach each other as coordinator, worker-N and ${WORKERS_ALIAS} (every worker).`,
  ];
  return { question: `Create the group "${plan.name}": ${plan.members.length} instance${plan.members.length === 1 ? '' : 's'} on ${providerName}?`, detail: lines.join('\n') };
}

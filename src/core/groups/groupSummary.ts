import type { InstanceStatus } from '../models';
import type { Group, GroupStatus } from './groupView';

export interface GroupMemberSummary {
  name: string;
  role: string;
  status: InstanceStatus;
  url: string | undefined;
  lastError: string | undefined;
}

/** A group as scripts and agents read it: its members once each (the coordinator first), without their full records. */
export interface GroupSummary {
  name: string;
  provider: string;
  network: string;
  status: GroupStatus;
  running: number;
  total: number;
  workerTemplate: string | undefined;
  members: GroupMemberSummary[];
}

export function summarizeGroup(group: Group): GroupSummary {
  return {
    name: group.name,
    provider: group.provider,
    network: group.network,
    status: group.status,
    running: group.running,
    total: group.members.length,
    workerTemplate: group.workerTemplate,
    members: group.members.map((member) => ({
      name: member.name,
      role: member.config.groupRole ?? '(none)',
      status: member.status,
      url: member.urls.ide,
      lastError: member.lastError,
    })),
  };
}

import { groupsOf } from '../core/groups/groupView';
import type { Instance } from '../core/models';
import type { GroupNode, InstanceNode } from './instanceTreeItems';

/** What a provider node holds: its groups by name, then the instances in no group in the order given. */
export function providerChildren(instances: readonly Instance[]): (GroupNode | InstanceNode)[] {
  return [
    ...groupsOf(instances).map((group): GroupNode => ({ kind: 'group', group })),
    ...instances.filter((instance) => instance.config.group === undefined).map((instance): InstanceNode => ({ kind: 'instance', instance })),
  ];
}

/** A group's members: the coordinator first, then the workers in numeric order. */
export function groupChildren({ group }: GroupNode): InstanceNode[] {
  return group.members.map((instance) => ({ kind: 'instance', instance }));
}

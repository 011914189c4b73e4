import type { InstanceHealthView } from '../../src/core/health/healthSnapshot';

/** One group's line of the health panel. */
export interface GroupHealth {
  name: string;
  members: number;
  running: number;
  /** Checked members (the running ones) that are healthy. */
  healthy: number;
  checked: number;
  /** Members unhealthy or recovering, by name. */
  troubled: string[];
}

/** The members of each group rolled up, groups by name; instances in no group are left out. */
export function healthByGroup(instances: readonly InstanceHealthView[]): GroupHealth[] {
  const groups = new Map<string, GroupHealth>();
  for (const instance of instances) {
    if (instance.group === undefined) continue;
    const group = groups.get(instance.group) ?? { name: instance.group, members: 0, running: 0, healthy: 0, checked: 0, troubled: [] };
    group.members++;
    if (instance.instanceStatus === 'running') group.running++;
    if (instance.monitored) {
      group.checked++;
      if (instance.health === 'HEALTHY') group.healthy++;
      if (instance.health === 'UNHEALTHY' || instance.health === 'RECOVERING') group.troubled.push(instance.name);
    }
    groups.set(instance.group, group);
  }
  return [...groups.values()].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
}

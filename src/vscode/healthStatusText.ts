import type { HealthOverview } from '../core/health/healthSnapshot';
import type { HealthStatus } from '../core/health/healthStatus';

export interface TroubledInstance {
  name: string;
  health: Extract<HealthStatus, 'UNHEALTHY' | 'RECOVERING'>;
  error?: string;
}

/** What the health status bar item shows; hidden before the first sweep and while no instance is checked. */
export interface HealthStatusBarContent {
  visible: boolean;
  /** e.g. "$(pulse) 5/6 healthy" */
  text: string;
  /** Any instance UNHEALTHY or RECOVERING: shown in warning colours and named in the tooltip. */
  troubled: TroubledInstance[];
  /** What a screen reader says: the count in words and each troubled instance. */
  accessibleLabel: string;
  /** One line per group for the tooltip, e.g. "swarm-1: 4/5 running". */
  groups: string[];
}

/** What the tooltip says of a group: its members running of all. */
export interface GroupCount {
  name: string;
  running: number;
  members: readonly unknown[];
}

export function healthStatusBarContent(overview: HealthOverview, groups: readonly GroupCount[] = []): HealthStatusBarContent {
  const monitored = overview.instances.filter((instance) => instance.monitored);
  const healthy = monitored.filter((instance) => instance.health === 'HEALTHY').length;
  const troubled = monitored.flatMap((instance): TroubledInstance[] =>
    instance.health === 'UNHEALTHY' || instance.health === 'RECOVERING' ? [{ name: instance.name, health: instance.health, error: instance.lastError }] : [],
  );
  return {
    visible: overview.lastSweepAt !== undefined && monitored.length > 0,
    text: `$(pulse) ${healthy}/${monitored.length} healthy`,
    troubled,
    accessibleLabel: [`Remote Swarm: ${healthy} of ${monitored.length} instances healthy`, ...troubled.map(troubleLine)].join('; '),
    groups: groups.map((group) => `${group.name}: ${group.running}/${group.members.length} running`),
  };
}

/** e.g. "dev-1 is unhealthy: connection refused" */
export function troubleLine({ name, health, error }: TroubledInstance): string {
  return `${name} is ${health === 'RECOVERING' ? 'recovering' : 'unhealthy'}${error ? `: ${error}` : ''}`;
}

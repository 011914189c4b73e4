import type { HealthOverview, InstanceHealthSummary } from '../core/health/healthSnapshot';
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

/** What the status bar item of an instance's own window shows. */
export interface WindowInstanceStatusContent {
  /** e.g. "$(remote) dev-1: healthy" */
  text: string;
  /** Unhealthy or recovering: shown in warning colours. */
  troubled: boolean;
  tooltip: string;
}

const HEALTH_WORDS: Record<HealthStatus, string> = { HEALTHY: 'healthy', UNHEALTHY: 'unhealthy', RECOVERING: 'recovering', UNKNOWN: 'health not known yet' };

/** The instance this window is connected to, with its health while it is checked, else its status (e.g. "stopped"). */
export function windowInstanceStatusContent(instance: { name: string; status: string }, health: InstanceHealthSummary | undefined): WindowInstanceStatusContent {
  const state = health?.monitored ? HEALTH_WORDS[health.health] : instance.status;
  const troubled = health?.monitored === true && (health.health === 'UNHEALTHY' || health.health === 'RECOVERING');
  const error = troubled && health?.lastError ? ` (${health.lastError})` : '';
  return {
    text: `$(remote) ${instance.name}: ${state}`,
    troubled,
    tooltip: `This window is the Remote Swarm instance "${instance.name}": ${state}${error}. Click to open the health panel.`,
  };
}

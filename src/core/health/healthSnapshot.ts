import type { Instance, InstanceStatus } from '../models';
import type { ResourceUsage } from '../provider';
import { stopReasonOf, type StopReason } from '../stopReason';
import { historyStatistics, type HistoryStatistics } from './healthStatistics';
import type { HealthStatus } from './healthStatus';
import type { HealthSample } from './instanceCheck';
import type { RecoveryAttempt } from './recoveryPolicy';

/** A point of the latency chart: the response time, or null when no answer came. */
export interface LatencyPoint {
  at: number;
  ms: number | null;
}

export interface TimedError {
  at: number;
  message: string;
}

/** One instance as the health panel shows it: plain data, posted to the webview as JSON. */
export interface InstanceHealthView {
  id: string;
  name: string;
  provider: string;
  template?: string;
  /** The group it is a member of, and its role there (groups/groupMembers.ts). */
  group?: string;
  groupRole?: string;
  instanceStatus: InstanceStatus;
  /** Stopped or not running: not checked, and not counted in the status bar. */
  monitored: boolean;
  health: HealthStatus;
  /** When the health status last changed. */
  since?: number;
  statistics: HistoryStatistics;
  latency: LatencyPoint[];
  /** Newest first. */
  recentErrors: TimedError[];
  usage?: ResourceUsage;
  /** Newest last. */
  recoveryAttempts: RecoveryAttempt[];
  stopReason?: StopReason;
}

export interface HealthSnapshot {
  generatedAt: number;
  intervalMs: number;
  /** When the last sweep ended; undefined before the first. */
  lastSweepAt?: number;
  instances: InstanceHealthView[];
}

/** One instance's health in brief, for the status bar: cheap to make on every change. */
export interface InstanceHealthSummary {
  id: string;
  name: string;
  monitored: boolean;
  health: HealthStatus;
  lastError?: string;
}

export interface HealthOverview {
  lastSweepAt?: number;
  instances: InstanceHealthSummary[];
}

/** What the monitor holds about one instance it checks. */
export interface InstanceHealthRecord {
  health: HealthStatus;
  since: number;
  samples: readonly HealthSample[];
  recoveryAttempts: readonly RecoveryAttempt[];
}

const RECENT_ERRORS = 5;

export function instanceHealthView(instance: Instance, record: InstanceHealthRecord | undefined, monitored: boolean): InstanceHealthView {
  const samples = record?.samples ?? [];
  return {
    id: instance.id,
    name: instance.name,
    provider: instance.provider,
    template: instance.config.template,
    group: instance.config.group,
    groupRole: instance.config.groupRole,
    instanceStatus: instance.status,
    monitored,
    health: record?.health ?? 'UNKNOWN',
    since: record?.since,
    statistics: historyStatistics(samples),
    latency: samples.map((sample) => ({ at: sample.at, ms: sample.httpStatus === undefined ? null : (sample.responseTimeMs ?? null) })),
    recentErrors: samples
      .flatMap((sample) => (sample.error === undefined ? [] : [{ at: sample.at, message: sample.error }]))
      .slice(-RECENT_ERRORS)
      .reverse(),
    usage: [...samples].reverse().find((sample) => sample.usage !== undefined)?.usage,
    recoveryAttempts: [...(record?.recoveryAttempts ?? [])],
    stopReason: stopReasonOf(instance),
  };
}

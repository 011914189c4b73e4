import type { Disposable, Event } from '../events';
import { processLocalLocks, type InstanceLocks } from './instanceLocks';

/** An instance as one process changed it (undefined: removed), for the others to show. */
export interface SharedInstanceChange {
  id: string;
  /** Wall time of the change (ms). */
  at: number;
  instance?: unknown;
}

/** The leader's health samples as it publishes them: appended to a log that the others follow. */
export interface PublishedSamples {
  /** What was recorded since the previous publish; undefined when nothing was. */
  recent: unknown;
  /** Everything the leader holds, to start the log afresh with. */
  all(): unknown;
  /** Publishes appended to the log before it is started afresh (then they cover everything all() would say). */
  maxAppended: number;
}

/** Samples as another process receives them. */
export interface ReceivedSamples {
  /** The leader started the log afresh: what came before is replaced by the batches, the first of which holds everything. */
  restarted: boolean;
  /** In the order they were published. */
  batches: unknown[];
}

/**
 * How the processes of one user (VS Code windows, CLI, MCP server) share the periodic work: one leader runs it and
 * publishes what it found; the others show that; every process shares the instance changes it makes and holds an
 * instance's lock for each lifecycle operation on it.
 */
export interface SwarmCoordination extends Disposable {
  readonly locks: InstanceLocks;
  /** Whether this process runs the periodic work now. */
  readonly leading: boolean;
  readonly onDidChangeLeadership: Event<boolean>;
  /** What the leader published, as another process receives it. */
  readonly onDidReceiveMonitoring: Event<unknown>;
  /** The samples the leader published, as another process receives them: after the monitoring they go with. */
  readonly onDidReceiveSamples: Event<ReceivedSamples>;
  /** Instance changes other processes made, as this one receives them. */
  readonly onDidReceiveInstanceChanges: Event<SharedInstanceChange[]>;
  /** Takes part in monitoring: campaigns for the lead and receives what the others publish. */
  join(): void;
  /** The leader's latest results and the samples it recorded since the previous publish, for the others. */
  publishMonitoring(state: unknown, samples: PublishedSamples): void;
  shareInstanceChange(change: SharedInstanceChange): void;
}

const never: Event<never> = () => ({ dispose: () => undefined });

/** A core alone with its state (tests, a single process): it always leads, and there is no one to tell. */
export function soloCoordination(): SwarmCoordination {
  return {
    locks: processLocalLocks,
    leading: true,
    onDidChangeLeadership: never,
    onDidReceiveMonitoring: never,
    onDidReceiveSamples: never,
    onDidReceiveInstanceChanges: never,
    join: () => undefined,
    publishMonitoring: () => undefined,
    shareInstanceChange: () => undefined,
    dispose: () => undefined,
  };
}

import * as z from 'zod';
import type { HealthState } from './healthStatus';
import type { HealthSample } from './instanceCheck';
import type { RecoveryAttempt, RecoveryBudget, RecoveryEpisode } from './recoveryPolicy';

const attemptSchema = z.object({ at: z.number(), attempt: z.number(), result: z.enum(['restarted', 'failed']), error: z.string().optional() });

const instanceSchema = z.object({
  state: z.object({ status: z.enum(['HEALTHY', 'UNHEALTHY', 'RECOVERING', 'UNKNOWN']), failures: z.number(), successes: z.number(), since: z.number() }),
  episode: z.object({ attempts: z.array(attemptSchema), gaveUp: z.boolean() }),
  budget: z.object({ countsFrom: z.number(), suspended: z.boolean() }).optional(),
  recoveryLog: z.array(attemptSchema),
});

const publishedHealthSchema = z.object({ lastSweepAt: z.number().optional(), instances: z.record(z.string(), instanceSchema) });

const publishedSamplesSchema = z.object({
  samples: z.record(z.string(), z.array(z.looseObject({ at: z.number(), outcome: z.enum(['pass', 'fail', 'inconclusive']), reachable: z.boolean() }))),
  fresh: z.array(z.string()).optional(),
});

/** What the leader's health monitor knows about one instance but its history, so that another process can take over from it. */
export interface PublishedInstanceHealth {
  state: HealthState;
  episode: RecoveryEpisode;
  /** Absent when a leader of a version without the hourly budget published it. */
  budget?: RecoveryBudget;
  recoveryLog: RecoveryAttempt[];
}

/** The leader's health monitor as it publishes it for the other processes of the user; the histories travel apart (PublishedSamples). */
export interface PublishedHealth {
  lastSweepAt?: number;
  instances: Record<string, PublishedInstanceHealth>;
}

/** Samples the leader recorded since it last published them, or, to start afresh, every history it holds. */
export interface PublishedSamples {
  /** Per instance, oldest first. */
  samples: Record<string, HealthSample[]>;
  /** Instances checked afresh (they had stopped): what a follower held of their history goes before these samples are added. */
  fresh?: string[];
}

/** The published health, or undefined when it is not in this version's shape (another version of Remote Swarm leads). */
export function parsePublishedHealth(value: unknown): PublishedHealth | undefined {
  const parsed = publishedHealthSchema.safeParse(value);
  return parsed.success ? (parsed.data as PublishedHealth) : undefined;
}

/** Published samples, or undefined when they are not in this version's shape. */
export function parsePublishedSamples(value: unknown): PublishedSamples | undefined {
  const parsed = publishedSamplesSchema.safeParse(value);
  return parsed.success ? (parsed.data as PublishedSamples) : undefined;
}

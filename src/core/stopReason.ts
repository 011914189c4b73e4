import type { Instance } from './models';

/** Why Remote Swarm stopped an instance by itself. */
export type StopReason = 'inactivity' | 'budget';

/** Metadata keys holding the reason and time of such a stop; the next lifecycle operation on the instance clears them. */
export const STOP_REASON_KEY = 'stopReason';
export const STOPPED_AT_KEY = 'stoppedAt';

export function stopReasonOf(instance: Instance): StopReason | undefined {
  const reason = instance.metadata[STOP_REASON_KEY];
  return reason === 'inactivity' || reason === 'budget' ? reason : undefined;
}

export function withStopReason(metadata: Readonly<Record<string, string>>, reason: StopReason, at: Date): Record<string, string> {
  return { ...metadata, [STOP_REASON_KEY]: reason, [STOPPED_AT_KEY]: at.toISOString() };
}

export function withoutStopReason(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const { [STOP_REASON_KEY]: _reason, [STOPPED_AT_KEY]: _at, ...rest } = metadata;
  return rest;
}

import type { CallOptions, FlyClient } from './flyClient';
import { systemClock, type Clock } from '../../core/clock';
import { FlyError } from './flyErrors';
import type { FlyMachine, FlyWaitState } from './flyTypes';

/** The longest a single /wait request may block (Fly's limit). */
const MAX_WAIT_REQUEST_SECONDS = 60;

export interface WaitForStateOptions extends CallOptions {
  /** How long in total to wait, across as many /wait requests as that takes. */
  deadlineSeconds: number;
  /** How long one /wait request blocks at most. */
  requestSeconds?: number;
  clock?: Clock;
}

/**
 * Waits on Fly's /wait endpoint (never a polling loop of our own) until the machine is in `state`. A /wait that times
 * out (408) is repeated until the deadline, which then fails with a `timeout` FlyError.
 */
export async function waitForMachineState(
  client: FlyClient,
  app: string,
  machine: Pick<FlyMachine, 'id' | 'instance_id'>,
  state: FlyWaitState,
  { deadlineSeconds, requestSeconds = MAX_WAIT_REQUEST_SECONDS, clock = systemClock, signal }: WaitForStateOptions,
): Promise<void> {
  const deadline = clock.monotonic() + deadlineSeconds * 1000;
  for (;;) {
    const remainingSeconds = Math.ceil((deadline - clock.monotonic()) / 1000);
    if (remainingSeconds <= 0) {
      throw new FlyError({ category: 'timeout', code: 'wait_deadline', message: `machine ${machine.id} did not reach state "${state}" within ${deadlineSeconds} s` });
    }
    try {
      await client.waitMachine(app, machine.id, { state, instanceId: machine.instance_id, timeoutSeconds: Math.min(requestSeconds, remainingSeconds) }, { signal });
      return;
    } catch (error) {
      if (!(error instanceof FlyError && error.category === 'timeout')) throw error;
    }
  }
}

import type { CallOptions, FlyClient } from './flyClient';
import { systemClock, type Clock } from '../../core/clock';
import { FlyError } from './flyErrors';
import { lastEventText } from './flyMachineEvents';
import type { FlyMachine, FlyWaitState } from './flyTypes';

/** The longest a single /wait request may block (Fly's limit). */
const MAX_WAIT_REQUEST_SECONDS = 60;

/** The state a machine rests in when it did not start: /wait ends on it as on the state waited for. */
const FAILED: FlyWaitState = 'failed';
const LAUNCH_FAILED: ReadonlySet<string> = new Set(['failed', 'launch_failed']);

export interface WaitForStateOptions extends CallOptions {
  /** How long in total to wait, across as many /wait requests as that takes. */
  deadlineSeconds: number;
  /** How long one /wait request blocks at most. */
  requestSeconds?: number;
  clock?: Clock;
}

/**
 * Waits on Fly's /wait endpoint (never a polling loop of our own) until the machine is in `state`. A /wait that times
 * out (408) is repeated until the deadline, which then fails with a `timeout` FlyError. Waiting for `started`, a
 * machine that fails instead ends the wait at once with a `machine_failed` FlyError giving its last event.
 */
export async function waitForMachineState(
  client: FlyClient,
  app: string,
  machine: Pick<FlyMachine, 'id' | 'instance_id'>,
  state: FlyWaitState,
  { deadlineSeconds, requestSeconds = MAX_WAIT_REQUEST_SECONDS, clock = systemClock, signal }: WaitForStateOptions,
): Promise<void> {
  const states = state === 'started' ? [state, FAILED] : [state];
  const deadline = clock.monotonic() + deadlineSeconds * 1000;
  for (;;) {
    const remainingSeconds = Math.ceil((deadline - clock.monotonic()) / 1000);
    if (remainingSeconds <= 0) {
      throw new FlyError({ category: 'timeout', code: 'wait_deadline', message: `machine ${machine.id} did not reach state "${state}" within ${deadlineSeconds} s` });
    }
    let reached: string | undefined;
    try {
      ({ state: reached } = await client.waitMachine(app, machine.id, { states, instanceId: machine.instance_id, timeoutSeconds: Math.min(requestSeconds, remainingSeconds) }, { signal }));
    } catch (error) {
      if (error instanceof FlyError && error.category === 'timeout') continue;
      throw error;
    }
    if (state !== 'started' || reached === 'started' || (await startedOrFailed(client, app, machine.id, signal))) return;
  }
}

/**
 * After a /wait that ended on `failed` (or did not say on which state): true when the machine is started after all,
 * a `machine_failed` FlyError with its last event when it failed, false while it is on its way (a /wait that answered
 * with the failure from before a start took effect), to wait again.
 */
async function startedOrFailed(client: FlyClient, app: string, machineId: string, signal: AbortSignal | undefined): Promise<boolean> {
  const machine = await client.getMachine(app, machineId, { signal });
  if (machine.state === 'started') return true;
  if (!LAUNCH_FAILED.has(machine.state)) return false;
  const why = lastEventText(machine.events);
  throw new FlyError({
    category: 'machine_failed',
    code: machine.state,
    message: `machine ${machineId} failed to start (state "${machine.state}")${why ? `: ${why}` : ''}. \`fly logs --app ${app}\` shows its output`,
  });
}

/**
 * The promise's value, or `timedOut` when it has not settled within ms (real time, as the probes' own timeouts); what it
 * was doing carries on unobserved. A rejection passes through.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | 'timedOut'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timedOut'>((resolve) => (timer = setTimeout(resolve, ms, 'timedOut')));
  try {
    return await Promise.race([promise.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A signal that aborts after ms unless cleared first. Unlike AbortSignal.timeout, whose timer and finalization entry
 * stay until the time has passed and the signal has been collected (a thousand probes a sweep), clearing it leaves
 * nothing behind.
 */
export function deadlineSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

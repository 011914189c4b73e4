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

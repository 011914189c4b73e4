export interface PollOptions {
  /** What is awaited, for the timeout message, e.g. "code-server to answer /healthz". */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
}

/** Calls `probe` until it returns a value other than undefined, or fails once the deadline has passed. */
export async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, { what, timeoutMs, intervalMs = 200 }: PollOptions): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** What an injected fault does to a request it hits. */
export type FaultEffect =
  | { kind: 'reply'; status: number; body: unknown; headers?: Record<string, string> }
  /** `before`: the request is dropped unhandled; `after`: it takes effect, then the answer is lost. */
  | { kind: 'reset'; when: 'before' | 'after' }
  | { kind: 'delay'; ms: number };

interface Fault {
  operation: string;
  remaining: number;
  effect: FaultEffect;
}

/**
 * Faults to inject into the next requests of an operation (e.g. "machines.create", "machine.wait", "ips.allocate").
 * Each fault hits `times` matching requests, in the order faults were added.
 */
export class FaultInjector {
  private readonly faults: Fault[] = [];

  add(operation: string, effect: FaultEffect, times = 1): this {
    this.faults.push({ operation, remaining: times, effect });
    return this;
  }

  rateLimited(operation: string, retryAfterSeconds: number, times = 1): this {
    return this.add(operation, { kind: 'reply', status: 429, body: { error: 'rate limit exceeded' }, headers: { 'Retry-After': String(retryAfterSeconds) } }, times);
  }

  insufficientCapacity(operation: string, times = 1): this {
    const body = { error: 'insufficient resources available to fulfill request', status: 'insufficient_capacity' };
    return this.add(operation, { kind: 'reply', status: 503, body }, times);
  }

  connectionReset(operation: string, when: 'before' | 'after' = 'before', times = 1): this {
    return this.add(operation, { kind: 'reset', when }, times);
  }

  slow(operation: string, ms: number, times = 1): this {
    return this.add(operation, { kind: 'delay', ms }, times);
  }

  /** Lets the next `times` requests of the operation through untouched, so a fault added after it hits a later one. */
  pass(operation: string, times = 1): this {
    return this.add(operation, { kind: 'delay', ms: 0 }, times);
  }

  reply(operation: string, status: number, body: unknown, times = 1): this {
    return this.add(operation, { kind: 'reply', status, body }, times);
  }

  /** The effect for this request, if a fault is pending for its operation. */
  take(operation: string): FaultEffect | undefined {
    const fault = this.faults.find((candidate) => candidate.operation === operation && candidate.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault.effect;
  }

  clear(): void {
    this.faults.length = 0;
  }
}

import type { Clock } from '../clock';
import type { SwarmController } from '../controller';
import { SwarmError } from '../errors';
import { Emitter, type Event } from '../events';
import type { InstanceStatus } from '../models';
import type { HttpProbe } from './httpProbe';

/** How long a started instance may take to pass its first check before its failed checks count against it. */
export const STARTUP_GRACE_MS = 3 * 60_000;
/** How often a starting instance's /healthz is asked while someone waits for it. */
export const READINESS_POLL_MS = 1000;

/** Operations after which code-server (re)starts, or may: the instance is starting until it answers. */
const STARTING_OPERATIONS: ReadonlySet<string> = new Set(['create', 'start', 'restart', 'update', 'reset password']);
/** While an operation still runs on it, an instance is waited for; in any other status but running it will not start. */
const ON_ITS_WAY: ReadonlySet<InstanceStatus> = new Set(['creating', 'starting', 'restarting', 'updating']);

export interface InstanceStartupDependencies {
  controller: Pick<SwarmController, 'get' | 'onOperation'>;
  probe: HttpProbe;
  clock: Clock;
  /** For each probe. */
  timeoutMs: () => number;
}

/**
 * Which instances are starting: created, started, restarted or updated, and not yet answering. The provider reports a
 * container running a moment before code-server in it serves; until its /healthz answers 2xx (or a health check passes)
 * the instance is starting, its failed checks are not held against it, and Open waits for it. Each one is watched from
 * its operation on, a probe a second, so that it shows as running as soon as it serves; after STARTUP_GRACE_MS without
 * an answer it counts as started, and the health checks judge it as usual.
 */
export class InstanceStartup {
  private readonly since = new Map<string, number>();
  private readonly changes = new Emitter<void>();
  private readonly disposed = new AbortController();
  private readonly subscription: { dispose(): void };

  /** Fires when an instance begins or ends starting. */
  readonly onDidChange: Event<void> = this.changes.event;

  constructor(private readonly deps: InstanceStartupDependencies) {
    this.subscription = deps.controller.onOperation(({ operation, instance, phase }) => {
      if (phase === 'started' && STARTING_OPERATIONS.has(operation)) this.begin(instance);
    });
  }

  /** Whether the instance is starting: it has not answered since its last (re)start, within the grace period. */
  isStarting(id: string): boolean {
    const since = this.since.get(id);
    if (since === undefined) return false;
    if (this.deps.clock.now() - since < STARTUP_GRACE_MS) return true;
    this.end(id);
    return false;
  }

  /** A check of the instance passed: it has started. */
  passed(id: string): void {
    this.end(id);
  }

  /**
   * Resolves once the instance serves: running, and its /healthz answers 2xx (at once when it has no IDE URL). Probes
   * once a second while it is on its way; rejects when `signal` aborts, or the instance is gone or in a status from
   * which it will not start by itself (stopped, error, …).
   */
  async untilReady(idOrName: string, signal?: AbortSignal): Promise<void> {
    const stop = signal ? AbortSignal.any([signal, this.disposed.signal]) : this.disposed.signal;
    for (;;) {
      stop.throwIfAborted();
      const instance = this.deps.controller.get(idOrName);
      if (instance.status === 'running') {
        const ide = instance.urls.ide;
        const answer = ide === undefined ? undefined : await this.deps.probe(new URL('healthz', ide).toString(), this.deps.timeoutMs());
        if (answer === undefined || (answer.statusCode !== undefined && answer.statusCode >= 200 && answer.statusCode < 300)) {
          this.passed(instance.id);
          return;
        }
      } else if (!ON_ITS_WAY.has(instance.status)) {
        this.end(instance.id);
        throw new SwarmError('CONFLICT', `"${instance.name}" is ${instance.status}; it is not starting.`);
      }
      await this.deps.clock.sleep(READINESS_POLL_MS, stop);
    }
  }

  dispose(): void {
    this.disposed.abort();
    this.subscription.dispose();
    this.changes.dispose();
  }

  /** Starting from now on; watched until it serves, fails to start, or the grace period ends. */
  private begin(name: string): void {
    let id: string;
    try {
      id = this.deps.controller.get(name).id;
    } catch {
      return;
    }
    this.since.set(id, this.deps.clock.now());
    this.changes.fire();
    const grace = new AbortController();
    const cancel = this.deps.clock.setTimeout(() => grace.abort(), STARTUP_GRACE_MS);
    this.untilReady(id, grace.signal)
      .catch(() => undefined)
      .finally(cancel);
  }

  private end(id: string): void {
    if (this.since.delete(id)) this.changes.fire();
  }
}

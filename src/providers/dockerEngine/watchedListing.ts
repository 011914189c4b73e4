import type { Readable } from 'node:stream';
import type Docker from 'dockerode';

/** The engine's event filters, e.g. `{ type: ['container'], label: ['remote-swarm.instance'] }`. */
export type EventFilters = Record<string, string[]>;

export interface WatchedListingOptions<T> {
  /** Lists from the engine (one API call where it can). */
  list: () => Promise<T>;
  /** The events that may change what `list` answers; the others (an exec, a resize) leave the listing as it is. */
  filters: EventFilters;
  /** Actions of those events that change nothing `list` reports (compared before any ":"; "exec_start: sh" is exec_start). */
  unchangingActions?: readonly string[];
  /** A listing is served at most this long, so a stream that died without a word is found out (default 60 s). */
  maxAgeMs?: number;
  /** Monotonic milliseconds. */
  now?: () => number;
}

/** Container events that change nothing in the container list: execs, attaches, copies, health checks. */
export const UNCHANGING_CONTAINER_ACTIONS: readonly string[] = [
  'attach', 'detach', 'resize', 'top', 'export', 'commit', 'copy', 'archive-path', 'extract-to-dir',
  'exec_create', 'exec_start', 'exec_detach', 'exec_die', 'health_status',
];

/**
 * A listing kept current by the engine's event stream, as Kubernetes informers keep theirs: listed once, then served
 * again, after a ping, for as long as no event of what it lists arrived since it was asked for. Any such event,
 * an operation of ours (`invalidate`), the stream ending or failing, or `maxAgeMs` passing makes the next read list
 * afresh (and a broken stream is opened again). A listing counts only when the stream was open before it was asked
 * for, so nothing that happened between the two is missed; the first read lists without waiting for the stream.
 */
export class WatchedListing<T> {
  private stream: Readable | undefined;
  private opening: Promise<void> | undefined;
  private served: { value: T; at: number } | undefined;
  /** Counts what made listings stale: a listing asked for at another count is not served again. */
  private changes = 0;
  private disposed = false;
  private readonly unchanging: ReadonlySet<string>;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly docker: Docker,
    private readonly options: WatchedListingOptions<T>,
  ) {
    this.unchanging = new Set(options.unchangingActions ?? []);
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.now = options.now ?? (() => performance.now());
  }

  async current(): Promise<T> {
    if (this.servable()) {
      // The engine answers first, so an engine gone is reported rather than hidden behind the last listing, and the
      // events it sent before answering are read off the socket before deciding (one poll phase of the event loop).
      await this.docker.ping().catch((error: unknown) => {
        this.invalidate();
        throw error;
      });
      await nextPollPhase();
      if (this.servable()) return this.served!.value;
    }
    this.watch();
    const watched = this.stream !== undefined;
    const changes = this.changes;
    const at = this.now();
    const value = await this.options.list();
    if (watched && changes === this.changes && !this.disposed) this.served = { value, at };
    return value;
  }

  private servable(): boolean {
    return this.served !== undefined && this.now() - this.served.at < this.maxAgeMs;
  }

  /** What is listed changed (an operation of ours): the next read lists afresh. */
  invalidate(): void {
    this.changes += 1;
    this.served = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.invalidate();
    this.stream?.destroy();
    this.stream = undefined;
  }

  /** Opens the event stream unless it is open or opening; a failure leaves it closed, for the next read to try again. */
  private watch(): void {
    if (this.stream || this.opening || this.disposed) return;
    this.opening = this.docker
      .getEvents({ filters: this.options.filters })
      .then((stream) => this.follow(stream as unknown as Readable))
      .catch(() => undefined)
      .finally(() => (this.opening = undefined));
  }

  private follow(stream: Readable): void {
    if (this.disposed) {
      stream.destroy();
      return;
    }
    this.stream = stream;
    // The stream never ends by itself: it must not keep a process (the CLI, a test) alive.
    (stream as Readable & { socket?: { unref?: () => void } }).socket?.unref?.();
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      if (lines.some((line) => this.changesListing(line))) this.invalidate();
    });
    const closed = () => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.invalidate();
    };
    stream.on('end', closed);
    stream.on('close', closed);
    stream.on('error', closed);
  }

  private changesListing(line: string): boolean {
    if (line.trim() === '') return false;
    try {
      const action = String((JSON.parse(line) as { Action?: unknown }).Action ?? '');
      return !this.unchanging.has(action.split(':')[0]!.trim());
    } catch {
      return true;
    }
  }
}

/** Resolves after the event loop has polled for I/O once: what already reached a socket has been read by then. */
function nextPollPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock';
import { errorMessage } from '../errors';
import { Emitter } from '../events';
import type { Logger } from '../logger';
import { PeriodicTask } from '../periodicTask';
import { FileLease, type LeaseHolder } from './fileLease';
import { FileInstanceLocks } from './instanceLocks';
import { DEFAULT_LEASE_TIMINGS, Leadership, type LeaseTimings } from './leadership';
import { SharedJsonFile } from './sharedJsonFile';
import type { SharedInstanceChange, SwarmCoordination } from './swarmCoordination';

/** Shared changes older than this are dropped from the file: every process that runs has long read them. */
const CHANGES_KEPT_MS = 24 * 3_600_000;

interface PublishedBy {
  leader: string;
  state: unknown;
}

interface SharedChangeEntry {
  at: number;
  by: string;
  /** Counts the changes this process shared, so that two within one millisecond are told apart. */
  seq: number;
  instance?: unknown;
}

export interface FileCoordinationOptions {
  clock?: Clock;
  timings?: LeaseTimings;
  log: Logger;
}

/**
 * Coordination through files in the user's state folder, which every front end of the user reaches:
 * - `leader.json`: the leader's lease (see Leadership for its timings);
 * - `monitoring.json`: what the leader found last (health, cost), replaced after each sweep, tick and change;
 * - `instance-changes.json`: the latest change each process made to each instance;
 * - `locks/<instance id>.json`: the lease of a lifecycle operation in progress.
 * The others look at the first three once a second (a stat each); VS Code tells no window of another's globalState
 * writes, and a file works the same for the CLI.
 */
export class FileCoordination implements SwarmCoordination {
  readonly locks: FileInstanceLocks;
  private readonly holder: LeaseHolder;
  private readonly leadership: Leadership;
  private readonly monitoring: SharedJsonFile;
  private readonly changes: SharedJsonFile;
  private readonly received = new Emitter<unknown>();
  private readonly receivedChanges = new Emitter<SharedInstanceChange[]>();
  private readonly applied = new Map<string, string>();
  private readonly watch: PeriodicTask;
  private joined = false;
  private shared = 0;
  private readonly unshared = new Map<string, SharedChangeEntry>();

  readonly onDidReceiveMonitoring = this.received.event;
  readonly onDidReceiveInstanceChanges = this.receivedChanges.event;

  constructor(
    directory: string,
    private readonly options: FileCoordinationOptions,
  ) {
    const clock = options.clock ?? systemClock;
    const timings = options.timings ?? DEFAULT_LEASE_TIMINGS;
    this.holder = { id: `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`, pid: process.pid, host: hostname() };
    this.leadership = new Leadership(new FileLease(join(directory, 'leader.json'), this.holder, timings.ttlMs, () => clock.now()), clock, timings, report(options.log, 'Could not claim the lead among Remote Swarm windows'));
    this.locks = new FileInstanceLocks(join(directory, 'locks'), this.holder, clock, timings);
    this.monitoring = new SharedJsonFile(join(directory, 'monitoring.json'));
    this.changes = new SharedJsonFile(join(directory, 'instance-changes.json'));
    this.watch = new PeriodicTask(clock, () => timings.pollMs, async () => this.look(), report(options.log, 'Could not read what other Remote Swarm windows shared'));
  }

  get leading(): boolean {
    return this.leadership.leading;
  }

  get onDidChangeLeadership() {
    return this.leadership.onDidChange;
  }

  join(): void {
    if (this.joined) return;
    this.joined = true;
    this.leadership.start();
    void this.watch.runNow();
  }

  publishMonitoring(state: unknown): void {
    if (this.leading) this.monitoring.write({ leader: this.holder.id, state } satisfies PublishedBy);
  }

  /** Changes made together (a refresh's hundreds) are written together, in one update of the file. */
  shareInstanceChange({ id, at, instance }: SharedInstanceChange): void {
    const entry: SharedChangeEntry = { at, by: this.holder.id, seq: ++this.shared, ...(instance === undefined ? {} : { instance }) };
    this.applied.set(id, appliedKey(entry));
    const first = this.unshared.size === 0;
    this.unshared.set(id, entry);
    if (first) queueMicrotask(() => this.flushShared());
  }

  dispose(): void {
    this.watch.dispose();
    this.leadership.dispose();
    this.received.dispose();
    this.receivedChanges.dispose();
  }

  private flushShared(): void {
    const batch = [...this.unshared];
    this.unshared.clear();
    const oldest = Math.min(...batch.map(([, entry]) => entry.at)) - CHANGES_KEPT_MS;
    this.changes
      .update((current) => ({ ...Object.fromEntries(Object.entries(changeEntries(current)).filter(([, kept]) => kept.at > oldest)), ...Object.fromEntries(batch) }))
      .catch(report(this.options.log, 'Could not share instance changes with other Remote Swarm windows'));
  }

  private look(): void {
    const published = this.monitoring.readIfChanged() as Partial<PublishedBy> | undefined;
    if (published && published.leader !== this.holder.id && !this.leading) this.received.fire(published.state);
    const changes = this.changes.readIfChanged();
    if (changes === undefined) return;
    const fresh: SharedInstanceChange[] = [];
    for (const [id, entry] of Object.entries(changeEntries(changes))) {
      if (entry.by === this.holder.id || this.applied.get(id) === appliedKey(entry)) continue;
      this.applied.set(id, appliedKey(entry));
      fresh.push({ id, at: entry.at, instance: entry.instance });
    }
    if (fresh.length > 0) this.receivedChanges.fire(fresh);
  }
}

function changeEntries(value: unknown): Record<string, SharedChangeEntry> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, SharedChangeEntry] => typeof entry[1]?.at === 'number' && typeof entry[1]?.by === 'string'));
}

function appliedKey(entry: SharedChangeEntry): string {
  return `${entry.by}#${entry.seq}`;
}

function report(log: Logger, what: string): (error: unknown) => void {
  return (error) => log.warn(`${what}: ${errorMessage(error)}`);
}

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
import { SharedJsonLog, type LogReading } from './sharedJsonLog';
import type { PublishedSamples, ReceivedSamples, SharedInstanceChange, SwarmCoordination } from './swarmCoordination';

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
 * - `monitoring.json`: what the leader found last (health states, cost), replaced after each sweep, tick and change;
 * - `health-samples.jsonl`: the leader's health samples, a line per publish with those recorded since the previous one,
 *   after a first line with every history; started afresh by a new leader, and once the lines cover whole histories;
 * - `instance-changes.json`: the latest change each process made to each instance;
 * - `locks/<instance id>.json`: the lease of a lifecycle operation in progress.
 * The others look at the first four once a second (a stat each); VS Code tells no window of another's globalState
 * writes, and a file works the same for the CLI.
 */
export class FileCoordination implements SwarmCoordination {
  readonly locks: FileInstanceLocks;
  private readonly holder: LeaseHolder;
  private readonly leadership: Leadership;
  private readonly monitoring: SharedJsonFile;
  private readonly samples: SharedJsonLog;
  private readonly changes: SharedJsonFile;
  private readonly received = new Emitter<unknown>();
  private readonly receivedSamples = new Emitter<ReceivedSamples>();
  private readonly receivedChanges = new Emitter<SharedInstanceChange[]>();
  private readonly applied = new Map<string, string>();
  private readonly watch: PeriodicTask;
  private joined = false;
  /** Whether this process has followed a leader: one that takes over then reads what that one published last. */
  private followed = false;
  private shared = 0;
  private readonly unshared = new Map<string, SharedChangeEntry>();

  readonly onDidReceiveMonitoring = this.received.event;
  readonly onDidReceiveSamples = this.receivedSamples.event;
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
    this.samples = new SharedJsonLog(join(directory, 'health-samples.jsonl'));
    this.changes = new SharedJsonFile(join(directory, 'instance-changes.json'));
    const readFailed = report(options.log, 'Could not read what other Remote Swarm windows shared');
    this.watch = new PeriodicTask(clock, () => timings.pollMs, async () => this.look(), readFailed);
    // Subscribed before the core, so that the samples are in before it acts as the leader: its first publish, which
    // starts the log afresh, then leaves none out. The ledger is left as this process last followed it.
    this.leadership.onDidChange((leading) => {
      if (!leading || !this.followed) return;
      try {
        this.receiveSamples(this.samples.readNew());
      } catch (error) {
        readFailed(error);
      }
    });
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

  /** monitoring.json first: a follower reads the samples before it, so it knows every instance they name. */
  publishMonitoring(state: unknown, { recent, all, maxAppended }: PublishedSamples): void {
    if (!this.leading) {
      this.samples.skipped();
      return;
    }
    try {
      this.monitoring.write({ leader: this.holder.id, state } satisfies PublishedBy);
      this.samples.write(recent, all, maxAppended);
    } catch (error) {
      this.samples.skipped();
      report(this.options.log, 'Could not publish health and cost for other Remote Swarm windows')(error);
    }
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
    this.receivedSamples.dispose();
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
    if (!this.leading) this.followMonitoring();
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

  /** The samples are read before monitoring.json, which the leader writes first: it names every instance they do. */
  private followMonitoring(): void {
    this.followed = true;
    const samples = this.samples.readNew();
    const published = this.monitoring.readIfChanged() as Partial<PublishedBy> | undefined;
    if (published && published.leader !== this.holder.id) this.received.fire(published.state);
    this.receiveSamples(samples);
  }

  private receiveSamples({ restarted, values, unreadable }: LogReading): void {
    for (const line of unreadable) this.options.log.warn(`Skipped a line of ${this.samples.path} that is not JSON: ${line}`);
    if (restarted || values.length > 0) this.receivedSamples.fire({ restarted, batches: values });
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

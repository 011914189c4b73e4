import * as z from 'zod';
import type { KeyValueStore } from '../stores';
import { splitByMonth } from './calendarMonth';

export const COST_LEDGER_KEY = 'remoteSwarm.cost.ledger';
/** Where a ledger that could not be read is kept, with the reason, instead of being dropped. */
export const COST_LEDGER_QUARANTINE_KEY = 'remoteSwarm.cost.ledger.quarantine';
const SCHEMA_VERSION = 1;

const usageSchema = z.object({
  name: z.string(),
  provider: z.string(),
  template: z.string().optional(),
  group: z.string().optional(),
  runningSeconds: z.number().min(0),
  cost: z.number().min(0),
});
/** One instance's use in one month; the labels are as they were at the last accrual, so deleted instances keep theirs. */
export type MonthlyUsage = z.infer<typeof usageSchema>;

const spanSchema = usageSchema.omit({ runningSeconds: true, cost: true }).extend({
  since: z.number(),
  running: z.boolean(),
  ratePerHour: z.number().min(0),
});
/**
 * What an instance has been doing since when, at which rate, with its labels: accrued when it changes, at each tick,
 * and after a restart of VS Code (the time in between counts as what was last seen).
 */
export type OpenSpan = z.infer<typeof spanSchema>;

const ledgerSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** month key ("2026-11") → instance id → use. */
  months: z.record(z.string(), z.record(z.string(), usageSchema)),
  /** instance id → its open span. */
  spans: z.record(z.string(), spanSchema),
  /** month key → the budget alerts already given that month. */
  alerts: z.record(z.string(), z.array(z.string())),
});
type LedgerDocument = z.infer<typeof ledgerSchema>;

export type InstanceLabels = Omit<MonthlyUsage, 'runningSeconds' | 'cost'>;

const MS_PER_HOUR = 3_600_000;
const MONTHS_KEPT = 13;

/** The persisted record of what each instance cost, month by month, in a KeyValueStore. */
export class CostLedger {
  private document: LedgerDocument = emptyLedger();
  private writeChain: Promise<void> = Promise.resolve();
  private waitingWrite: Promise<void> | undefined;
  /**
   * @param writable Whether this process may write the ledger now: only the leader's writes land, asked at each write
   *   because a leader whose renewals stalled may have lost the lead without knowing it yet. A follower shows the
   *   leader's ledger.
   */
  constructor(
    private readonly store: KeyValueStore,
    private readonly writable: () => boolean = () => true,
  ) {}

  /** Reads the stored ledger; one that cannot be read is moved aside and the reason returned, and metering starts afresh. */
  async load(): Promise<string | undefined> {
    const stored = this.store.get<unknown>(COST_LEDGER_KEY);
    if (stored === undefined) {
      this.document = emptyLedger();
      return undefined;
    }
    const parsed = ledgerSchema.safeParse(stored);
    if (parsed.success) {
      this.document = parsed.data;
      return undefined;
    }
    const reason = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(ledger)'}: ${issue.message}`).join('; ');
    await this.store.update(COST_LEDGER_QUARANTINE_KEY, { reason, raw: stored });
    this.document = emptyLedger();
    return `The stored cost ledger could not be read (${reason}); it was kept aside under "${COST_LEDGER_QUARANTINE_KEY}" and metering started afresh.`;
  }

  spanOf(id: string): OpenSpan | undefined {
    return this.document.spans[id];
  }

  /** Ids with an open span. */
  meteredIds(): string[] {
    return Object.keys(this.document.spans);
  }

  /**
   * Accrues the instance's open span up to `now` into the months it covers, then opens `next` (or closes it). Returns
   * whether the ledger changed: a span that bills nothing, followed by one that bills nothing with the same labels,
   * changes nothing (a refresh that marks 700 free, stopped instances missing has no ledger to write).
   */
  accrue(id: string, now: number, next: Omit<OpenSpan, 'since'> | undefined): boolean {
    const span = this.document.spans[id];
    if (span && next && !bills(span) && !bills(next) && sameLabels(span, next)) return false;
    if (span && bills(span)) {
      const { since, running, ratePerHour, ...labels } = span;
      for (const { month, ms } of splitByMonth(since, now)) {
        const months = (this.document.months[month] ??= {});
        const usage = (months[id] ??= { ...labels, runningSeconds: 0, cost: 0 });
        Object.assign(usage, labels);
        if (running) usage.runningSeconds += ms / 1000;
        usage.cost += (ms / MS_PER_HOUR) * ratePerHour;
      }
    }
    if (next) this.document.spans[id] = { ...next, since: Math.max(now, span?.since ?? now) };
    else delete this.document.spans[id];
    return span !== undefined || next !== undefined;
  }

  /** Every instance's use in a month, by instance id. */
  usage(month: string): Readonly<Record<string, Readonly<MonthlyUsage>>> {
    return this.document.months[month] ?? {};
  }

  alertsGiven(month: string): ReadonlySet<string> {
    return new Set(this.document.alerts[month] ?? []);
  }

  recordAlert(month: string, key: string): void {
    const given = (this.document.alerts[month] ??= []);
    if (!given.includes(key)) given.push(key);
  }

  /** The whole ledger as it stands, for the processes that follow this one. */
  published(): unknown {
    return structuredClone(this.document);
  }

  /** Takes the ledger another process published; false (and nothing changes) when it is not in this version's shape. */
  follow(published: unknown): boolean {
    const parsed = ledgerSchema.safeParse(published);
    if (parsed.success) this.document = parsed.data;
    return parsed.success;
  }

  /**
   * Writes the ledger, keeping the last MONTHS_KEPT months. Writes are chained so the last state always lands last, and
   * a write still waiting its turn takes every later change with it: 700 changes in one refresh make one write, not 700.
   */
  persist(): Promise<void> {
    if (!this.writable()) return Promise.resolve();
    this.waitingWrite ??= this.writeChain.then(() => {
      this.waitingWrite = undefined;
      for (const old of Object.keys(this.document.months).sort().slice(0, -MONTHS_KEPT)) delete this.document.months[old];
      for (const old of Object.keys(this.document.alerts).sort().slice(0, -MONTHS_KEPT)) delete this.document.alerts[old];
      return this.store.update(COST_LEDGER_KEY, structuredClone(this.document));
    });
    this.writeChain = this.waitingWrite.catch(() => undefined);
    return this.waitingWrite;
  }
}

function bills(span: Omit<OpenSpan, 'since'>): boolean {
  return span.running || span.ratePerHour > 0;
}

function sameLabels(a: InstanceLabels, b: InstanceLabels): boolean {
  return a.name === b.name && a.provider === b.provider && a.template === b.template && a.group === b.group;
}

function emptyLedger(): LedgerDocument {
  return { schemaVersion: SCHEMA_VERSION, months: {}, spans: {}, alerts: {} };
}

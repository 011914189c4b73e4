import type { Clock } from '../clock';
import { Emitter, type Disposable, type Event } from '../events';
import type { Instance } from '../models';
import type { InstanceRegistry, RegistryChange } from '../registry';
import { monthKey } from './calendarMonth';
import type { CostLedger, InstanceLabels, OpenSpan } from './costLedger';
import { buildCostReport, type CostReport } from './costReport';
import { hourlyRate, isBilledAsRunning, type PriceBook } from './pricing';

export interface CostMeterDependencies {
  registry: Pick<InstanceRegistry, 'list' | 'onDidChange'>;
  /** Loaded before the meter is made. */
  ledger: CostLedger;
  prices: PriceBook;
  clock: Clock;
}

/**
 * Meters what each instance costs, to the second: every status change of an instance closes its open span at the
 * rate it had, and each tick brings all spans up to now at current prices and persists the ledger. Time while VS Code
 * was closed counts as what the instance was last seen doing.
 */
export class CostMeter {
  private readonly changes = new Emitter<void>();
  private readonly subscription: Disposable;

  readonly onDidChange: Event<void> = this.changes.event;

  constructor(private readonly deps: CostMeterDependencies) {
    this.subscription = deps.registry.onDidChange((change) => this.meterChange(change));
    this.catchUp();
  }

  /** Accrues every instance up to now at its current status and price, and persists the ledger. */
  async tick(): Promise<void> {
    this.catchUp();
    await this.deps.ledger.persist();
    this.changes.fire();
  }

  /** Shows the ledger the leading process published, brought up to now; false when it could not be read. */
  follow(published: unknown): boolean {
    if (!this.deps.ledger.follow(published)) return false;
    this.changes.fire();
    return true;
  }

  /** This month's costs as of now. */
  report(): CostReport {
    this.catchUp();
    const now = this.deps.clock.now();
    const current = this.deps.registry.list().map((instance) => ({ id: instance.id, ...labelsOf(instance), status: instance.status, hourlyRate: this.rateOf(instance) }));
    return buildCostReport(now, this.deps.ledger.usage(monthKey(now)), current);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changes.dispose();
  }

  private meterChange({ kind, instance }: RegistryChange): void {
    const changed = this.deps.ledger.accrue(instance.id, this.deps.clock.now(), kind === 'removed' ? undefined : this.spanOf(instance));
    // A failed write is retried by the next one, which writes the whole ledger; tick() reports failures.
    if (changed) this.deps.ledger.persist().catch(() => undefined);
    this.changes.fire();
  }

  /** Brings every span up to now; opens spans for instances new to the ledger and closes those of instances gone. */
  private catchUp(): void {
    const now = this.deps.clock.now();
    const instances = this.deps.registry.list();
    for (const instance of instances) this.deps.ledger.accrue(instance.id, now, this.spanOf(instance));
    const present = new Set(instances.map((instance) => instance.id));
    for (const id of this.deps.ledger.meteredIds()) if (!present.has(id)) this.deps.ledger.accrue(id, now, undefined);
  }

  private spanOf(instance: Instance): Omit<OpenSpan, 'since'> {
    return { ...labelsOf(instance), running: isBilledAsRunning(instance.status), ratePerHour: this.rateOf(instance) };
  }

  private rateOf(instance: Instance): number {
    return hourlyRate(this.deps.prices.priceOf(instance), instance.status);
  }
}

function labelsOf(instance: Instance): InstanceLabels {
  return { name: instance.name, provider: instance.provider, template: instance.config.template, group: instance.config.group };
}

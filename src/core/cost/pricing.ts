import type { Instance, InstanceStatus } from '../models';

/** US dollars per hour an instance costs in each state. */
export interface HourlyPrice {
  /** While it runs (Fly: a started machine's CPUs and memory, plus its volume). */
  running: number;
  /** While it exists but does not run (Fly: its volume). */
  stopped: number;
}

/** A provider's price for one instance, declared when the provider registers (Fly: by CPU kind, CPUs, memory and volume GB). */
export type InstancePricing = (instance: Instance) => HourlyPrice;

export const FREE: HourlyPrice = { running: 0, stopped: 0 };

/** Statuses billed at the running price: the machine is up, or coming up or going down. */
const BILLED_AS_RUNNING: ReadonlySet<InstanceStatus> = new Set(['creating', 'starting', 'running', 'restarting', 'updating', 'stopping']);
/** Statuses that cost nothing: the instance is gone, or going. */
const NOT_BILLED: ReadonlySet<InstanceStatus> = new Set(['deleting', 'missing']);

export function isBilledAsRunning(status: InstanceStatus): boolean {
  return BILLED_AS_RUNNING.has(status);
}

/** The hourly rate an instance in this status costs. */
export function hourlyRate(price: HourlyPrice, status: InstanceStatus): number {
  if (NOT_BILLED.has(status)) return 0;
  return isBilledAsRunning(status) ? price.running : price.stopped;
}

/**
 * Prices per provider. A flat hourly rate the user configured for a provider (remoteSwarm.cost.pricePerHour, e.g. for
 * Docker or SSH hosts) wins over the price the provider declares; a provider with neither is free.
 */
export class PriceBook {
  constructor(
    private readonly declared: (provider: string) => InstancePricing | undefined,
    private readonly configured: () => Readonly<Record<string, number>>,
  ) {}

  priceOf(instance: Instance): HourlyPrice {
    const flat = this.configured()[instance.provider];
    if (flat !== undefined) return { running: flat, stopped: 0 };
    try {
      return this.declared(instance.provider)?.(instance) ?? FREE;
    } catch {
      // A size the provider has no price for (e.g. an instance adopted from elsewhere) must not stop the meter.
      return FREE;
    }
  }
}

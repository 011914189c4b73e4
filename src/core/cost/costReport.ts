import type { InstanceStatus } from '../models';
import { monthKey, nextMonthStart } from './calendarMonth';
import type { InstanceLabels, MonthlyUsage } from './costLedger';

/** One instance's cost this month; instances deleted this month keep their line. */
export interface InstanceCost extends InstanceLabels {
  id: string;
  /** Undefined once the instance is deleted. */
  status?: InstanceStatus;
  /** $ per hour in its current status. */
  hourlyRate: number;
  runningHours: number;
  monthToDate: number;
  /** Month to date plus the current rate until the month ends. */
  projected: number;
}

export interface CostTotal {
  key: string;
  monthToDate: number;
  projected: number;
}

export interface CostReport {
  month: string;
  generatedAt: number;
  monthToDate: number;
  projected: number;
  /** Most expensive first. */
  instances: InstanceCost[];
  byProvider: CostTotal[];
  byGroup: CostTotal[];
  byTemplate: CostTotal[];
}

/** An instance that exists now, with its rate in its current status. */
export interface CurrentInstance extends InstanceLabels {
  id: string;
  status: InstanceStatus;
  hourlyRate: number;
}

/** Instances with no group or template are totalled under this key. */
export const NONE_KEY = '(none)';

const MS_PER_HOUR = 3_600_000;

/**
 * The month's costs: month to date from the ledger, and a projection assuming every instance stays as it is now
 * (running ones keep running at today's rate) until the month ends.
 */
export function buildCostReport(now: number, usage: Readonly<Record<string, Readonly<MonthlyUsage>>>, current: readonly CurrentInstance[]): CostReport {
  const hoursLeft = (nextMonthStart(now) - now) / MS_PER_HOUR;
  const lines = new Map<string, InstanceCost>();
  for (const [id, used] of Object.entries(usage)) {
    lines.set(id, { ...used, id, hourlyRate: 0, runningHours: used.runningSeconds / 3600, monthToDate: used.cost, projected: used.cost });
  }
  for (const { id, status, hourlyRate, ...labels } of current) {
    const line = lines.get(id) ?? { ...labels, id, hourlyRate: 0, runningHours: 0, monthToDate: 0, projected: 0 };
    lines.set(id, { ...line, ...labels, status, hourlyRate, projected: line.monthToDate + hourlyRate * hoursLeft });
  }
  const instances = [...lines.values()].sort((a, b) => b.projected - a.projected || a.name.localeCompare(b.name));
  return {
    month: monthKey(now),
    generatedAt: now,
    monthToDate: sum(instances, (line) => line.monthToDate),
    projected: sum(instances, (line) => line.projected),
    instances,
    byProvider: totalsBy(instances, (line) => line.provider),
    byGroup: totalsBy(instances, (line) => line.group ?? NONE_KEY),
    byTemplate: totalsBy(instances, (line) => line.template ?? NONE_KEY),
  };
}

function totalsBy(lines: readonly InstanceCost[], keyOf: (line: InstanceCost) => string): CostTotal[] {
  const totals = new Map<string, CostTotal>();
  for (const line of lines) {
    const key = keyOf(line);
    const total = totals.get(key) ?? { key, monthToDate: 0, projected: 0 };
    total.monthToDate += line.monthToDate;
    total.projected += line.projected;
    totals.set(key, total);
  }
  return [...totals.values()].sort((a, b) => b.projected - a.projected || a.key.localeCompare(b.key));
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

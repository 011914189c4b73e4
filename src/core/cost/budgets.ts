import type { CostReport } from './costReport';
import type { CostSettings } from './costSettings';

/** Budgets warn when month-to-date spending reaches 80% and again at 100%. */
export const BUDGET_THRESHOLDS = [0.8, 1] as const;
export type BudgetThreshold = (typeof BUDGET_THRESHOLDS)[number];

/** A monthly budget and how much of it is used. */
export interface BudgetView {
  /** The template whose instances it covers; absent for the global budget. */
  template?: string;
  limit: number;
  spent: number;
  projected: number;
}

export interface BudgetCrossing {
  budget: BudgetView;
  /** The highest threshold newly reached. */
  threshold: BudgetThreshold;
  /** Every threshold the budget has reached, as remembered keys, so none is announced twice in a month. */
  keys: string[];
}

/** The budgets the settings set (a limit of 0 sets none), with this month's spending. */
export function budgetViews(report: CostReport, settings: CostSettings): BudgetView[] {
  const budgets: BudgetView[] = [];
  if (settings.monthlyBudget > 0) budgets.push({ limit: settings.monthlyBudget, spent: report.monthToDate, projected: report.projected });
  for (const [template, limit] of Object.entries(settings.templateBudgets)) {
    if (limit <= 0) continue;
    const total = report.byTemplate.find((candidate) => candidate.key === template);
    budgets.push({ template, limit, spent: total?.monthToDate ?? 0, projected: total?.projected ?? 0 });
  }
  return budgets;
}

/** Budgets that reached a threshold not announced yet this month. A changed limit is a new budget, announced afresh. */
export function budgetCrossings(budgets: readonly BudgetView[], announced: ReadonlySet<string>): BudgetCrossing[] {
  return budgets.flatMap((budget) => {
    const reached = BUDGET_THRESHOLDS.filter((threshold) => budget.spent >= threshold * budget.limit);
    const fresh = reached.filter((threshold) => !announced.has(budgetKey(budget, threshold)));
    if (fresh.length === 0) return [];
    return [{ budget, threshold: fresh[fresh.length - 1]!, keys: reached.map((threshold) => budgetKey(budget, threshold)) }];
  });
}

export function isExceeded(budget: BudgetView): boolean {
  return budget.spent >= budget.limit;
}

function budgetKey(budget: BudgetView, threshold: BudgetThreshold): string {
  return `${budget.template ?? '*'}:${budget.limit}:${threshold}`;
}

import type { SwarmController } from '../controller';
import { errorMessage } from '../errors';
import { Emitter, type Event } from '../events';
import { budgetCrossings, budgetViews, isExceeded, type BudgetThreshold, type BudgetView } from './budgets';
import type { CostLedger } from './costLedger';
import type { CostReport, InstanceCost } from './costReport';
import type { CostSettings } from './costSettings';

export type BudgetEvent =
  | { kind: 'threshold'; budget: BudgetView; threshold: BudgetThreshold }
  /** An instance stopped (or whose stop failed) because a budget covering it is used up. */
  | { kind: 'stopped'; budget: BudgetView; instance: string; error?: string };

export interface BudgetGuardDependencies {
  controller: Pick<SwarmController, 'stop'>;
  ledger: CostLedger;
  settings: () => CostSettings;
}

/**
 * Watches the budgets: announces each threshold (80%, 100%) once a month, and, when remoteSwarm.cost.stopWhenOverBudget
 * is on, stops every running instance that costs money under a used-up budget, recording the reason "budget". A budget
 * stays enforced: an instance started again while its budget is used up is stopped at the next review.
 */
export class BudgetGuard {
  private readonly events = new Emitter<BudgetEvent>();

  readonly onEvent: Event<BudgetEvent> = this.events.event;

  constructor(private readonly deps: BudgetGuardDependencies) {}

  async review(report: CostReport): Promise<void> {
    const settings = this.deps.settings();
    const budgets = budgetViews(report, settings);
    const crossings = budgetCrossings(budgets, this.deps.ledger.alertsGiven(report.month));
    for (const crossing of crossings) {
      for (const key of crossing.keys) this.deps.ledger.recordAlert(report.month, key);
      this.events.fire({ kind: 'threshold', budget: crossing.budget, threshold: crossing.threshold });
    }
    if (crossings.length > 0) await this.deps.ledger.persist();
    if (settings.stopWhenOverBudget) await this.stopOverBudget(report, budgets);
  }

  dispose(): void {
    this.events.dispose();
  }

  private async stopOverBudget(report: CostReport, budgets: readonly BudgetView[]): Promise<void> {
    const toStop = new Map<string, { line: InstanceCost; budget: BudgetView }>();
    for (const budget of budgets.filter(isExceeded)) {
      for (const line of report.instances) {
        if (covers(budget, line) && line.status === 'running' && line.hourlyRate > 0 && !toStop.has(line.id)) toStop.set(line.id, { line, budget });
      }
    }
    await Promise.all(
      [...toStop.values()].map(async ({ line, budget }) => {
        try {
          await this.deps.controller.stop(line.id, { reason: 'budget' });
          this.events.fire({ kind: 'stopped', budget, instance: line.name });
        } catch (error) {
          this.events.fire({ kind: 'stopped', budget, instance: line.name, error: errorMessage(error) });
        }
      }),
    );
  }
}

function covers(budget: BudgetView, line: InstanceCost): boolean {
  return budget.template === undefined || line.template === budget.template;
}

import type { HourlyPrice } from '../cost/pricing';
import type { MigrationPlan } from './migrationPlan';
import { describeResources } from './migrationPlan';
import type { MigrationResult } from './migrationService';

/** The plan in lines of words, the same in every front end (the wizard's modal, the CLI before --yes). */
export function describePlan(plan: MigrationPlan): string[] {
  const { source, target } = plan;
  const lines = [
    `Move "${source.name}" from ${source.provider} to ${target.provider}, with its workspace (${source.config.workspacePath} → ${target.config.workspacePath}).`,
    `Resources: ${describeResources(source.config.resources)} → ${describeResources(target.config.resources)}.`,
    `Price per hour while running: ${price(source.price)} → ${price(target.price)}.`,
    plan.strategy === 'pre-copy'
      ? `Strategy: pre-copy: copied while "${source.name}" runs, then stopped for the last changes only.`
      : `Strategy: stop-and-copy: "${source.name}" is stopped for the whole copy.`,
    'The copy is verified (every file\'s SHA-256, mode and symlink target, empty folders); any failure or a cancel removes the new instance and starts the source again as it was.',
    plan.keepSourceHours > 0
      ? `Afterwards the source is kept stopped as "${source.name}-old" for ${plan.keepSourceHours} hours, then deleted.`
      : 'Afterwards the source is deleted.',
  ];
  return [...lines, ...plan.notes];
}

function price({ running }: HourlyPrice): string {
  return running === 0 ? 'free' : `$${running.toFixed(4)}`;
}

/** One line on a finished move. */
export function describeResult(result: MigrationResult): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const kept = result.keptSource ? `; the source is kept stopped as "${result.keptSource.name}"${result.deleteSourceAt ? ` until ${result.deleteSourceAt}` : ''}` : '; the source is deleted';
  const failedDelete = result.sourceDeleteError ? ` (deleting it failed: ${result.sourceDeleteError})` : '';
  return `"${result.instance.name}" now runs on ${result.instance.provider}: ${result.verifiedEntries} entries verified in ${result.rounds} passes, ${seconds(result.durationMs)} in all, unavailable ${seconds(result.unavailableMs)}${kept}${failedDelete}.`;
}

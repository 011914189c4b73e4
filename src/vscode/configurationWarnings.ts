import type * as vscode from 'vscode';
import type { QuarantinedEntry } from '../core/registry';
import type { TemplateProblem } from '../core/templates';
import { reportWarning } from './notifications';

/** Registry entries that could not be read at load: kept aside by the registry, said once, detailed in the log. */
export function reportQuarantined(entries: readonly QuarantinedEntry[], log: vscode.LogOutputChannel): void {
  if (entries.length === 0) return;
  reportWarning(
    log,
    `Remote Swarm could not read ${entries.length} stored instance entr${entries.length === 1 ? 'y' : 'ies'}; ${entries.length === 1 ? 'it was' : 'they were'} kept aside, not deleted.`,
    entries.map((entry) => `Stored instance "${entry.id}" kept aside: ${entry.reason}`),
  );
}

/** Templates of remoteSwarm.templates (the user's or the workspace's) skipped: invalid, or a workspace's with a taken name; the others still load. */
export function reportTemplateProblems(problems: readonly TemplateProblem[], log: vscode.LogOutputChannel): void {
  if (problems.length === 0) return;
  const messages = problems.map((problem) => problem.message);
  reportWarning(log, `remoteSwarm.templates: skipped ${problems.length} template${problems.length === 1 ? '' : 's'}: ${messages.join('; ')}`, messages);
}

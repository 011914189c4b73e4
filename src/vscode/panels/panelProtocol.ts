import type { BudgetView } from '../../core/cost/budgets';
import type { CostReport } from '../../core/cost/costReport';

/** The messages between a live panel's webview and the extension. Imported by the webview scripts in media/ too. */

/** Extension → webview: the data to render, sent when the webview is ready and whenever it changes. */
export interface SnapshotMessage<T> {
  type: 'snapshot';
  snapshot: T;
}

/** Webview → extension: "render me" after (re)loading, or a command on an instance (e.g. restart it). */
export type WebviewMessage = { type: 'ready' } | { type: 'instanceCommand'; command: InstanceCommand; instanceId: string };

export type InstanceCommand = 'restart' | 'showLogs';

/** What the cost panel renders. */
export interface CostPanelSnapshot {
  report: CostReport;
  budgets: BudgetView[];
}

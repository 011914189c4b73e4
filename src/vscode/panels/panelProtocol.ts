import * as z from 'zod';
import type { BudgetView } from '../../core/cost/budgets';
import type { CostReport } from '../../core/cost/costReport';

/**
 * The messages between a live panel's webview and the extension. The webview scripts in media/ import its types only;
 * the extension checks every message it receives against webviewMessageSchema, since a page is not to be trusted.
 */

/** Extension → webview: the data to render, sent when the webview is ready and whenever it changes. */
export interface SnapshotMessage<T> {
  type: 'snapshot';
  snapshot: T;
}

export const INSTANCE_COMMANDS = ['restart', 'showLogs'] as const;
export type InstanceCommand = (typeof INSTANCE_COMMANDS)[number];

/** Webview → extension: "render me" after (re)loading, or a command on an instance (e.g. restart it). Nothing else. */
export const webviewMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z.strictObject({ type: z.literal('instanceCommand'), command: z.enum(INSTANCE_COMMANDS), instanceId: z.string().min(1).max(200) }),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;

/** A message from a webview as one it sends, or undefined for anything else. */
export function parseWebviewMessage(message: unknown): WebviewMessage | undefined {
  const parsed = webviewMessageSchema.safeParse(message);
  return parsed.success ? parsed.data : undefined;
}

/** What the cost panel renders. */
export interface CostPanelSnapshot {
  report: CostReport;
  budgets: BudgetView[];
}

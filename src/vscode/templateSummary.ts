import type { CatalogTemplate, TemplateOrigin } from '../core/templates';

/** Where a template not built in comes from: a workspace's is someone else's recommendation, and says so. */
const ORIGIN_MARKS: Record<TemplateOrigin, string | undefined> = { builtin: undefined, user: 'from settings', workspace: "from this workspace's settings" };

/** "1 CPU / 512 MB", from what the template sets, then where it comes from unless it is built in. */
export function templateSummary(template: CatalogTemplate): string {
  const { resources } = template;
  const parts = [resources.cpuCores === undefined ? undefined : `${resources.cpuCores} CPU`, resources.memoryMB === undefined ? undefined : `${resources.memoryMB} MB`];
  const summary = parts.filter((part) => part !== undefined).join(' / ') || 'default resources';
  const mark = ORIGIN_MARKS[template.origin];
  return mark === undefined ? summary : `${summary} · ${mark}`;
}

import * as z from 'zod';
import { workerCountSchema } from './groupMembers';

const templateNameSchema = z.string({ error: 'must name a template' }).min(1, { error: 'must name a template' });

export const groupTemplateSchema = z.object({
  name: z.string().min(1, { error: 'is required' }).regex(/^[a-z][a-z0-9-]*$/, { error: 'must be lower-case letters, digits and hyphens' }),
  description: z.string().default(''),
  /** The instance template of the coordinator. */
  coordinator: templateNameSchema,
  /** The instance template of every worker. */
  worker: templateNameSchema,
  /** How many workers a new group starts with. */
  workers: workerCountSchema.default(4),
});
export type GroupTemplate = z.infer<typeof groupTemplateSchema>;

export const BUILTIN_GROUP_TEMPLATES: readonly GroupTemplate[] = [
  groupTemplateSchema.parse({
    name: 'agent-swarm',
    description: 'A development coordinator and 4 agent workers on a private network',
    coordinator: 'development',
    worker: 'agent',
    workers: 4,
  }),
];

export interface GroupTemplateCatalog {
  templates: GroupTemplate[];
  /** One message per skipped entry, naming it and its field. */
  problems: string[];
}

/** The built-in group templates and the user's (the groupTemplates setting); one of the user's with a built-in's name replaces it. */
export function loadGroupTemplates(userTemplates: unknown): GroupTemplateCatalog {
  const byName = new Map(BUILTIN_GROUP_TEMPLATES.map((template) => [template.name, template]));
  const problems: string[] = [];
  if (userTemplates !== undefined && userTemplates !== null && !Array.isArray(userTemplates)) {
    problems.push('groupTemplates must be a list of group template objects');
  } else {
    (userTemplates ?? []).forEach((entry: unknown, index: number) => {
      const parsed = groupTemplateSchema.safeParse(entry);
      if (parsed.success) {
        byName.set(parsed.data.name, parsed.data);
        return;
      }
      const label = typeof (entry as { name?: unknown } | null)?.name === 'string' ? `"${(entry as { name: string }).name}"` : `#${index + 1}`;
      problems.push(`group template ${label}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(template)'} ${issue.message}`).join('; ')}`);
    });
  }
  return { templates: [...byName.values()], problems };
}

import { LOOPBACK_ADDRESS, templateSchema, type InstanceConfigInput, type InstanceConfigOverrides, type PortMapping, type Template, type TemplateInput } from './models';

export const CODE_SERVER_PORT = 8080;
/** The image of instances whose template names none, unless the docker.defaultImage setting names another. */
export const DEFAULT_IDE_IMAGE = 'codercom/code-server:4.100.3';
const IDE_PORT: PortMapping = { container: CODE_SERVER_PORT, hostIp: LOOPBACK_ADDRESS, protocol: 'tcp', purpose: 'ide' };

export const BUILTIN_TEMPLATES: readonly Template[] = [
  templateSchema.parse({
    name: 'development',
    description: 'A code-server workspace for day-to-day development',
    resources: { cpuCores: 1, memoryMB: 512, storageGB: 10 },
    env: { REMOTE_SWARM_ROLE: 'development' },
    ports: [IDE_PORT],
    features: ['code-server', 'git', 'workspace-volume'],
  } satisfies TemplateInput),
  templateSchema.parse({
    name: 'agent',
    description: 'A larger code-server box for an autonomous coding agent',
    resources: { cpuCores: 2, memoryMB: 2048, storageGB: 20 },
    env: { REMOTE_SWARM_ROLE: 'agent' },
    ports: [IDE_PORT],
    features: ['code-server', 'git', 'workspace-volume', 'agent'],
  } satisfies TemplateInput),
];

export interface TemplateProblem {
  template: string;
  message: string;
}

/** Where a template comes from: Remote Swarm itself, the user's settings, or the open workspace's. */
export type TemplateOrigin = 'builtin' | 'user' | 'workspace';

export type CatalogTemplate = Template & { readonly origin: TemplateOrigin };

export interface TemplateCatalog {
  templates: CatalogTemplate[];
  problems: TemplateProblem[];
}

/**
 * Built-in templates plus the user's and the open workspace's (each from a templates setting). A user template with
 * a built-in's name replaces it; a workspace template never replaces one: one whose name is taken is reported and
 * skipped. An invalid template is reported with its name and field; the others still load.
 */
export function loadTemplates(userTemplates: unknown, workspaceTemplates: unknown = []): TemplateCatalog {
  const byName = new Map<string, CatalogTemplate>(BUILTIN_TEMPLATES.map((template) => [template.name, { ...template, origin: 'builtin' }]));
  const problems: TemplateProblem[] = [];
  addTemplates(userTemplates, 'user', byName, problems);
  addTemplates(workspaceTemplates, 'workspace', byName, problems);
  return { templates: [...byName.values()], problems };
}

/** How a problem names a template, by where it comes from. */
const TEMPLATE_WORDS = { user: 'template', workspace: "workspace's template" } as const;
/** What holds a name a workspace template asked for. */
const TAKEN_BY: Record<TemplateOrigin, string> = { builtin: 'a built-in template', user: 'a template of your settings', workspace: "another of the workspace's templates" };

function addTemplates(entries: unknown, origin: 'user' | 'workspace', byName: Map<string, CatalogTemplate>, problems: TemplateProblem[]): void {
  if (entries === undefined || entries === null) return;
  if (!Array.isArray(entries)) {
    problems.push({ template: '(all)', message: `${origin === 'user' ? 'templates' : "the workspace's templates"} must be a list of template objects` });
    return;
  }
  entries.forEach((entry, index) => {
    const label = typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name : `#${index + 1}`;
    const what = `${TEMPLATE_WORDS[origin]} "${label}"`;
    const parsed = templateSchema.safeParse(entry);
    if (!parsed.success) {
      const message = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(template)'} ${issue.message}`).join('; ');
      problems.push({ template: label, message: `${what}: ${message}` });
      return;
    }
    const taken = byName.get(parsed.data.name);
    if (origin === 'workspace' && taken) {
      problems.push({ template: label, message: `${what} is skipped: its name is taken by ${TAKEN_BY[taken.origin]}, which a workspace may not replace; give it another name` });
      return;
    }
    byName.set(parsed.data.name, { ...parsed.data, origin });
  });
}

export interface ConfigDefaults {
  image: string;
}

/**
 * The instance configuration a template gives: template values over defaults, explicit choices over the template.
 * Env and ports merge (explicit wins per key / container port), secretEnv names add up; resources merge per field.
 */
export function configFromTemplate(template: Template | undefined, choices: InstanceConfigOverrides & { name: string }, defaults: ConfigDefaults): InstanceConfigInput {
  const fallbackResources = BUILTIN_TEMPLATES[0]!.resources as Required<Template['resources']>;
  const ports = new Map<number, PortMapping | NonNullable<InstanceConfigInput['ports']>[number]>();
  // A template that lists no ports (the schema's default is []) publishes code-server's, as having no template does.
  const templatePorts = template?.ports.length ? template.ports : [IDE_PORT];
  for (const port of [...templatePorts, ...(choices.ports ?? [])]) ports.set(port.container, port);
  return {
    ...choices,
    image: choices.image ?? template?.image ?? defaults.image,
    workspacePath: choices.workspacePath ?? template?.workspacePath,
    resources: { ...fallbackResources, ...template?.resources, ...choices.resources },
    env: { ...template?.env, ...choices.env },
    secretEnv: [...new Set([...(template?.secretEnv ?? []), ...(choices.secretEnv ?? [])])],
    ports: [...ports.values()],
    extensions: [...new Set([...(template?.extensions ?? []), ...(choices.extensions ?? [])])],
    features: [...new Set([...(template?.features ?? []), ...(choices.features ?? [])])],
    template: template?.name ?? choices.template,
  };
}

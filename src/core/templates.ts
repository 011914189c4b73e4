import { templateSchema, type InstanceConfigInput, type InstanceConfigOverrides, type PortMapping, type Template, type TemplateInput } from './models';

export const CODE_SERVER_PORT = 8080;
/** The image of instances whose template names none, unless the docker.defaultImage setting names another. */
export const DEFAULT_IDE_IMAGE = 'codercom/code-server:4.100.3';
const IDE_PORT: PortMapping = { container: CODE_SERVER_PORT, hostIp: '127.0.0.1', protocol: 'tcp', purpose: 'ide' };

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

export interface TemplateCatalog {
  templates: Template[];
  problems: TemplateProblem[];
}

/**
 * Built-in templates plus the user's (from the remoteSwarm.templates setting). A user template with a built-in's
 * name replaces it. An invalid user template is reported with its name and field; the others still load.
 */
export function loadTemplates(userTemplates: unknown): TemplateCatalog {
  const byName = new Map(BUILTIN_TEMPLATES.map((template) => [template.name, template]));
  const problems: TemplateProblem[] = [];
  const entries = userTemplates === undefined || userTemplates === null ? [] : userTemplates;
  if (!Array.isArray(entries)) {
    return { templates: [...byName.values()], problems: [{ template: '(all)', message: 'templates must be a list of template objects' }] };
  }
  entries.forEach((entry, index) => {
    const label = typeof entry === 'object' && entry !== null && typeof (entry as { name?: unknown }).name === 'string' ? (entry as { name: string }).name : `#${index + 1}`;
    const parsed = templateSchema.safeParse(entry);
    if (parsed.success) byName.set(parsed.data.name, parsed.data);
    else {
      const message = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(template)'} ${issue.message}`).join('; ');
      problems.push({ template: label, message: `template "${label}": ${message}` });
    }
  });
  return { templates: [...byName.values()], problems };
}

export interface ConfigDefaults {
  image: string;
}

/**
 * The instance configuration a template gives: template values over defaults, explicit choices over the template.
 * Env and ports merge (explicit wins per key / container port); resources merge per field.
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
    ports: [...ports.values()],
    extensions: [...new Set([...(template?.extensions ?? []), ...(choices.extensions ?? [])])],
    features: [...new Set([...(template?.features ?? []), ...(choices.features ?? [])])],
    template: template?.name ?? choices.template,
  };
}

import * as z from 'zod';

/** DNS-label safe: lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
export const INSTANCE_NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
export const INSTANCE_NAME_MAX_LENGTH = 63;

export const LIMITS = {
  cpuCores: { min: 0.25, max: 64 },
  memoryMB: { min: 128, max: 262_144 },
  storageGB: { min: 1, max: 2_048 },
  port: { min: 1, max: 65_535 },
} as const;

export const instanceNameSchema = z
  .string({ error: 'must be a text value' })
  .min(1, { error: 'is required: give the instance a name such as "dev-1"' })
  .max(INSTANCE_NAME_MAX_LENGTH, { error: `must be at most ${INSTANCE_NAME_MAX_LENGTH} characters` })
  .regex(INSTANCE_NAME_PATTERN, {
    error: 'must use only lower-case letters, digits and hyphens, start with a letter and not end with a hyphen (e.g. "dev-1")',
  });

export const resourcesSchema = z.object({
  cpuCores: z
    .number({ error: 'must be a number of CPU cores' })
    .min(LIMITS.cpuCores.min, { error: `must be at least ${LIMITS.cpuCores.min} cores` })
    .max(LIMITS.cpuCores.max, { error: `must be at most ${LIMITS.cpuCores.max} cores` }),
  memoryMB: z
    .number({ error: 'must be a number of megabytes' })
    .int({ error: 'must be a whole number of megabytes' })
    .min(LIMITS.memoryMB.min, { error: `must be at least ${LIMITS.memoryMB.min} MB` })
    .max(LIMITS.memoryMB.max, { error: `must be at most ${LIMITS.memoryMB.max} MB` }),
  storageGB: z
    .number({ error: 'must be a number of gigabytes' })
    .int({ error: 'must be a whole number of gigabytes' })
    .min(LIMITS.storageGB.min, { error: `must be at least ${LIMITS.storageGB.min} GB` })
    .max(LIMITS.storageGB.max, { error: `must be at most ${LIMITS.storageGB.max} GB` }),
});
export type Resources = z.infer<typeof resourcesSchema>;

export const portNumberSchema = z
  .number({ error: 'must be a port number' })
  .int({ error: 'must be a whole number' })
  .min(LIMITS.port.min, { error: `must be between ${LIMITS.port.min} and ${LIMITS.port.max}` })
  .max(LIMITS.port.max, { error: `must be between ${LIMITS.port.min} and ${LIMITS.port.max}` });

export const LOOPBACK_ADDRESS = '127.0.0.1';

/** An IP address to bind; "" (which Docker reads as every address) means loopback here, as leaving it out does. */
const hostIpSchema = z
  .union([z.literal(''), z.ipv4(), z.ipv6()], {
    error: `must be an IP address: ${LOOPBACK_ADDRESS} (this machine only, the default), or another address of the host, which other machines can reach`,
  })
  .default(LOOPBACK_ADDRESS)
  .transform((address) => address || LOOPBACK_ADDRESS);

export const portMappingSchema = z.object({
  /** Port inside the instance. */
  container: portNumberSchema,
  /** Host port; omitted means "pick a free one". */
  host: portNumberSchema.optional(),
  /** Host address to bind; anything but loopback needs the user's consent at create (see portExposure.ts). */
  hostIp: hostIpSchema,
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
  /** Marks the port that serves the IDE (code-server). */
  purpose: z.enum(['ide', 'ssh', 'other']).default('other'),
});
export type PortMapping = z.infer<typeof portMappingSchema>;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME_RULE = 'is not a valid environment variable name: use letters, digits and _, not starting with a digit';
export const envSchema = z.record(z.string().regex(ENV_NAME), z.string({ error: 'must be text' }), {
  error: (issue) => (issue.code === 'invalid_key' ? ENV_NAME_RULE : undefined),
});

/** Names of environment variables whose values are secrets: kept in the secret store, never in a configuration. */
export const secretEnvSchema = z.array(z.string().regex(ENV_NAME, { error: ENV_NAME_RULE })).default([]);

/** A variable is either plain (env, recorded with the configuration) or secret (secretEnv), not both. */
function secretEnvApart(config: { env: Record<string, string>; secretEnv: string[] }, context: z.core.$RefinementCtx): void {
  config.secretEnv.forEach((name, index) => {
    if (Object.hasOwn(config.env, name)) {
      context.addIssue({ code: 'custom', path: ['secretEnv', index], message: `"${name}" is in env too: a variable is either plain (env) or secret (secretEnv); remove it from env` });
    }
  });
}

export const authSchema = z.object({
  /** password: code-server asks for a generated password kept in SecretStorage; none: open (only for loopback). */
  type: z.enum(['password', 'none']).default('password'),
});

const instanceConfigFields = z.object({
  name: instanceNameSchema,
  image: z.string({ error: 'must be an image reference' }).min(1, { error: 'is required: give an image such as "codercom/code-server"' }),
  workspacePath: z
    .string()
    .regex(/^\/[^\0]*$/, { error: 'must be an absolute path inside the instance, such as "/home/coder/project"' })
    .default('/home/coder/project'),
  resources: resourcesSchema,
  ports: z.array(portMappingSchema).default([]),
  /** Plain environment variables: recorded with the configuration (registry, labels, metadata), so never secrets. */
  env: envSchema.default({}),
  secretEnv: secretEnvSchema,
  extensions: z.array(z.string().regex(/^[\w-]+\.[\w-]+$/, { error: 'extension ids look like "publisher.name"' })).default([]),
  auth: authSchema.default({ type: 'password' }),
  /** Command to run instead of the image's default; an argv array, never a shell string. */
  command: z.array(z.string()).optional(),
  template: z.string().optional(),
  /** The group this instance is a member of (groups/groupMembers.ts). */
  group: z.string().optional(),
  /** Its role there: "coordinator", or "worker-N". */
  groupRole: z.string().regex(/^(coordinator|worker-[1-9][0-9]*)$/, { error: 'must be "coordinator" or "worker-N" (N from 1)' }).optional(),
  /** The template its group makes workers from, recorded on every member so that a group scaled to no workers can grow again. */
  groupWorkerTemplate: z.string().optional(),
  features: z.array(z.string()).default([]),
  /** The provider's own options for this instance (e.g. an SSH host's address), declared and validated by the provider. */
  options: z.record(z.string(), z.unknown()).default({}),
}).superRefine(secretEnvApart);

/** Configurations written before provider options existed kept an SSH host's address in `sshHost`: read it as the options. */
function withLegacyOptions(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('sshHost' in raw)) return raw;
  const { sshHost, ...rest } = raw as Record<string, unknown>;
  return 'options' in rest ? rest : { ...rest, options: sshHost };
}

export const instanceConfigSchema = z.preprocess(withLegacyOptions, instanceConfigFields);
export type InstanceConfig = z.infer<typeof instanceConfigSchema>;
export type InstanceConfigInput = z.input<typeof instanceConfigFields>;

/** Recorded configurations read before, by their JSON: every refresh lists the same labels again. */
const recordedConfigs = new Map<string, InstanceConfig | undefined>();
const RECORDED_CONFIGS_KEPT = 4096;

/**
 * A configuration a provider recorded on its infrastructure as JSON (a Docker label, Fly machine metadata), for
 * adopting instances made in an earlier session; undefined when it is missing or no longer valid. The result is shared
 * between calls with the same JSON: treat it as read-only.
 */
export function parseRecordedConfig(json: string | undefined): InstanceConfig | undefined {
  if (json === undefined) return undefined;
  if (recordedConfigs.has(json)) return recordedConfigs.get(json);
  if (recordedConfigs.size >= RECORDED_CONFIGS_KEPT) recordedConfigs.clear();
  let config: InstanceConfig | undefined;
  try {
    const parsed = instanceConfigSchema.safeParse(JSON.parse(json));
    config = parsed.success ? parsed.data : undefined;
  } catch {
    config = undefined;
  }
  recordedConfigs.set(json, config);
  return config;
}
/** Choices layered over a template or an existing configuration: every field optional, resources per field. */
export type InstanceConfigOverrides = Omit<Partial<InstanceConfigInput>, 'resources'> & { resources?: Partial<Resources> };

export const INSTANCE_STATUSES = [
  'creating',
  'starting',
  'running',
  'stopping',
  'stopped',
  'restarting',
  'updating',
  'deleting',
  'error',
  'missing',
  'unknown',
] as const;
export const instanceStatusSchema = z.enum(INSTANCE_STATUSES);
export type InstanceStatus = z.infer<typeof instanceStatusSchema>;

export const instanceUrlsSchema = z.object({
  ide: z.string().optional(),
  ssh: z.string().optional(),
});

export const instanceSchema = z.object({
  id: z.string().min(1),
  name: instanceNameSchema,
  provider: z.string().min(1),
  status: instanceStatusSchema,
  urls: instanceUrlsSchema.default({}),
  config: instanceConfigSchema,
  /** Published ports as actually bound. */
  ports: z.array(portMappingSchema).default([]),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastError: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
});
export type Instance = z.infer<typeof instanceSchema>;

export const templateSchema = z.object({
  name: z.string().min(1, { error: 'is required' }).regex(/^[a-z][a-z0-9-]*$/, { error: 'must be lower-case letters, digits and hyphens' }),
  description: z.string().default(''),
  image: z.string().min(1).optional(),
  resources: resourcesSchema.partial().default({}),
  env: envSchema.default({}),
  secretEnv: secretEnvSchema,
  ports: z.array(portMappingSchema).default([]),
  extensions: z.array(z.string()).default([]),
  features: z.array(z.string()).default([]),
  workspacePath: z.string().optional(),
}).superRefine(secretEnvApart);
export type Template = z.infer<typeof templateSchema>;
export type TemplateInput = z.input<typeof templateSchema>;

export const providerConfigSchema = z.object({
  type: z.string().min(1),
  /** Free-form provider settings (Docker host, Fly org, ...), validated by the provider itself. */
  settings: z.record(z.string(), z.unknown()).default({}),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

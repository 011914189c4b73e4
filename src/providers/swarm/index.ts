import * as z from 'zod';
import type { ProviderRegistration } from '../../core/provider';
import { parseOrThrow } from '../../core/validation';
import { SWARM_CAPABILITIES, SWARM_DISPLAY_NAME, SWARM_PROVIDER_TYPE } from './swarmDescription';
import { swarmInstanceOptions } from './swarmOptions';

export { SWARM_PROVIDER_TYPE } from './swarmDescription';
export { readTraefikLabels, type TraefikRouting } from './swarmTraefik';

/** An empty setting (VS Code's default "") means "not set". */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined);

/** Traefik routing: on when a domain is set. */
const traefikSchema = z
  .object({
    domain: optionalText,
    entrypoints: z.union([z.string(), z.array(z.string())]).optional(),
    certResolver: optionalText,
    tls: z.boolean().optional(),
    network: optionalText,
    networkLabel: z.enum(['swarm', 'docker'], { error: 'must be "swarm" (Traefik 3.2 and later) or "docker" (before)' }).default('swarm'),
  })
  .optional()
  .superRefine((traefik, context) => {
    if (traefik?.domain && !traefik.network) {
      context.addIssue({ code: 'custom', path: ['network'], message: 'is required with a Traefik domain: name the overlay network Traefik reaches services on' });
    }
  })
  .transform((traefik) => {
    if (!traefik?.domain || !traefik.network) return undefined;
    const entrypoints = (typeof traefik.entrypoints === 'string' ? traefik.entrypoints.split(',') : (traefik.entrypoints ?? [])).map((name) => name.trim()).filter(Boolean);
    return {
      domain: traefik.domain,
      entrypoints,
      tls: traefik.tls ?? traefik.certResolver !== undefined,
      ...(traefik.certResolver ? { certResolver: traefik.certResolver } : {}),
      network: traefik.network,
      networkLabel: traefik.networkLabel,
    };
  });

/** The swarm.* settings. */
const swarmSettingsSchema = z.object({
  host: optionalText,
  tlsVerify: z.boolean().optional(),
  certPath: optionalText,
  nodeEngines: z.record(z.string(), z.string()).default({}),
  publishMode: z.enum(['host', 'ingress'], { error: 'must be "host" (on the node running the instance) or "ingress" (on every node)' }).default('host'),
  volumeDriver: optionalText,
  network: optionalText,
  traefik: traefikSchema,
});

export const swarmProvider: ProviderRegistration = {
  type: SWARM_PROVIDER_TYPE,
  displayName: SWARM_DISPLAY_NAME,
  capabilities: SWARM_CAPABILITIES,
  instanceOptions: swarmInstanceOptions,
  // The implementation, and dockerode with it, loads when a provider is first made, not with the registration.
  create: async (settings, { log }) => {
    const { tlsVerify, certPath, traefik, host, volumeDriver, network, ...options } = parseOrThrow(swarmSettingsSchema, settings, 'swarm');
    const { SwarmProvider } = await import('./swarmProvider');
    return new SwarmProvider({
      ...options,
      ...(host ? { host } : {}),
      ...(volumeDriver ? { volumeDriver } : {}),
      ...(network ? { network } : {}),
      ...(traefik ? { traefik } : {}),
      tls: { tlsVerify, certPath },
      log,
    });
  },
};

import * as z from 'zod';
import type { ProviderRegistration } from '../../core/provider';
import { parseOrThrow } from '../../core/validation';
import { DOCKER_CAPABILITIES, DOCKER_DISPLAY_NAME, DOCKER_PROVIDER_TYPE } from './dockerDescription';

export { DOCKER_PROVIDER_TYPE, dockerContainerName } from './dockerDescription';

/** An empty setting (VS Code's default "") means "not set". */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined);

/** The docker.* settings. */
const dockerSettingsSchema = z.object({ host: optionalText, defaultImage: optionalText, tlsVerify: z.boolean().optional(), certPath: optionalText });

export const dockerProvider: ProviderRegistration = {
  type: DOCKER_PROVIDER_TYPE,
  displayName: DOCKER_DISPLAY_NAME,
  capabilities: DOCKER_CAPABILITIES,
  // The implementation, and dockerode with it, loads when a provider is first made, not with the registration.
  create: async (settings, { log }) => {
    const { tlsVerify, certPath, ...options } = parseOrThrow(dockerSettingsSchema, settings, 'docker');
    const { DockerProvider } = await import('./dockerProvider');
    return new DockerProvider({ ...options, tls: { tlsVerify, certPath }, log });
  },
};

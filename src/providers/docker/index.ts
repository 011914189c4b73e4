import { z } from 'zod';
import type { ProviderRegistration } from '../../core/provider';
import { parseOrThrow } from '../../core/validation';
import { DOCKER_CAPABILITIES, DOCKER_DISPLAY_NAME, DOCKER_PROVIDER_TYPE, DockerProvider } from './dockerProvider';

export { DockerProvider, DOCKER_PROVIDER_TYPE, type DockerProviderOptions } from './dockerProvider';

/** An empty setting (VS Code's default "") means "not set". */
const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined);

/** The docker.* settings. */
const dockerSettingsSchema = z.object({ host: optionalText, defaultImage: optionalText });

export const dockerProvider: ProviderRegistration = {
  type: DOCKER_PROVIDER_TYPE,
  displayName: DOCKER_DISPLAY_NAME,
  capabilities: DOCKER_CAPABILITIES,
  create: (settings) => new DockerProvider(parseOrThrow(dockerSettingsSchema, settings, 'docker')),
};

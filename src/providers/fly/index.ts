import * as z from 'zod';
import type { ProviderRegistration } from '../../core/provider';
import { parseOrThrow } from '../../core/validation';
import { FLY_CAPABILITIES, FLY_DISPLAY_NAME, FLY_PROVIDER_TYPE } from './flyDescription';
import { flyInstancePricing } from './flyInstancePricing';
import { FLY_TOKEN_SECRET } from './flySecrets';

export { FLY_CAPABILITIES, FLY_PROVIDER_TYPE, FLY_DISPLAY_NAME } from './flyDescription';
export { FLY_TOKEN_SECRET } from './flySecrets';

/** An empty setting (VS Code's default "") means "not set". */
const textOr = (fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => value || fallback);

/** The fly.* settings. The token is not one of them: it lives in the secret store. */
const flySettingsSchema = z.object({
  org: textOr('personal'),
  region: textOr('iad'),
  // Unset: Fly's own endpoints, which the client takes from fly-admin when it loads.
  apiUrl: z.string().trim().optional().transform((value) => value || undefined),
  graphqlUrl: z.string().trim().optional().transform((value) => value || undefined),
});

export const flyProvider: ProviderRegistration = {
  type: FLY_PROVIDER_TYPE,
  displayName: FLY_DISPLAY_NAME,
  capabilities: FLY_CAPABILITIES,
  pricing: flyInstancePricing,
  secrets: [FLY_TOKEN_SECRET],
  // The implementation, and fly-admin with it, loads when a provider is first made, not with the registration.
  create: async (settings, { secrets, log, clock }) => {
    const options = parseOrThrow(flySettingsSchema, settings, 'fly');
    const { FlyProvider } = await import('./flyProvider');
    return new FlyProvider({ ...options, getToken: () => secrets.get(FLY_TOKEN_SECRET.key), logger: log, client: { clock } });
  },
};

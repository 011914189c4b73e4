import { z } from 'zod';
import type { ProviderRegistration } from '../../core/provider';
import { parseOrThrow } from '../../core/validation';
import { DEFAULT_FLY_ENDPOINTS } from './flyClient';
import { flyInstancePricing } from './flyInstancePricing';
import { FLY_CAPABILITIES, FLY_DISPLAY_NAME, FLY_PROVIDER_TYPE, FlyProvider } from './flyProvider';
import { FLY_TOKEN_SECRET } from './flySecrets';

export { FlyProvider, FLY_CAPABILITIES, FLY_PROVIDER_TYPE, FLY_DISPLAY_NAME, type FlyProviderOptions } from './flyProvider';
export { flyInstancePricing } from './flyInstancePricing';
export { FlyClient, type FlyClientOptions } from './flyClient';
export { FlyError, type FlyErrorCategory } from './flyErrors';
export { FLY_TOKEN_SECRET } from './flySecrets';
export { flyPricePerHour, flyVolumePricePerHour, flyPresetName } from './flyPricing';
export type { FlyGuest } from './flyTypes';

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
  apiUrl: textOr(DEFAULT_FLY_ENDPOINTS.apiUrl),
  graphqlUrl: textOr(DEFAULT_FLY_ENDPOINTS.graphqlUrl),
});

export const flyProvider: ProviderRegistration = {
  type: FLY_PROVIDER_TYPE,
  displayName: FLY_DISPLAY_NAME,
  capabilities: FLY_CAPABILITIES,
  pricing: flyInstancePricing,
  secrets: [FLY_TOKEN_SECRET],
  create: (settings, { secrets, log, clock }) =>
    new FlyProvider({ ...parseOrThrow(flySettingsSchema, settings, 'fly'), getToken: () => secrets.get(FLY_TOKEN_SECRET.key), logger: log, client: { clock } }),
};

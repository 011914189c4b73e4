import { z } from 'zod';
import type { ProviderFactory } from '../../core/provider';
import { parseOrThrow } from '../../core/validation';
import { DEFAULT_FLY_ENDPOINTS } from './flyClient';
import type { Logger } from '../../core/logger';
import { flyInstancePricing } from './flyInstancePricing';
import { FLY_CAPABILITIES, FLY_DISPLAY_NAME, FLY_PROVIDER_TYPE, FlyProvider } from './flyProvider';

export { FlyProvider, FLY_CAPABILITIES, FLY_PROVIDER_TYPE, FLY_DISPLAY_NAME, type FlyProviderOptions } from './flyProvider';
export { flyInstancePricing } from './flyInstancePricing';
export { FlyClient, type FlyClientOptions } from './flyClient';
export { FlyError, type FlyErrorCategory } from './flyErrors';
export type { Logger } from '../../core/logger';
export { FLY_SET_TOKEN_COMMAND } from './flySwarmErrors';
export { flyPricePerHour, flyVolumePricePerHour, flyPresetName } from './flyPricing';
export type { FlyGuest } from './flyTypes';

/** The SecretStorage key of the Fly.io API token. */
export const FLY_TOKEN_SECRET_KEY = 'remoteSwarm.fly.apiToken';

/** An empty setting (VS Code's default "") means "not set". */
const textOr = (fallback: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => value || fallback);

/** The remoteSwarm.fly.* settings. The token is not one of them: it lives in SecretStorage. */
const flySettingsSchema = z.object({
  org: textOr('personal'),
  region: textOr('iad'),
  apiUrl: textOr(DEFAULT_FLY_ENDPOINTS.apiUrl),
  graphqlUrl: textOr(DEFAULT_FLY_ENDPOINTS.graphqlUrl),
});

export interface FlyProviderDependencies {
  /** Reads FLY_TOKEN_SECRET_KEY from SecretStorage. */
  getToken: () => Promise<string | undefined>;
  logger?: Logger;
}

export function registerFlyProvider(factory: ProviderFactory, dependencies: FlyProviderDependencies): void {
  factory.register({
    type: FLY_PROVIDER_TYPE,
    displayName: FLY_DISPLAY_NAME,
    capabilities: FLY_CAPABILITIES,
    pricing: flyInstancePricing,
    create: (settings) => new FlyProvider({ ...parseOrThrow(flySettingsSchema, settings, 'remoteSwarm.fly'), ...dependencies }),
  });
}

import * as z from 'zod';
import { isLoopbackHostname } from '../../core/loopback';
import type { ProviderRegistration } from '../../core/provider';
import { redactUrls } from '../../core/redaction';
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

/** Why an address may not receive the Fly.io token: it must be https, or http on this machine's loopback (an emulator, a local proxy). */
function endpointProblem(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return `is not a URL ("${redactUrls(address)}"); use e.g. https://api.machines.dev`;
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostname(url.hostname))) return undefined;
  return `must be an https:// address (http:// only on this machine: localhost, 127.0.0.1, ::1), since the Fly.io API token is sent to it; "${redactUrls(address)}" is not`;
}

/** An endpoint the token is sent to; unset: Fly's own, which the client takes from fly-admin when it loads. */
const tokenEndpoint = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined)
  .superRefine((value, context) => {
    const problem = value === undefined ? undefined : endpointProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** The fly.* settings. The token is not one of them: it lives in the secret store. */
const flySettingsSchema = z.object({
  org: textOr('personal'),
  region: textOr('iad'),
  apiUrl: tokenEndpoint,
  graphqlUrl: tokenEndpoint,
});

export const flyProvider: ProviderRegistration = {
  type: FLY_PROVIDER_TYPE,
  displayName: FLY_DISPLAY_NAME,
  capabilities: FLY_CAPABILITIES,
  pricing: flyInstancePricing,
  secrets: [FLY_TOKEN_SECRET],
  // The implementation, and fly-admin with it, loads when a provider is first made, not with the registration.
  create: async (settings, { secrets, log, clock, ownerId }) => {
    const options = parseOrThrow(flySettingsSchema, settings, 'fly');
    const { FlyProvider } = await import('./flyProvider');
    const owner = ownerId();
    return new FlyProvider({ ...options, owner, getToken: () => secrets.get(FLY_TOKEN_SECRET.key), logger: log, client: { clock } });
  },
};

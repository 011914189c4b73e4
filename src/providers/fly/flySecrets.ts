import type { ProviderSecret } from '../../core/provider';

/** The Fly.io API token, kept in the front end's secret store (never in settings). */
export const FLY_TOKEN_SECRET: ProviderSecret = {
  key: 'remoteSwarm.fly.apiToken',
  label: 'Fly.io API token',
  hint: 'a token from `fly tokens create org` (or `fly auth token`)',
};

import type { Clock } from './clock';
import { SwarmError } from './errors';
import { within } from './health/deadline';
import type { Provider, ProviderInstance } from './provider';
import type { ProviderPool } from './providerPool';

/**
 * A provider that has not listed its instances by then is reported unavailable: a hung engine or API would otherwise
 * hold every later refresh on the same listing, and the tree would go on showing the past without a word. Generous,
 * for a Fly.io organization of a thousand apps on a slow link.
 */
export const LISTING_TIMEOUT_MS = 60_000;

export interface ProviderListing {
  provider: Provider;
  instances: ProviderInstance[];
  /** When it was asked for (the clock's monotonic time). */
  at: number;
}

/**
 * What each provider lists, shared between its readers: a refresh (which updates the registry, and so the tree) lists
 * afresh, and a health sweep reuses the refresh's listing while it is recent, so the two cost one listing between
 * them. A sweep with no recent refresh to reuse lists for itself. An operation on instances makes listings stale.
 */
export class ProviderListings {
  private readonly running = new Map<string, Promise<ProviderListing>>();
  private readonly latest = new Map<string, ProviderListing>();

  constructor(
    private readonly providers: Pick<ProviderPool, 'get'>,
    private readonly clock: Pick<Clock, 'monotonic'>,
    private readonly timeoutMs = LISTING_TIMEOUT_MS,
  ) {}

  /** A refresh's listing: asked for now, or the one under way. */
  fresh(type: string): Promise<ProviderListing> {
    const running = this.running.get(type);
    if (running) return running;
    const listing = this.list(type);
    this.running.set(type, listing);
    listing.then(
      (result) => this.settle(type, listing, result),
      () => this.settle(type, listing, undefined),
    );
    return listing;
  }

  /** The latest refresh's listing if it was asked for less than `maxAgeMs` ago or is under way, else one of its own. */
  async recent(type: string, maxAgeMs: number): Promise<ProviderListing> {
    const latest = this.latest.get(type);
    if (latest && this.clock.monotonic() - latest.at < maxAgeMs) return latest;
    return this.running.get(type) ?? this.list(type);
  }

  /** Instances changed (an operation ended): the next reader lists afresh, and no listing under way is kept. */
  invalidate(): void {
    this.latest.clear();
    this.running.clear();
  }

  /** Keeps what a listing found, unless an operation made it stale while it ran. */
  private settle(type: string, listing: Promise<ProviderListing>, result: ProviderListing | undefined): void {
    if (this.running.get(type) !== listing) return;
    this.running.delete(type);
    if (result) this.latest.set(type, result);
  }

  private async list(type: string): Promise<ProviderListing> {
    const at = this.clock.monotonic();
    const provider = await this.providers.get(type);
    const listed = await within(provider.listInstances(), this.timeoutMs);
    if (listed === 'timedOut') {
      throw new SwarmError('PROVIDER_UNAVAILABLE', `The ${type} provider did not list its instances within ${Math.round(this.timeoutMs / 1000)} s; the next refresh asks again.`, { details: { provider: type } });
    }
    return { provider, instances: listed.value, at };
  }
}

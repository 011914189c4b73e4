import { errorMessage, SwarmError } from '../core/errors';
import { Emitter, type Event } from '../core/events';
import type { Logger } from '../core/logger';
import type { ClusterNode, ClusterNodes, NodeAvailability } from '../core/provider';
import type { ProviderPool } from '../core/providerPool';
import type { RefreshScheduler } from '../core/refreshScheduler';

/** A provider's nodes at the last refresh, or why they could not be listed. */
export type ClusterNodeListing = { nodes: ClusterNode[]; error?: undefined } | { nodes?: undefined; error: SwarmError };

/**
 * The nodes of every provider in use that has them (capability `nodes`), listed again after each refresh of the
 * instances, so the tree shows where each instance runs as of the same moment; no timer of its own.
 */
export class ClusterNodeListings {
  private readonly listings = new Map<string, ClusterNodeListing>();
  private readonly changed = new Emitter<void>();
  private readonly subscription: { dispose(): void };
  private generation = 0;

  /** Fires when a listing changed. */
  readonly onDidChange: Event<void> = this.changed.event;

  constructor(
    private readonly pool: ProviderPool,
    private readonly refresher: RefreshScheduler,
    private readonly log: Logger,
  ) {
    this.subscription = refresher.onDidRefresh(() => void this.update());
  }

  /** Undefined for a provider without nodes, and before its first listing. */
  of(provider: string): ClusterNodeListing | undefined {
    return this.listings.get(provider);
  }

  /** Every listed node, with its provider. */
  all(): { provider: string; node: ClusterNode }[] {
    return [...this.listings].flatMap(([provider, listing]) => (listing.nodes ?? []).map((node) => ({ provider, node })));
  }

  /** Lists the nodes of each provider in use that has them; a listing older than one running later is dropped. */
  async update(): Promise<void> {
    const generation = ++this.generation;
    const types = this.refresher.providerTypes().filter((type) => this.pool.describe(type)?.capabilities.nodes === true && !this.refresher.providerError(type));
    const listed = await Promise.all(
      types.map(async (type): Promise<[string, ClusterNodeListing]> => {
        try {
          return [type, { nodes: await (await this.nodesOf(type)).listNodes() }];
        } catch (error) {
          this.log.warn(`${type}: cannot list the nodes: ${errorMessage(error)}`);
          return [type, { error: SwarmError.is(error) ? error : new SwarmError('OPERATION_FAILED', errorMessage(error), { cause: error }) }];
        }
      }),
    );
    if (generation !== this.generation) return;
    this.listings.clear();
    for (const [type, listing] of listed) this.listings.set(type, listing);
    this.changed.fire();
  }

  /** Drains or activates a node, then refreshes the instances (and with them the nodes), so the tree follows at once. */
  async setAvailability(provider: string, nodeId: string, availability: NodeAvailability): Promise<ClusterNode> {
    const node = await (await this.nodesOf(provider)).setAvailability(nodeId, availability);
    await this.refresher.refresh();
    return node;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private async nodesOf(type: string): Promise<ClusterNodes> {
    const provider = await this.pool.get(type);
    if (!provider.nodes) throw new SwarmError('OPERATION_FAILED', `${provider.displayName} has no nodes.`);
    return provider.nodes;
  }
}

import assert from 'node:assert/strict';
import { systemClock } from '../../src/core/clock';
import { SwarmError } from '../../src/core/errors';
import { ProviderListings } from '../../src/core/providerListings';
import { MemoryProvider } from '../support/memoryProvider';
import { sampleInstance } from '../support/sampleInstance';

describe('ProviderListings (an in-memory provider, real timers)', () => {
  it('reports a provider that does not list within the deadline as unavailable, and asks afresh at the next refresh', async () => {
    const provider = new MemoryProvider();
    const web = sampleInstance('web');
    await provider.createInstance({ id: web.id, config: web.config });
    let answer!: () => void;
    provider.listingGate = new Promise<void>((resolve) => (answer = resolve));
    const listings = new ProviderListings({ get: async () => provider }, systemClock, 1_000);

    await assert.rejects(listings.fresh('memory'), (error: unknown) => {
      assert.ok(SwarmError.is(error) && error.code === 'PROVIDER_UNAVAILABLE', String(error));
      assert.match(error.message, /memory provider did not list its instances within 1 s/);
      return true;
    });

    answer();
    provider.listingGate = undefined;
    const { instances } = await listings.fresh('memory');
    assert.deepEqual(instances.map((instance) => instance.name), ['web']);
  });
});

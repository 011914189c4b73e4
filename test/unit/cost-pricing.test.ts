import assert from 'node:assert/strict';
import { hourlyRate, PriceBook } from '../../src/core/cost/pricing';
import { instanceConfigSchema, type Instance } from '../../src/core/models';
import { ProviderFactory } from '../../src/core/provider';
import { dockerProvider } from '../../src/providers/docker';
import { flyProvider } from '../../src/providers/fly';

function instance(provider: string, resources: { cpuCores: number; memoryMB: number; storageGB: number }): Instance {
  const config = instanceConfigSchema.parse({ name: 'priced', image: 'code-server', resources });
  return { id: 'i1', name: 'priced', provider, status: 'running', urls: {}, config, ports: [], createdAt: '', updatedAt: '', metadata: {} };
}

describe('prices per provider', () => {
  let factory: ProviderFactory;
  let configured: Record<string, number>;
  let prices: PriceBook;

  beforeEach(() => {
    factory = new ProviderFactory();
    factory.register(dockerProvider);
    factory.register(flyProvider);
    configured = {};
    prices = new PriceBook((type) => factory.describe(type)?.pricing, () => configured);
  });

  it('takes Fly prices from the Fly registration: machine by CPU kind, CPUs and memory, plus the volume', () => {
    const price = prices.priceOf(instance('fly', { cpuCores: 1, memoryMB: 1024, storageGB: 10 }));
    assert.ok(Math.abs(price.running - (5.7 + 10 * 0.15) / 720) < 1e-12, `running ${price.running}`);
    assert.ok(Math.abs(price.stopped - (10 * 0.15) / 720) < 1e-12, `stopped ${price.stopped}`);
  });

  it('makes Docker free unless the user sets a price, and a set price wins over a declared one', () => {
    assert.deepEqual(prices.priceOf(instance('docker', { cpuCores: 1, memoryMB: 512, storageGB: 10 })), { running: 0, stopped: 0 });
    configured = { docker: 0.02, fly: 0.1 };
    assert.deepEqual(prices.priceOf(instance('docker', { cpuCores: 1, memoryMB: 512, storageGB: 10 })), { running: 0.02, stopped: 0 });
    assert.deepEqual(prices.priceOf(instance('fly', { cpuCores: 1, memoryMB: 1024, storageGB: 10 })), { running: 0.1, stopped: 0 });
    assert.deepEqual(prices.priceOf(instance('ssh', { cpuCores: 1, memoryMB: 512, storageGB: 10 })), { running: 0, stopped: 0 });
  });

  it('bills by status: running-like at the running price, stopped at the stopped price, gone at nothing', () => {
    const price = { running: 2, stopped: 0.5 };
    assert.deepEqual(
      (['running', 'restarting', 'stopping', 'stopped', 'error', 'missing', 'deleting'] as const).map((status) => hourlyRate(price, status)),
      [2, 2, 2, 0.5, 0.5, 0, 0],
    );
  });
});

import assert from 'node:assert/strict';
import { SwarmError } from '../../src/core/errors';
import { instanceConfigSchema, type Instance, type Resources } from '../../src/core/models';
import { flyGuestFor, flyVolumeSizeFor } from '../../src/providers/fly/flyGuest';
import { flyInstancePricing } from '../../src/providers/fly/flyInstancePricing';
import { FLY_MONTHLY_PRICES, flyPresetName, flyPricePerHour, flyVolumePricePerHour } from '../../src/providers/fly/flyPricing';
import type { FlyCpuKind } from '../../src/providers/fly/flyTypes';

function rejects(resources: Partial<Resources>, field: string, message: RegExp): void {
  assert.throws(
    () => flyGuestFor({ cpuCores: 1, memoryMB: 256, ...resources }),
    (error: unknown) => SwarmError.is(error, 'INVALID_CONFIG') && error.details.field === field && message.test(error.message),
  );
}

describe('Fly machine sizes and prices', () => {
  describe('the guest for the requested resources', () => {
    it('uses shared CPUs where the memory fits them', () => {
      assert.deepEqual(flyGuestFor({ cpuCores: 1, memoryMB: 512 }), { cpu_kind: 'shared', cpus: 1, memory_mb: 512 });
      assert.deepEqual(flyGuestFor({ cpuCores: 2, memoryMB: 2048 }), { cpu_kind: 'shared', cpus: 2, memory_mb: 2048 });
      assert.deepEqual(flyGuestFor({ cpuCores: 4, memoryMB: 8192 }), { cpu_kind: 'shared', cpus: 4, memory_mb: 8192 });
    });

    it('uses performance CPUs for more memory per CPU than shared ones take', () => {
      assert.deepEqual(flyGuestFor({ cpuCores: 1, memoryMB: 4096 }), { cpu_kind: 'performance', cpus: 1, memory_mb: 4096 });
      assert.deepEqual(flyGuestFor({ cpuCores: 8, memoryMB: 16384 }), { cpu_kind: 'performance', cpus: 8, memory_mb: 16384 });
    });

    it('refuses CPU counts Fly does not sell (with a price), naming resources.cpuCores', () => {
      rejects({ cpuCores: 0.5 }, 'resources.cpuCores', /1, 2, 4 shared or 1, 2, 4, 8 performance CPUs; 0\.5 is not one of them/);
      rejects({ cpuCores: 3 }, 'resources.cpuCores', /3 is not/);
      rejects({ cpuCores: 16, memoryMB: 32768 }, 'resources.cpuCores', /16 is not/);
    });

    it('refuses memory Fly would refuse, naming resources.memoryMB and the allowed ranges', () => {
      rejects({ memoryMB: 300 }, 'resources.memoryMB', /256–2048 MB in steps of 256 with 1 shared CPU.*2048–8192 MB in steps of 2048 with 1 performance CPU; 300 MB/);
      rejects({ memoryMB: 128 }, 'resources.memoryMB', /128 MB is not allowed/);
      rejects({ cpuCores: 2, memoryMB: 256 }, 'resources.memoryMB', /512–4096 MB/);
      rejects({ memoryMB: 6000 }, 'resources.memoryMB', /6000 MB/);
      rejects({ cpuCores: 8, memoryMB: 4096 }, 'resources.memoryMB', /16384–65536 MB in steps of 2048 with 8 performance CPUs/);
    });

    it('refuses volumes larger than Fly offers, naming resources.storageGB', () => {
      assert.equal(flyVolumeSizeFor({ storageGB: 500 }), 500);
      assert.throws(() => flyVolumeSizeFor({ storageGB: 501 }), (error: unknown) => SwarmError.is(error, 'INVALID_CONFIG') && error.details.field === 'resources.storageGB');
    });
  });

  describe('price per hour', () => {
    const perHour = (monthly: number) => monthly / 720;

    it('is exact at every listed size, for 30-day months', () => {
      for (const kind of Object.keys(FLY_MONTHLY_PRICES) as FlyCpuKind[]) {
        for (const [cpus, points] of Object.entries(FLY_MONTHLY_PRICES[kind])) {
          for (const [memory, monthly] of points) {
            const price = flyPricePerHour({ cpu_kind: kind, cpus: Number(cpus), memory_mb: memory }, 0);
            assert.ok(Math.abs(price! - perHour(monthly)) < 1e-12, `${kind} ${cpus}x ${memory}MB`);
          }
        }
      }
    });

    it('adds the volume at $0.15 per GB and month', () => {
      assert.ok(Math.abs(flyPricePerHour({ cpu_kind: 'shared', cpus: 1, memory_mb: 256 }, 10)! - perHour(1.94 + 1.5)) < 1e-12);
      assert.ok(Math.abs(flyVolumePricePerHour(10) - perHour(1.5)) < 1e-12);
    });

    it('is linear in memory between listed sizes', () => {
      const price = flyPricePerHour({ cpu_kind: 'shared', cpus: 1, memory_mb: 768 }, 0)!;
      assert.ok(Math.abs(price - perHour((3.19 + 5.7) / 2)) < 1e-12);
    });

    it('is unknown for a guest without a listed price', () => {
      assert.equal(flyPricePerHour({ cpu_kind: 'shared', cpus: 8, memory_mb: 2048 }, 1), undefined);
      assert.equal(flyPricePerHour({ cpu_kind: 'shared', cpus: 1, memory_mb: 4096 }, 1), undefined);
    });

    it('names presets as Fly does', () => {
      assert.equal(flyPresetName({ cpu_kind: 'shared', cpus: 2 }), 'shared-cpu-2x');
      assert.equal(flyPresetName({ cpu_kind: 'performance', cpus: 4 }), 'performance-4x');
    });

    it('prices an instance from its configuration, running and stopped', () => {
      const config = instanceConfigSchema.parse({ name: 'dev-1', image: 'x', resources: { cpuCores: 2, memoryMB: 4096, storageGB: 20 } });
      const instance = { config } as Instance;
      const { running, stopped } = flyInstancePricing(instance);
      assert.ok(Math.abs(running - perHour(21.4 + 3)) < 1e-12);
      assert.ok(Math.abs(stopped - perHour(3)) < 1e-12);
      const unpriced = flyInstancePricing({ config: { ...config, resources: { cpuCores: 0.5, memoryMB: 128, storageGB: 20 } } } as Instance);
      assert.equal(unpriced.running, unpriced.stopped);
    });
  });
});

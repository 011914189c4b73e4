import type { FlyCpuKind, FlyGuest } from './flyTypes';

/**
 * Fly's monthly prices in USD for the cheapest regions (../shared/fly/README.md: Fly docs 2025-08 and 2026-08), per
 * CPU kind and count: [memory MB, $ per month] points. A table's first and last points are the smallest and largest
 * memory Fly allows for that guest; prices between the points are linear in memory.
 */
export const FLY_MONTHLY_PRICES: Record<FlyCpuKind, Record<number, readonly (readonly [number, number])[]>> = {
  shared: {
    1: [[256, 1.94], [512, 3.19], [1024, 5.7], [2048, 10.7]],
    2: [[512, 3.89], [1024, 6.39], [2048, 11.39], [4096, 21.4]],
    4: [[1024, 7.78], [2048, 12.78], [4096, 22.78], [8192, 42.79]],
  },
  performance: {
    1: [[2048, 31.0], [4096, 41.01], [8192, 61.02]],
    2: [[4096, 62.0], [8192, 82.01], [16384, 122.03]],
    4: [[8192, 124.0], [16384, 164.02], [32768, 244.06]],
    8: [[16384, 248.0], [32768, 328.04], [65536, 488.13]],
  },
};

/** Volumes are $0.15 per GB and month, billed hourly. */
export const FLY_VOLUME_MONTHLY_PRICE_PER_GB = 0.15;

/** Fly's monthly figures are for 30 days of a per-second price. */
const HOURS_PER_MONTH = 720;

/** Fly's preset name for a guest, e.g. "shared-cpu-1x". */
export function flyPresetName(guest: Pick<FlyGuest, 'cpu_kind' | 'cpus'>): string {
  return guest.cpu_kind === 'shared' ? `shared-cpu-${guest.cpus}x` : `performance-${guest.cpus}x`;
}

/** The guest's $ per month, or undefined for a guest the table has no price for. */
function machineMonthlyPrice(guest: FlyGuest): number | undefined {
  const points = FLY_MONTHLY_PRICES[guest.cpu_kind][guest.cpus];
  if (!points) return undefined;
  for (let index = 1; index < points.length; index++) {
    const [lowMemory, lowPrice] = points[index - 1]!;
    const [highMemory, highPrice] = points[index]!;
    if (guest.memory_mb >= lowMemory && guest.memory_mb <= highMemory) {
      return lowPrice + ((guest.memory_mb - lowMemory) / (highMemory - lowMemory)) * (highPrice - lowPrice);
    }
  }
  return undefined;
}

/** What a stopped instance costs per hour: its volume (the stopped machine's root filesystem, a few cents per GB and month, is left out). */
export function flyVolumePricePerHour(volumeGB: number): number {
  return (volumeGB * FLY_VOLUME_MONTHLY_PRICE_PER_GB) / HOURS_PER_MONTH;
}

/** What a started instance costs per hour in USD: its machine and its volume; undefined for a guest without a listed price. */
export function flyPricePerHour(guest: FlyGuest, volumeGB: number): number | undefined {
  const machine = machineMonthlyPrice(guest);
  return machine === undefined ? undefined : machine / HOURS_PER_MONTH + flyVolumePricePerHour(volumeGB);
}

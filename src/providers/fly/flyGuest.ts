import { invalidConfig } from '../../core/errors';
import type { Resources } from '../../core/models';
import { FLY_MONTHLY_PRICES } from './flyPricing';
import type { FlyCpuKind, FlyGuest } from './flyTypes';

/** Fly's memory rules (../shared/fly/README.md), per CPU. */
const MEMORY_RULES: Record<FlyCpuKind, { minPerCpu: number; maxPerCpu: number; step: number }> = {
  shared: { minPerCpu: 256, maxPerCpu: 2048, step: 256 },
  performance: { minPerCpu: 2048, maxPerCpu: 8192, step: 2048 },
};

/** Shared first: where both kinds fit, the cheaper one is chosen. */
const KINDS: readonly FlyCpuKind[] = ['shared', 'performance'];

/** Fly's largest volume. */
export const FLY_MAX_VOLUME_GB = 500;

function offeredCpus(kind: FlyCpuKind): number[] {
  return Object.keys(FLY_MONTHLY_PRICES[kind]).map(Number);
}

function memoryRange(kind: FlyCpuKind, cpus: number): string {
  const { minPerCpu, maxPerCpu, step } = MEMORY_RULES[kind];
  return `${minPerCpu * cpus}–${maxPerCpu * cpus} MB in steps of ${step} with ${cpus} ${kind} CPU${cpus === 1 ? '' : 's'}`;
}

function fits(kind: FlyCpuKind, cpus: number, memoryMB: number): boolean {
  const { minPerCpu, maxPerCpu, step } = MEMORY_RULES[kind];
  return offeredCpus(kind).includes(cpus) && memoryMB >= minPerCpu * cpus && memoryMB <= maxPerCpu * cpus && memoryMB % step === 0;
}

/**
 * The Fly guest for the requested resources: shared CPUs where the memory fits them, else performance CPUs. Only the
 * sizes with a listed price are offered, so every instance knows its cost. Throws INVALID_CONFIG naming the field.
 */
export function flyGuestFor({ cpuCores, memoryMB }: Pick<Resources, 'cpuCores' | 'memoryMB'>): FlyGuest {
  const kinds = KINDS.filter((kind) => offeredCpus(kind).includes(cpuCores));
  if (kinds.length === 0) {
    const offers = KINDS.map((kind) => `${offeredCpus(kind).join(', ')} ${kind}`).join(' or ');
    throw invalidConfig('resources.cpuCores', `Fly.io machines come with ${offers} CPUs; ${cpuCores} is not one of them`);
  }
  const kind = kinds.find((candidate) => fits(candidate, cpuCores, memoryMB));
  if (kind === undefined) {
    throw invalidConfig('resources.memoryMB', `Fly.io allows ${kinds.map((k) => memoryRange(k, cpuCores)).join(', or ')}; ${memoryMB} MB is not allowed`);
  }
  return { cpu_kind: kind, cpus: cpuCores, memory_mb: memoryMB };
}

export function flyVolumeSizeFor({ storageGB }: Pick<Resources, 'storageGB'>): number {
  if (storageGB > FLY_MAX_VOLUME_GB) throw invalidConfig('resources.storageGB', `Fly.io volumes hold at most ${FLY_MAX_VOLUME_GB} GB; ${storageGB} GB is too large`);
  return storageGB;
}

import { unprocessable } from './apiFailure';

/** Fly's guest rules (../shared/fly/README.md): CPU counts per kind, and memory per CPU. */
const RULES = {
  shared: { cpus: [1, 2, 4, 8], minPerCpu: 256, maxPerCpu: 2048, step: 256 },
  performance: { cpus: [1, 2, 4, 8, 16], minPerCpu: 2048, maxPerCpu: 8192, step: 2048 },
} as const;

export interface Guest {
  cpu_kind?: string;
  cpus?: number;
  memory_mb?: number;
}

/** Refuses a guest Fly would refuse, with an error like Fly's. */
export function checkGuest(guest: Guest | undefined): void {
  const kind = guest?.cpu_kind ?? 'shared';
  const cpus = guest?.cpus ?? 1;
  const memory = guest?.memory_mb ?? 256;
  if (kind !== 'shared' && kind !== 'performance') throw unprocessable(`invalid cpu_kind "${kind}"; must be shared or performance`);
  const rule = RULES[kind];
  if (!(rule.cpus as readonly number[]).includes(cpus)) throw unprocessable(`invalid number of CPUs ${cpus} for cpu_kind ${kind}; must be one of ${rule.cpus.join(', ')}`);
  const min = rule.minPerCpu * cpus;
  const max = rule.maxPerCpu * cpus;
  if (memory < min || memory > max) throw unprocessable(`invalid memory size ${memory}MB for ${kind}-cpu-${cpus}x; must be between ${min}MB and ${max}MB`);
  if (memory % rule.step !== 0) throw unprocessable(`invalid memory size ${memory}MB; must be a multiple of ${rule.step}MB`);
}

export type MigrationPhase = 'creating-target' | 'copying' | 'stopping-source' | 'final-copy' | 'verifying' | 'switching' | 'deleting-source' | 'rolling-back';

/** What a front end shows of a migration in progress. */
export interface MigrationProgress {
  phase: MigrationPhase;
  /** In words, e.g. "Copying while dev-1 runs (pass 2)". */
  message: string;
  /** Pass over the source, from 1. */
  round?: number;
  /** Bytes of workspace content read in this phase, and how many there are where known (from the previous pass). */
  bytes?: number;
  totalBytes?: number;
  bytesPerSecond?: number;
  secondsLeft?: number;
}

/** Bytes, rate and time left of one phase, reported at most every `intervalMs`. */
export class ByteMeter {
  private readonly startedAt: number;
  private lastReport = -Infinity;

  constructor(
    private readonly base: Omit<MigrationProgress, 'bytes' | 'bytesPerSecond' | 'secondsLeft'>,
    private readonly report: (progress: MigrationProgress) => void,
    private readonly now: () => number,
    private readonly intervalMs = 250,
  ) {
    this.startedAt = now();
    report(base);
  }

  update(bytes: number, final = false): void {
    const at = this.now();
    if (!final && at - this.lastReport < this.intervalMs) return;
    this.lastReport = at;
    const seconds = (at - this.startedAt) / 1000;
    const bytesPerSecond = seconds > 0 ? bytes / seconds : undefined;
    const { totalBytes } = this.base;
    const secondsLeft = totalBytes !== undefined && bytesPerSecond ? Math.max(0, (totalBytes - bytes) / bytesPerSecond) : undefined;
    this.report({ ...this.base, bytes, ...(bytesPerSecond !== undefined ? { bytesPerSecond } : {}), ...(secondsLeft !== undefined ? { secondsLeft } : {}) });
  }
}

/** "12.3 MB of 1.0 GB, 85.1 MB/s, 10 s left": for front ends. */
export function describeProgress({ message, bytes, totalBytes, bytesPerSecond, secondsLeft }: MigrationProgress): string {
  const parts = [message];
  if (bytes !== undefined) parts.push(totalBytes !== undefined ? `${formatBytes(bytes)} of ${formatBytes(totalBytes)}` : formatBytes(bytes));
  if (bytesPerSecond !== undefined) parts.push(`${formatBytes(bytesPerSecond)}/s`);
  if (secondsLeft !== undefined) parts.push(`${Math.ceil(secondsLeft)} s left`);
  return parts.join(', ');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

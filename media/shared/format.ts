export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

export function formatAgo(at: number, now: number): string {
  return `${formatDuration(now - at)} ago`;
}

export function formatTime(at: number): string {
  return new Date(at).toLocaleTimeString();
}

export function formatPercent(ratio: number | undefined): string {
  return ratio === undefined ? '—' : `${(ratio * 100).toFixed(ratio === 1 || ratio === 0 ? 0 : 1)}%`;
}

export function formatLatency(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  const mib = bytes / (1024 * 1024);
  return mib < 1024 ? `${mib.toFixed(mib < 10 ? 1 : 0)} MB` : `${(mib / 1024).toFixed(1)} GB`;
}

/** US dollars: cents, or tenths of a cent for amounts under a dollar (a Docker hour, a Fly minute). */
export function formatDollars(amount: number): string {
  return `$${amount.toFixed(amount !== 0 && Math.abs(amount) < 1 ? 3 : 2)}`;
}

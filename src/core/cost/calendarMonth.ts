/** Calendar months in UTC, as cloud providers bill them. A month key looks like "2026-11". */

export function monthKey(at: number): string {
  const date = new Date(at);
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function monthStart(at: number): number {
  const date = new Date(at);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

export function nextMonthStart(at: number): number {
  const date = new Date(at);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

/** The interval [from, to) cut at month boundaries: how many milliseconds of it fall in each month. */
export function splitByMonth(from: number, to: number): { month: string; ms: number }[] {
  const parts: { month: string; ms: number }[] = [];
  for (let start = from; start < to; start = nextMonthStart(start)) {
    parts.push({ month: monthKey(start), ms: Math.min(to, nextMonthStart(start)) - start });
  }
  return parts;
}

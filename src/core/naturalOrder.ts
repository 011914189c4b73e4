const DIGIT_RUNS = /(\d+)/;

/**
 * Orders names as people read them: runs of digits by value ("worker-2" before "worker-10"), the rest by code point.
 * Plain comparisons, not localeCompare: a one-shot CLI would otherwise spend milliseconds loading ICU collation data.
 */
export function compareNaturally(a: string, b: string): number {
  const left = a.split(DIGIT_RUNS);
  const right = b.split(DIGIT_RUNS);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index];
    const y = right[index];
    if (x === y) continue;
    // split() puts the digit runs at the odd indexes.
    if (index % 2 === 1) {
      const byValue = Number(x) - Number(y);
      if (byValue !== 0) return byValue;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

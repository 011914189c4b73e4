const isDigit = (code: number) => code >= 48 && code <= 57;

/**
 * Orders names as people read them: runs of digits by value ("worker-2" before "worker-10"), the rest by code point.
 * Plain comparisons, not localeCompare: a one-shot CLI would otherwise spend milliseconds loading ICU collation data,
 * and a scan without allocations keeps sorting a thousand names cheap.
 */
export function compareNaturally(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(j);
    if (isDigit(x) && isDigit(y)) {
      const startA = i;
      const startB = j;
      while (i < a.length && isDigit(a.charCodeAt(i))) i++;
      while (j < b.length && isDigit(b.charCodeAt(j))) j++;
      const byValue = compareDigitRuns(a.slice(startA, i), b.slice(startB, j));
      if (byValue !== 0) return byValue;
      continue;
    }
    if (x !== y) return x - y;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

/** By value, however long: fewer significant digits is smaller; equal values written differently ("01", "1") by their text. */
function compareDigitRuns(x: string, y: string): number {
  const left = withoutLeadingZeros(x);
  const right = withoutLeadingZeros(y);
  if (left.length !== right.length) return left.length - right.length;
  if (left !== right) return left < right ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function withoutLeadingZeros(digits: string): string {
  return digits.length > 1 && digits.charCodeAt(0) === 48 ? digits.replace(/^0+(?=\d)/, '') : digits;
}

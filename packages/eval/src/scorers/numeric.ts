// Integers with optional thousands separators, decimals, exponents; a leading sign.
const NUMBER = /[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?/g;

/** The numbers written in a text, in order ("1,234.5" is one number; "$3" gives 3). */
export function parseNumbers(text: string): number[] {
  const found: number[] = [];
  for (const match of text.matchAll(NUMBER)) {
    const raw = match[0];
    if (!/\d/.test(raw) || /^[-+]?[eE]/.test(raw)) continue;
    const value = Number(raw.replaceAll(",", ""));
    if (Number.isFinite(value)) found.push(value);
  }
  return found;
}

/** Whether `actual` is within an absolute or a relative tolerance of `target`. */
export function withinTolerance(actual: number, target: number, tolerance: number, relativeTolerance: number): boolean {
  const difference = Math.abs(actual - target);
  return difference <= tolerance || difference <= relativeTolerance * Math.abs(target);
}

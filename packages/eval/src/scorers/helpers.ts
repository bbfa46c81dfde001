import type { ScorerInput } from "./types.ts";

/** Expected values as a list of reference strings: a string, an array of strings, or any value as JSON. */
export function referenceList(expected: unknown): string[] {
  if (expected === undefined || expected === null) return [];
  if (Array.isArray(expected)) return expected.map(asText);
  return [asText(expected)];
}

/** Non-strings compare by their JSON text, so `expected: 42` matches the output `42`. */
export function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value);
}

/** References a scorer needs; a missing one is a per-case failure naming what was expected. */
export function requireReferences(expected: unknown, scorer: string): string[] {
  const refs = referenceList(expected);
  if (refs.length === 0) throw new MissingExpectedError(scorer);
  return refs;
}

export class MissingExpectedError extends Error {
  constructor(scorer: string) {
    super(`${scorer} needs the case's expected value (a string or a list of strings)`);
    this.name = "MissingExpectedError";
  }
}

/**
 * Segment statistics of a corpus metric, memoised per input object: the aggregator bootstraps
 * corpus metrics by resampling the same inputs, so each segment is tokenized once, not per resample.
 * Cases without references are left out (their per-case score already reports why).
 */
export function perInput<T>(
  inputs: readonly ScorerInput[],
  cache: WeakMap<ScorerInput, T>,
  compute: (input: ScorerInput, refs: string[]) => T,
): { values: T[]; skipped: number } {
  const values: T[] = [];
  let skipped = 0;
  for (const input of inputs) {
    let value = cache.get(input);
    if (value === undefined) {
      const refs = referenceList(input.expected);
      if (refs.length === 0) {
        skipped++;
        continue;
      }
      value = compute(input, refs);
      cache.set(input, value);
    }
    values.push(value);
  }
  return { values, skipped };
}

/** Counts of each item, as a multiset. */
export function countItems(items: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Size of the multiset intersection. */
export function overlap(a: Map<string, number>, b: Map<string, number>): number {
  let common = 0;
  for (const [key, count] of a) {
    const other = b.get(key);
    if (other !== undefined) common += Math.min(count, other);
  }
  return common;
}

/** Harmonic mean of precision and recall (0 when both are 0). */
export function f1(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** Python's `str.split()`: split on runs of whitespace, dropping empty pieces. */
export function splitWhitespace(text: string): string[] {
  return text.split(/\s+/).filter((token) => token.length > 0);
}

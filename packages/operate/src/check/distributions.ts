import type { LengthStats } from "./result.ts";

/** Lengths up to this are counted exactly (percentiles exact); longer ones share the last slot. */
const EXACT_LIMIT = 65_535;

/**
 * A streaming length distribution: a count per exact length (up to 65,535; longer ones share one
 * slot, with the true maximum kept aside), so percentiles are exact and memory is 256 KiB
 * whatever the number of cases.
 */
export class LengthHistogram {
  readonly #counts = new Float64Array(EXACT_LIMIT + 2);
  #n = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  add(length: number): void {
    this.#counts[Math.min(length, EXACT_LIMIT + 1)]!++;
    this.#n++;
    this.#sum += length;
    if (length < this.#min) this.#min = length;
    if (length > this.#max) this.#max = length;
  }

  /** The smallest length with at least q·n cases at or below it (nearest rank). */
  #quantile(q: number): number {
    if (this.#n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#n));
    let seen = 0;
    for (let length = 0; length < this.#counts.length; length++) {
      seen += this.#counts[length]!;
      if (seen >= rank) return length > EXACT_LIMIT ? this.#max : length;
    }
    return this.#max;
  }

  stats(): LengthStats {
    const histogram: LengthStats["histogram"] = [];
    if (this.#n > 0) {
      // Buckets [0,0], [1,1], [2,3], [4,7], … [32768,65535], then one for every longer length.
      for (let from = 0, to = 0; from <= Math.min(this.#max, EXACT_LIMIT); from = to + 1, to = 2 * from - 1) {
        let n = 0;
        for (let length = from; length <= Math.min(to, EXACT_LIMIT); length++) n += this.#counts[length]!;
        histogram.push({ from, to: Math.min(to, this.#max), count: n });
      }
      if (this.#max > EXACT_LIMIT) histogram.push({ from: EXACT_LIMIT + 1, to: this.#max, count: this.#counts[EXACT_LIMIT + 1]! });
    }
    return {
      count: this.#n,
      min: this.#n === 0 ? 0 : this.#min,
      max: this.#max,
      mean: this.#n === 0 ? 0 : this.#sum / this.#n,
      p50: this.#quantile(0.5),
      p90: this.#quantile(0.9),
      p99: this.#quantile(0.99),
      histogram,
    };
  }
}

/** Distinct label values counted; past this many, further values are counted together as `other`. */
export const MAX_LABEL_VALUES = 1000;

/** Counts of a field's values (a label), bounded in the number of distinct values it keeps. */
export class LabelCounter {
  readonly #counts = new Map<string, number>();
  other = 0;
  missing = 0;

  add(value: string | undefined): void {
    if (value === undefined) {
      this.missing++;
      return;
    }
    const current = this.#counts.get(value);
    if (current !== undefined) this.#counts.set(value, current + 1);
    else if (this.#counts.size < MAX_LABEL_VALUES) this.#counts.set(value, 1);
    else this.other++;
  }

  get distinct(): number {
    return this.#counts.size;
  }

  /** The `limit` most frequent values (ties by value) and how many cases the others hold. */
  values(limit: number): { values: { value: string; count: number }[]; other: number } {
    const sorted = [...this.#counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return {
      values: sorted.slice(0, limit).map(([value, count]) => ({ value, count })),
      other: this.other + sorted.slice(limit).reduce((sum, [, count]) => sum + count, 0),
    };
  }
}

import { createRng, quantileSorted } from "../stats/index.ts";

/**
 * Percentile metrics: a statistic of a run's per-case values that is not their mean (time to
 * first token at p50 and p95). The percentile is numpy's default (`np.percentile(values, q)`,
 * method "linear", Hyndman & Fan type 7): with the n values sorted ascending and 0-based,
 * position h = (n − 1)·q, and the value is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]).
 *
 * Their intervals are percentile bootstraps, as every other interval here, but a resample is
 * never sorted: it is a multiset of positions in the sorted sample, so counting how often each
 * position was drawn and walking the counts finds the resample's order statistics in O(n).
 */

/** A percentile metric: its summary name, the metric whose per-case values it reads, and q. */
export interface PercentileMetric {
  name: string;
  of: string;
  q: number;
}

/** The percentile metrics there are: reported whenever their source metric is. */
export const PERCENTILE_METRICS: readonly PercentileMetric[] = [
  { name: "ttft_ms_p50", of: "ttft_ms", q: 0.5 },
  { name: "ttft_ms_p95", of: "ttft_ms", q: 0.95 },
];

export function findPercentileMetric(name: string): PercentileMetric | undefined {
  return PERCENTILE_METRICS.find((p) => p.name === name);
}

/** The q-quantile (type 7) of values in any order. */
export function percentileOf(values: ArrayLike<number>, q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/**
 * The q-quantile of a resample given by `counts` (how often each position was drawn) over
 * `order` (positions, ascending by value) of `values`: the resample sorted is each value
 * repeated its count times, in `order`.
 */
function resampleQuantile(values: ArrayLike<number>, order: ArrayLike<number>, counts: Uint32Array, q: number): number {
  const n = order.length;
  const h = (n - 1) * q;
  const lower = Math.floor(h);
  const fraction = h - lower;
  let seen = 0;
  let a = Number.NaN;
  for (let k = 0; k < n; k++) {
    const position = order[k] as number;
    seen += counts[position] as number;
    if (Number.isNaN(a) && seen > lower) {
      a = values[position] as number;
      if (fraction === 0) return a;
      // The next order statistic is the same value while this position's copies last.
      if (seen > lower + 1) return a;
    } else if (!Number.isNaN(a) && (counts[position] as number) > 0) {
      return a + ((values[position] as number) - a) * fraction;
    }
  }
  return a;
}

function intervalOf(distribution: Float64Array, level: number): { low: number; high: number } {
  distribution.sort();
  const alpha = 1 - level;
  return { low: quantileSorted(distribution, alpha / 2), high: quantileSorted(distribution, 1 - alpha / 2) };
}

function ascendingOrder(values: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // Ties keep position order, so the walk is deterministic.
  return order.sort((i, j) => (values[i] as number) - (values[j] as number) || i - j);
}

export interface QuantileBootstrapOptions {
  level: number;
  resamples: number;
  seed: number;
}

/** Percentile bootstrap interval of the q-quantile of `values`. */
export function bootstrapQuantileInterval(
  values: ArrayLike<number>,
  q: number,
  options: QuantileBootstrapOptions,
): { low: number; high: number } {
  const n = values.length;
  if (n === 0) throw new RangeError("bootstrapQuantileInterval: needs at least one value");
  const order = ascendingOrder(values);
  const counts = new Uint32Array(n);
  const random = createRng(options.seed);
  const distribution = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) (counts[Math.floor(random() * n)] as number)++;
    distribution[r] = resampleQuantile(values, order, counts, q);
  }
  return intervalOf(distribution, options.level);
}

/**
 * Paired bootstrap of quantile(head) − quantile(baseline) over matched cases: case positions are
 * resampled jointly, and each resample's quantile is taken on both sides.
 */
export function pairedBootstrapQuantileDifference(
  baseline: ArrayLike<number>,
  head: ArrayLike<number>,
  q: number,
  options: QuantileBootstrapOptions,
): { delta: number; low: number; high: number } {
  const n = baseline.length;
  if (head.length !== n) throw new RangeError(`pairedBootstrapQuantileDifference: ${n} baseline values but ${head.length} head values`);
  if (n === 0) throw new RangeError("pairedBootstrapQuantileDifference: needs at least one pair");
  const baselineOrder = ascendingOrder(baseline);
  const headOrder = ascendingOrder(head);
  const counts = new Uint32Array(n);
  const random = createRng(options.seed);
  const distribution = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) (counts[Math.floor(random() * n)] as number)++;
    distribution[r] = resampleQuantile(head, headOrder, counts, q) - resampleQuantile(baseline, baselineOrder, counts, q);
  }
  return { delta: percentileOf(head, q) - percentileOf(baseline, q), ...intervalOf(distribution, options.level) };
}

import { quantileSorted } from "./descriptive.ts";
import { createRng, DEFAULT_RESAMPLES, DEFAULT_SEED } from "./rng.ts";

export interface BootstrapOptions {
  /** Confidence level of the percentile interval; default 0.95. */
  level?: number;
  /** Number of resamples; default 10,000. */
  resamples?: number;
  /** RNG seed: equal inputs and seed give equal intervals. */
  seed?: number;
}

function settings(options: BootstrapOptions | undefined): { level: number; resamples: number; seed: number } {
  const level = options?.level ?? 0.95;
  const resamples = options?.resamples ?? DEFAULT_RESAMPLES;
  const seed = options?.seed ?? DEFAULT_SEED;
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new RangeError(`bootstrap: resamples must be a positive integer, got ${resamples}`);
  return { level, resamples, seed };
}

function percentileInterval(distribution: Float64Array, level: number): { low: number; high: number } {
  distribution.sort();
  const alpha = 1 - level;
  return { low: quantileSorted(distribution, alpha / 2), high: quantileSorted(distribution, 1 - alpha / 2) };
}

/** Means of `resamples` bootstrap resamples of `data`: the hot loop of every mean interval. */
function resampleMeans(data: Float64Array, resamples: number, seed: number): Float64Array {
  const n = data.length;
  const random = createRng(seed);
  const distribution = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += data[Math.floor(random() * n)] as number;
    distribution[r] = sum / n;
  }
  return distribution;
}

function requireValues(n: number, what: string): void {
  if (n === 0) throw new RangeError(`${what}: needs at least one value`);
}

/** Percentile bootstrap interval of the mean (as scipy's `bootstrap(..., method="percentile")`). */
export function bootstrapMeanInterval(values: ArrayLike<number>, options?: BootstrapOptions): { low: number; high: number } {
  const n = values.length;
  requireValues(n, "bootstrapMeanInterval");
  const { level, resamples, seed } = settings(options);
  return percentileInterval(resampleMeans(Float64Array.from(values), resamples, seed), level);
}

/** Percentile bootstrap interval of any statistic of a sample (corpus metrics such as BLEU). */
export function bootstrapStatisticInterval<T>(
  items: readonly T[],
  statistic: (sample: T[]) => number,
  options?: BootstrapOptions,
): { low: number; high: number } {
  const n = items.length;
  requireValues(n, "bootstrapStatisticInterval");
  const { level, resamples, seed } = settings(options);
  const random = createRng(seed);
  const distribution = new Float64Array(resamples);
  const sample = new Array<T>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = items[Math.floor(random() * n)] as T;
    distribution[r] = statistic(sample);
  }
  return percentileInterval(distribution, level);
}

export interface PairedBootstrapResult {
  /** The observed head - baseline difference. */
  delta: number;
  low: number;
  high: number;
  /**
   * Two-sided bootstrap p-value for "no difference": twice the smaller share of resampled deltas
   * on either side of zero, with the +1 correction so it is never exactly 0 for a finite number of
   * resamples. Consistent with the interval: p < 1 - level roughly when the interval excludes 0.
   */
  pValue: number;
}

function pairedResult(delta: number, distribution: Float64Array, level: number): PairedBootstrapResult {
  let atMostZero = 0;
  let atLeastZero = 0;
  for (const d of distribution) {
    if (d <= 0) atMostZero++;
    if (d >= 0) atLeastZero++;
  }
  const b = distribution.length;
  const pValue = Math.min(1, (2 * (Math.min(atMostZero, atLeastZero) + 1)) / (b + 1));
  return { delta, ...percentileInterval(distribution, level), pValue };
}

/**
 * Paired bootstrap of mean(head) - mean(baseline): case indices are resampled jointly, so the
 * per-case correlation between the two runs narrows the interval (the point of pairing).
 */
export function pairedBootstrapInterval(
  baseline: readonly number[],
  head: readonly number[],
  options?: BootstrapOptions,
): PairedBootstrapResult {
  const n = baseline.length;
  if (head.length !== n) throw new RangeError(`pairedBootstrapInterval: ${n} baseline values but ${head.length} head values`);
  requireValues(n, "pairedBootstrapInterval");
  const { level, resamples, seed } = settings(options);
  const differences = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    differences[i] = (head[i] as number) - (baseline[i] as number);
    total += differences[i] as number;
  }
  return pairedResult(total / n, resampleMeans(differences, resamples, seed), level);
}

/**
 * Paired bootstrap of any statistic of paired items (a corpus metric recomputed on both sides):
 * `difference` receives one joint resample of the pairs and returns head - baseline.
 */
export function pairedBootstrapStatistic<T>(
  pairs: readonly T[],
  difference: (sample: T[]) => number,
  options?: BootstrapOptions,
): PairedBootstrapResult {
  const n = pairs.length;
  requireValues(n, "pairedBootstrapStatistic");
  const { level, resamples, seed } = settings(options);
  const random = createRng(seed);
  const distribution = new Float64Array(resamples);
  const sample = new Array<T>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = pairs[Math.floor(random() * n)] as T;
    distribution[r] = difference(sample);
  }
  return pairedResult(difference([...pairs]), distribution, level);
}

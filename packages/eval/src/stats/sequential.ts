import { logBeta } from "./special.ts";

/**
 * Anytime-valid inference: confidence sequences, whose coverage holds simultaneously at every
 * sample size, so a rollout may be analysed after every batch and stopped whenever an interval
 * decides, without the false-alarm inflation of repeated fixed-horizon tests.
 */

/** An interval; a side is infinite while the data cannot bound it (a mean from fewer than two values). */
export interface Interval {
  low: number;
  high: number;
}

/** Counts of a binary outcome, or the moments of a numeric one (the shapes of `Sample` in ab/sample.ts). */
export type SequentialSample =
  | { kind: "proportion"; n: number; successes: number }
  | { kind: "mean"; n: number; mean: number; variance: number };

export interface SequentialOptions {
  /**
   * The sample size at which a normal-mixture sequence is tightest (n* of Waudby-Smith et al.):
   * observations of the one sample, or of both together for a difference. Earlier and later the
   * sequence is a little wider than the best it could be there; it stays valid everywhere.
   */
  optimizeAt?: number;
}

/**
 * n* unless told otherwise: a canary's analyses usually look at thousands to tens of thousands of
 * requests, and the width is flat in n* (a tenfold miss widens the interval by roughly 10–20%).
 */
export const DEFAULT_OPTIMIZE_AT = 10_000;

/**
 * The prior of the beta-binomial mixture: Jeffreys' Beta(1/2, 1/2). It puts more weight near 0 and
 * 1 than the uniform prior does, which is where the rates a rollout watches live (error rates of
 * 1% or less, success rates of 90% or more), so the sequence is narrower there; it is also the
 * Krichevsky–Trofimov mixture, whose regret against the best fixed p is the smallest possible to
 * first order.
 */
export const PROPORTION_PRIOR = { a: 0.5, b: 0.5 } as const;

function checkAlpha(alpha: number, what: string): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`${what}: alpha must be in (0, 1), got ${alpha}`);
}

function checkCounts(successes: number, n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n)
    throw new RangeError(`${what}: successes must be an integer in [0, ${n}], got ${successes}`);
}

/** log(1 + e^y) without overflow or loss of small values. */
function softplus(y: number): number {
  return y > 0 ? y + Math.log1p(Math.exp(-y)) : Math.log1p(Math.exp(y));
}

/** Logits far enough out that p = 1/(1+e^800) is beyond any count a double can hold. */
const LOGIT_LIMIT = 800;

/**
 * Exact (non-asymptotic) confidence sequence for a binomial proportion from Robbins' beta-binomial
 * mixture martingale (H. Robbins, "Statistical methods related to the law of the iterated
 * logarithm", Ann. Math. Statist. 41 (1970); see also Howard, Ramdas, McAuliffe & Sekhon,
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann. Statist. 49 (2021), §3):
 *
 *   M_t(p₀) = B(a + S, b + t − S) / B(a, b) / (p₀^S (1 − p₀)^(t−S)),
 *
 * a nonnegative martingale with M₀ = 1 under p = p₀, so by Ville's inequality
 * {p₀ : M_t(p₀) < 1/α} covers p at every t at once with probability ≥ 1 − α. log M is convex in
 * p₀ and below 0 at the maximum-likelihood p̂ (the mixture never beats the best fit), so the set
 * is an interval around p̂. Its ends are found by Newton's method on the logit x of p₀, in log
 * space (log p₀ = −softplus(−x), log(1 − p₀) = −softplus(x)) so neither tiny rates nor millions of
 * trials underflow; d log M/dx = n·p₀ − S. Started outside the set, Newton's iterates on a convex
 * function approach the end monotonically from outside, so the interval is not narrower than the
 * exact set by more than rounding. Prior: PROPORTION_PRIOR.
 */
export function proportionConfidenceSequence(successes: number, n: number, alpha: number): Interval {
  checkCounts(successes, n, "proportionConfidenceSequence");
  checkAlpha(alpha, "proportionConfidenceSequence");
  if (n === 0) return { low: 0, high: 1 };
  const { a, b } = PROPORTION_PRIOR;
  const failures = n - successes;
  const logMixture = logBeta(a + successes, b + failures) - logBeta(a, b);
  const threshold = -Math.log(alpha);
  const excess = (x: number) =>
    logMixture + (successes > 0 ? successes * softplus(-x) : 0) + (failures > 0 ? failures * softplus(x) : 0) - threshold;
  const slope = (x: number) => n * sigmoid(x) - successes;
  const low = successes === 0 ? 0 : sigmoid(boundary(excess, slope, -LOGIT_LIMIT));
  const high = failures === 0 ? 1 : sigmoid(boundary(excess, slope, LOGIT_LIMIT));
  return { low, high };
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * The end of the convex set {x : excess(x) < 0} on the side of `outside`, by Newton's method from
 * there; `outside` itself when even that is inside (the set reaches the limit).
 */
function boundary(excess: (x: number) => number, slope: (x: number) => number, outside: number): number {
  let x = outside;
  let fx = excess(x);
  if (fx < 0) return outside;
  for (let step = 0; step < 200; step++) {
    const next = x - fx / slope(x);
    if (!Number.isFinite(next) || next === x) break;
    const fNext = excess(next);
    // Rounding carried the last step just past the end (converging quadratically, the previous
    // iterate is still ~1e-8 away): one more step from there lands back on it to within rounding.
    if (fNext < 0) return next - fNext / slope(next);
    const moved = Math.abs(next - x);
    x = next;
    fx = fNext;
    if (moved <= 1e-14 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

/** −2 log α + log(1 − 2 log α): n ρ² at the sample size where the normal mixture is tightest. */
function mixtureScale(alpha: number): number {
  const l = -2 * Math.log(alpha);
  return l + Math.log(l + 1);
}

/**
 * ρ of the normal mixture that makes the boundary tightest at n* = `optimizeAt`, from
 * Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (below): ρ = sqrt((−2 log α + log(−2 log α + 1)) / n*).
 */
export function mixtureRho(alpha: number, optimizeAt: number = DEFAULT_OPTIMIZE_AT): number {
  checkAlpha(alpha, "mixtureRho");
  if (!(optimizeAt > 0)) throw new RangeError(`mixtureRho: optimizeAt must be positive, got ${optimizeAt}`);
  return Math.sqrt(mixtureScale(alpha) / optimizeAt);
}

/**
 * Asymptotic confidence sequence for a mean with the normal mixture boundary of Waudby-Smith,
 * Arbour, Sinha, Kennedy & Ramdas, "Time-uniform central limit theory and asymptotic confidence
 * sequences" (arXiv:2103.06476, 2021; Ann. Statist. 2024):
 *
 *   mean ± σ̂ · sqrt( 2(nρ² + 1) / (n²ρ²) · log( sqrt(nρ² + 1) / α ) ),
 *
 * ρ = mixtureRho(α, optimizeAt). Asymptotic: valid as the sample grows, with the sample standard
 * deviation σ̂ plugged in. Below MIN_MEAN_SAMPLE observations σ̂ is too unreliable to lean on (two
 * equal values give σ̂ = 0 and a zero-width interval: in a simulation that failed a guardrail
 * wrongly in 9% of rollouts at α = 0.05), so the interval is the whole line there.
 */
/** Observations a mean (or each side of a difference of means) needs before its interval decides anything. */
export const MIN_MEAN_SAMPLE = 30;

export function meanConfidenceSequence(
  sample: { n: number; mean: number; variance: number },
  alpha: number,
  options: SequentialOptions = {},
): Interval {
  const { n, mean, variance } = sample;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`meanConfidenceSequence: n must be a non-negative integer, got ${n}`);
  if (!(variance >= 0)) throw new RangeError(`meanConfidenceSequence: variance must be non-negative, got ${variance}`);
  const rho = mixtureRho(alpha, options.optimizeAt);
  if (n < MIN_MEAN_SAMPLE) return { low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY };
  const r2 = n * rho * rho;
  const half = Math.sqrt(variance) * Math.sqrt(((2 * (r2 + 1)) / (n * n * rho * rho)) * Math.log(Math.sqrt(r2 + 1) / alpha));
  return { low: mean - half, high: mean + half };
}

export interface DifferenceOptions extends SequentialOptions {
  /**
   * τ², the variance of the normal mixing distribution over the difference. Default: tightest at
   * `optimizeAt` observations in all, i.e. τ² = (−2 log α + log(1 − 2 log α)) · V*, where V* is the
   * variance the estimate would have at that total with the current split between the variants.
   */
  mixingVariance?: number;
}

export interface DifferenceSequence extends Interval {
  /** Treatment − control. */
  estimate: number;
  /** V: the estimate's variance, σ̂²_c/n_c + σ̂²_t/n_t. */
  variance: number;
  /** τ² used. */
  mixingVariance: number;
}

/** p(1 − p) with p = (S + 1/2) / (n + 1), the posterior mean under the Jeffreys prior of the exact sequence. */
function smoothedBernoulliVariance(successes: number, n: number): number {
  const p = (successes + 0.5) / (n + 1);
  return p * (1 - p);
}

/**
 * Variance of one observation of each variant. For means, the sample variances. For proportions,
 * p̃(1 − p̃) per variant, but never less than that of the two variants pooled:
 * - p̃ = (S + 1/2)/(n + 1) rather than p̂: p̂(1 − p̂) is 0 for a variant that has not yet shown a
 *   single error, which would shrink the interval to a point and let a canary "pass" on ten requests;
 * - the pooled floor: with rare events a variant that happens to show fewer events than its true
 *   rate also shows a smaller variance, so the interval narrows exactly when the estimate is off,
 *   and an A/A simulation at a 1% error rate excluded the true difference in 7.9% of runs at
 *   α = 0.05. Under "no difference" the pooled rate is the better estimate of both variances; as
 *   a floor it can only widen the interval (where the variants really differ, the larger of the
 *   two is the consistent one), so the sequence stays asymptotically valid.
 */
function unitVariances(control: SequentialSample, treatment: SequentialSample): [number, number] {
  if (control.kind === "mean" || treatment.kind === "mean") {
    return [control.kind === "mean" ? control.variance : Number.NaN, treatment.kind === "mean" ? treatment.variance : Number.NaN];
  }
  const pooled = smoothedBernoulliVariance(control.successes + treatment.successes, control.n + treatment.n);
  return [
    Math.max(pooled, smoothedBernoulliVariance(control.successes, control.n)),
    Math.max(pooled, smoothedBernoulliVariance(treatment.successes, treatment.n)),
  ];
}

function pointEstimate(sample: SequentialSample): number {
  return sample.kind === "proportion" ? sample.successes / sample.n : sample.mean;
}

/**
 * Confidence sequence for treatment − control from two independent samples of any sizes (a canary
 * at 5% beside the stable version at 95%), the normal-mixture boundary of the two-sample mixture
 * SPRT (Johari, Koomen, Pekelis & Walsh, "Always valid inference: continuous monitoring of A/B
 * tests", Operations Research 70(3):1806–1821, 2022): with V = σ̂²_c/n_c + σ̂²_t/n_t and mixing
 * variance τ²,
 *
 *   θ̂ ± sqrt( V(V + τ²)/τ² · log( (V + τ²) / (V α²) ) ).
 *
 * With τ² = c·V·N/N* (c = −2 log α + log(1 − 2 log α), N the observations so far, N* = optimizeAt)
 * this is the one-sample boundary of meanConfidenceSequence applied to θ̂ with σ̂² = N·V, so the
 * two agree on where they are tightest. Asymptotic, like that one. Proportions use the variances of
 * `unitVariances`, and their interval is cut to [−1, 1]; a mean from fewer than two observations
 * leaves the interval unbounded.
 */
export function differenceConfidenceSequence(
  control: SequentialSample,
  treatment: SequentialSample,
  alpha: number,
  options: DifferenceOptions = {},
): DifferenceSequence {
  checkAlpha(alpha, "differenceConfidenceSequence");
  if (control.kind !== treatment.kind)
    throw new RangeError(`differenceConfidenceSequence: a ${control.kind} control with a ${treatment.kind} treatment`);
  for (const sample of [control, treatment]) {
    if (sample.kind === "proportion") checkCounts(sample.successes, sample.n, "differenceConfidenceSequence");
    else if (!Number.isInteger(sample.n) || sample.n < 0 || !(sample.variance >= 0))
      throw new RangeError(`differenceConfidenceSequence: bad moments n=${sample.n}, variance=${sample.variance}`);
  }
  const optimizeAt = options.optimizeAt ?? DEFAULT_OPTIMIZE_AT;
  if (!(optimizeAt > 0)) throw new RangeError(`differenceConfidenceSequence: optimizeAt must be positive, got ${optimizeAt}`);
  if (options.mixingVariance !== undefined && !(options.mixingVariance > 0))
    throw new RangeError(`differenceConfidenceSequence: mixingVariance must be positive, got ${options.mixingVariance}`);
  const minimum = control.kind === "mean" ? MIN_MEAN_SAMPLE : 1;
  if (control.n < minimum || treatment.n < minimum) {
    const estimate = control.n > 0 && treatment.n > 0 ? pointEstimate(treatment) - pointEstimate(control) : Number.NaN;
    return {
      estimate,
      low: control.kind === "proportion" ? -1 : Number.NEGATIVE_INFINITY,
      high: control.kind === "proportion" ? 1 : Number.POSITIVE_INFINITY,
      variance: Number.POSITIVE_INFINITY,
      mixingVariance: options.mixingVariance ?? Number.NaN,
    };
  }
  const estimate = pointEstimate(treatment) - pointEstimate(control);
  const [unitControl, unitTreatment] = unitVariances(control, treatment);
  const variance = unitControl / control.n + unitTreatment / treatment.n;
  const total = control.n + treatment.n;
  const tau2 = options.mixingVariance ?? (mixtureScale(alpha) * variance * total) / optimizeAt;
  if (variance === 0) return { estimate, low: estimate, high: estimate, variance, mixingVariance: tau2 };
  const half = Math.sqrt(((variance * (variance + tau2)) / tau2) * Math.log((variance + tau2) / (variance * alpha * alpha)));
  // A difference of two proportions lies in [−1, 1]: cutting the early, wide intervals there
  // removes only values that cannot be true.
  const [floor, ceiling] = control.kind === "proportion" ? [-1, 1] : [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  return { estimate, low: Math.max(floor, estimate - half), high: Math.min(ceiling, estimate + half), variance, mixingVariance: tau2 };
}

import { kolmogorovSmirnovSf } from "./kolmogorov.ts";

/**
 * The two-sample Kolmogorov–Smirnov test, two-sided, as scipy 1.10's
 * `stats.ks_2samp(a, b, method="auto")`: the largest distance between the two empirical CDFs
 * (ties handled by evaluating both CDFs at every observed value, right-continuous), with the
 * exact null distribution when neither sample is larger than EXACT_MAX_N, else Smirnov's
 * asymptotic one: P(D_n > d) of the one-sample distribution at the effective size
 * n = round(n₁ n₂ / (n₁ + n₂)). Drift detection compares a production sample with a reference
 * sample this way; checked against scipy in test/stats/drift-stats.test.ts.
 */

/** scipy's MAX_AUTO_N: "auto" computes the exact p-value while max(n₁, n₂) stays at or below it. */
export const KS_EXACT_MAX_N = 10_000;

export interface KsTwoSampleResult {
  /** sup |F₁ − F₂|; with the exact method, the nearest multiple of 1/lcm(n₁, n₂) (as scipy reports it). */
  statistic: number;
  pValue: number;
  method: "exact" | "asymptotic";
  n1: number;
  n2: number;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * P(D ≥ h/n) for two samples of equal size n: 2 Σ (−1)^(k+1) C(2n, n − kh) / C(2n, n), each term
 * divided by C(2n, n) and nested Horner-style so nothing cancels (scipy's
 * _compute_prob_outside_square).
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D ≥ h/lcm) for sizes m ≠ n: the share of lattice paths from (0, 0) to (m, n) that leave the
 * band |x/m − y/n| < h/lcm, computed column by column as one minus the share that stays inside
 * (Hodges 1958), in the form that keeps every entry in [0, 1] (Viehmann 2021), as scipy's
 * _compute_outer_prob_inside_method.
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 < n0 ? [n0, m0] : [m0, n0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(Math.max(lenA, n + 1)).fill(1);
  for (let j = minj; j < maxj; j++) A[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) for (let jj = maxj - minj; jj < maxj - minj + (lastlen - curlen); jj++) A[jj] = 1;
  }
  return A[maxj - minj - 1]!;
}

/** sup over the pooled values of |F_a − F_b|, both empirical CDFs right-continuous. */
function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let max = 0;
  let min = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= value) i++;
    while (j < n2 && b[j]! <= value) j++;
    const diff = i / n1 - j / n2;
    if (diff > max) max = diff;
    if (diff < min) min = diff;
  }
  return Math.max(max, Math.min(-min, 1));
}

function sorted(values: ArrayLike<number>, what: string): Float64Array {
  const out = Float64Array.from(values);
  for (const v of out) if (!Number.isFinite(v)) throw new RangeError(`ksTwoSample: ${what} holds a value that is not a finite number`);
  return out.sort();
}

/** Two-sided two-sample Kolmogorov–Smirnov test (scipy's `ks_2samp`, method "auto"). */
export function ksTwoSample(first: ArrayLike<number>, second: ArrayLike<number>): KsTwoSampleResult {
  const a = sorted(first, "the first sample");
  const b = sorted(second, "the second sample");
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("ksTwoSample: both samples must hold at least one value");
  let d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: "exact", n1, n2 };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: d, pValue: p, method: "exact", n1, n2 };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const effective = roundHalfEven((m * n) / (m + n));
  const p = kolmogorovSmirnovSf(Math.max(1, effective), d);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: "asymptotic", n1, n2 };
}

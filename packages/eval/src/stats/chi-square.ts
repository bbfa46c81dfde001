import { logGamma } from "./special.ts";

/**
 * Pearson's chi-square test of independence on a contingency table, as scipy 1.10's
 * `stats.chi2_contingency(observed)` (its default `correction=True`: Yates' continuity correction
 * when the table has one degree of freedom), with the chi-square tail from the regularized upper
 * incomplete gamma function. Drift detection compares the category counts of a production sample
 * with a reference sample this way; checked against scipy in test/stats/drift-stats.test.ts.
 */

/** Series for P(a, x), good for x < a + 1 (Press et al., Numerical Recipes, 3rd ed., §6.2, `gser`). */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 100_000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Continued fraction for Q(a, x), good for x ≥ a + 1 (modified Lentz's method, Numerical Recipes `gcf`). */
function upperGammaFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) (scipy's `special.gammaincc`). */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`regularizedGammaQ: a must be positive, got ${a}`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x < a + 1) return Math.max(0, 1 - lowerGammaSeries(a, x));
  return upperGammaFraction(a, x);
}

/** P(X > x) for a chi-square variable with `df` degrees of freedom (scipy's `stats.chi2.sf`). */
export function chiSquareSf(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`chiSquareSf: df must be positive, got ${df}`);
  return regularizedGammaQ(df / 2, x / 2);
}

export interface ContingencyResult {
  /** Pearson's X², after Yates' correction when `corrected`. */
  statistic: number;
  pValue: number;
  /** (rows − 1)(columns − 1). */
  dof: number;
  /** Row total × column total / grand total, per cell. */
  expected: number[][];
  /** Yates' continuity correction was applied (one degree of freedom). */
  corrected: boolean;
}

/**
 * Chi-square test of independence of the rows and columns of `observed` (counts ≥ 0, at least
 * 2 × 2 for a test; no row or column may be all zeros, as scipy refuses a zero expected count).
 * A table with no degree of freedom gives X² = 0, p = 1, as scipy does.
 */
export function chiSquareContingency(observed: readonly (readonly number[])[], options: { correction?: boolean } = {}): ContingencyResult {
  const rows = observed.length;
  const columns = observed[0]?.length ?? 0;
  if (rows === 0 || columns === 0) throw new RangeError("chiSquareContingency: the table is empty");
  for (const row of observed) {
    if (row.length !== columns) throw new RangeError("chiSquareContingency: the rows differ in length");
    for (const v of row) if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError("chiSquareContingency: counts must be finite and ≥ 0");
  }
  const rowSums = observed.map((row) => row.reduce((s, v) => s + v, 0));
  const columnSums = Array.from({ length: columns }, (_, c) => observed.reduce((s, row) => s + row[c]!, 0));
  const total = rowSums.reduce((s, v) => s + v, 0);
  const expected = rowSums.map((r) => columnSums.map((c) => (r * c) / total));
  if (expected.some((row) => row.some((e) => !(e > 0))))
    throw new RangeError("chiSquareContingency: a row or column has no counts (an expected frequency is zero)");
  const dof = rows * columns - rows - columns + 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof, expected, corrected: false };
  const corrected = dof === 1 && options.correction !== false;
  let statistic = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const e = expected[r]![c]!;
      let o = observed[r]![c]!;
      if (corrected) {
        // Yates: move each count half a unit towards its expected value, never past it.
        const diff = e - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      statistic += ((o - e) * (o - e)) / e;
    }
  }
  return { statistic, pValue: chiSquareSf(statistic, dof), dof, expected, corrected };
}

import { normalSf, studentTQuantile, studentTSf } from "./special.ts";
import { wilsonInterval } from "./wilson.ts";

/**
 * Fixed-horizon statistics of two independent samples: valid when the sample size was fixed in
 * advance and the data is looked at once (an offline A/B log analysed after the fact, a PR
 * comparison). A rollout that is looked at repeatedly needs sequential.ts instead.
 */

export interface FixedDifference {
  /** Treatment − control. */
  estimate: number;
  low: number;
  high: number;
  /** Two-sided p-value for "no difference". */
  pValue: number;
}

function checkLevel(level: number, what: string): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`${what}: level must be in (0, 1), got ${level}`);
}

/**
 * Newcombe's hybrid score interval for p_t − p_c (R. G. Newcombe, "Interval estimation for the
 * difference between independent proportions", Statistics in Medicine 17 (1998), method 10), as
 * statsmodels' `confint_proportions_2indep(method="newcomb")`: the Wilson intervals of the two
 * proportions combined, so it stays inside [−1, 1] and behaves at 0 or n successes, where the
 * Wald interval collapses.
 */
export function newcombeDifferenceInterval(
  control: { successes: number; n: number },
  treatment: { successes: number; n: number },
  level = 0.95,
): { estimate: number; low: number; high: number } {
  checkLevel(level, "newcombeDifferenceInterval");
  const wt = wilsonInterval(treatment.successes, treatment.n, level);
  const wc = wilsonInterval(control.successes, control.n, level);
  const pt = treatment.n > 0 ? treatment.successes / treatment.n : Number.NaN;
  const pc = control.n > 0 ? control.successes / control.n : Number.NaN;
  if (treatment.n === 0 || control.n === 0) return { estimate: pt - pc, low: -1, high: 1 };
  const estimate = pt - pc;
  return {
    estimate,
    low: estimate - Math.hypot(pt - wt.low, wc.high - pc),
    high: estimate + Math.hypot(wt.high - pt, pc - wc.low),
  };
}

/**
 * Two-proportion z-test with the pooled variance under "no difference", two-sided (as statsmodels'
 * `proportions_ztest([x_t, x_c], [n_t, n_c])`). When the pooled rate is 0 or 1 the two samples are
 * identical in every outcome: no evidence of a difference, p = 1 (statsmodels returns NaN).
 */
export function twoProportionZTest(
  control: { successes: number; n: number },
  treatment: { successes: number; n: number },
): { z: number; pValue: number } {
  if (control.n === 0 || treatment.n === 0) return { z: 0, pValue: 1 };
  const pooled = (control.successes + treatment.successes) / (control.n + treatment.n);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (treatment.successes / treatment.n - control.successes / control.n) / se;
  return { z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/** Moments of a numeric sample: `variance` with the n − 1 denominator. */
export interface Moments {
  n: number;
  mean: number;
  variance: number;
}

/**
 * Student's t interval for one mean, mean ± t_{n−1} · s/√n (as statsmodels'
 * `DescrStatsW(x).tconfint_mean()`); the whole line with fewer than two values.
 */
export function tMeanInterval(sample: Moments, level = 0.95): { low: number; high: number } {
  checkLevel(level, "tMeanInterval");
  if (sample.n < 2) return { low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY };
  const half = studentTQuantile(1 - (1 - level) / 2, sample.n - 1) * Math.sqrt(sample.variance / sample.n);
  return { low: sample.mean - half, high: sample.mean + half };
}

/**
 * Welch's unequal-variance t interval and test for mean_t − mean_c, with the Welch–Satterthwaite
 * degrees of freedom (as statsmodels' `CompareMeans(...).tconfint_diff(usevar="unequal")` and
 * `ttest_ind(usevar="unequal")`). Unbounded, p = 1, with fewer than two values on a side.
 */
export function welchDifference(control: Moments, treatment: Moments, level = 0.95): FixedDifference & { df: number } {
  checkLevel(level, "welchDifference");
  const estimate = treatment.mean - control.mean;
  if (control.n < 2 || treatment.n < 2)
    return { estimate, low: Number.NEGATIVE_INFINITY, high: Number.POSITIVE_INFINITY, pValue: 1, df: Number.NaN };
  const vc = control.variance / control.n;
  const vt = treatment.variance / treatment.n;
  const se = Math.sqrt(vc + vt);
  if (se === 0) return { estimate, low: estimate, high: estimate, pValue: estimate === 0 ? 1 : 0, df: Number.NaN };
  const df = (vc + vt) ** 2 / (vc ** 2 / (control.n - 1) + vt ** 2 / (treatment.n - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, df) * se;
  const t = estimate / se;
  return { estimate, low: estimate - half, high: estimate + half, pValue: Math.min(1, 2 * studentTSf(Math.abs(t), df)), df };
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  createRng,
  DEFAULT_OPTIMIZE_AT,
  differenceConfidenceSequence,
  erfc,
  logBeta,
  logGamma,
  MIN_MEAN_SAMPLE,
  meanConfidenceSequence,
  mixtureRho,
  newcombeDifferenceInterval,
  normalSf,
  proportionConfidenceSequence,
  studentTQuantile,
  studentTSf,
  tMeanInterval,
  twoProportionZTest,
  welchDifference,
} from "../../src/stats/index.ts";

// Produced once by fixtures/stats/make_sequential_fixtures.py (scipy 1.10.1, statsmodels 0.13.5,
// mpmath 1.2.1); the sequence boundaries there come from the mixture martingales by numerical
// integration, Student's t from mpmath at 40 digits.
const reference = JSON.parse(readFileSync(new URL("../fixtures/stats/sequential.json", import.meta.url), "utf8")) as {
  gammaln: { x: number; value: number }[];
  normalSf: { z: number; value: number }[];
  erfc: { x: number; value: number }[];
  tQuantile: { p: number; df: number; value: number }[];
  tSf: { t: number; df: number; value: number }[];
  betaln: { a: number; b: number; value: number }[];
  newcombe: { treatment: [number, number]; control: [number, number]; level: number; low: number; high: number }[];
  ztest: { treatment: [number, number]; control: [number, number]; z: number; p: number }[];
  welch: {
    control: { n: number; mean: number; variance: number };
    treatment: { n: number; mean: number; variance: number };
    level: number;
    low: number;
    high: number;
    exact: [number, number];
    p: number;
    df: number;
    controlInterval: [number, number];
    treatmentInterval: [number, number];
  }[];
  betaBinomial: { successes: number; n: number; alpha: number; low: number; high: number }[];
  meanMixture: { n: number; sd: number; alpha: number; optimizeAt: number; rho: number; halfWidth: number }[];
  differenceMixture: { variance: number; mixingVariance: number; alpha: number; halfWidth: number }[];
};

function close(actual: number, expected: number, relative: number, absolute = 0): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(relative * Math.abs(expected) + absolute);
}

describe("log-gamma and log-beta (scipy.special.gammaln, mpmath)", () => {
  for (const { x, value } of reference.gammaln) {
    // Relative where the value is large; absolute near the zeros at 1 and 2.
    it(`x=${x}`, () => close(logGamma(x), value, 2e-15, 2e-15));
  }
  for (const { a, b, value } of reference.betaln) {
    // Relative to the size of the terms: B(5.5, 1e9) is where subtracting two ln Γ would lose digits.
    it(`ln B(${a}, ${b})`, () => close(logBeta(a, b), value, 2e-15, 2e-15));
  }
  it("refuses non-positive arguments", () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => logGamma(-1.5)).toThrow(RangeError);
  });
});

describe("normal tail and erfc (scipy.stats.norm.sf, scipy.special.erfc)", () => {
  // Far out (z = 20) two good erfc implementations differ by a few 1e-14 relative.
  for (const { z, value } of reference.normalSf) it(`sf(${z})`, () => close(normalSf(z), value, 1e-13, 1e-300));
  for (const { x, value } of reference.erfc) it(`erfc(${x})`, () => close(erfc(x), value, 1e-14, 1e-300));
});

describe("Student's t (mpmath, 40 digits)", () => {
  // With df in the hundred thousands the continued fraction runs for thousands of steps and keeps
  // about 12 digits; p-values and interval ends need far fewer.
  for (const { p, df, value } of reference.tQuantile) it(`ppf(${p}, df=${df})`, () => close(studentTQuantile(p, df), value, 1e-12));
  for (const { t, df, value } of reference.tSf) it(`sf(${t}, df=${df})`, () => close(studentTSf(t, df), value, 1e-11, 1e-300));
});

describe("fixed-horizon two-sample statistics (statsmodels)", () => {
  for (const { treatment, control, level, low, high } of reference.newcombe) {
    it(`Newcombe ${treatment[0]}/${treatment[1]} - ${control[0]}/${control[1]} at ${level}`, () => {
      const interval = newcombeDifferenceInterval(
        { successes: control[0], n: control[1] },
        { successes: treatment[0], n: treatment[1] },
        level,
      );
      close(interval.estimate, treatment[0] / treatment[1] - control[0] / control[1], 1e-15, 1e-16);
      close(interval.low, low, 1e-12, 1e-15);
      close(interval.high, high, 1e-12, 1e-15);
    });
  }
  it("Newcombe's own worked examples (1998, Table II, method 10), to the 4 decimals printed there", () => {
    const cases: [number, number, number, number, number, number][] = [
      [56, 70, 48, 80, 0.0524, 0.3339],
      [9, 10, 3, 10, 0.1705, 0.809],
      [5, 56, 0, 29, -0.0381, 0.1926],
      [0, 10, 0, 20, -0.1611, 0.2775],
      [10, 10, 0, 20, 0.6791, 1],
    ];
    for (const [xt, nt, xc, nc, low, high] of cases) {
      const interval = newcombeDifferenceInterval({ successes: xc, n: nc }, { successes: xt, n: nt });
      expect(interval.low).toBeCloseTo(low, 4);
      expect(interval.high).toBeCloseTo(high, 4);
    }
  });
  for (const { treatment, control, z, p } of reference.ztest) {
    it(`z-test ${treatment[0]}/${treatment[1]} vs ${control[0]}/${control[1]}`, () => {
      const result = twoProportionZTest({ successes: control[0], n: control[1] }, { successes: treatment[0], n: treatment[1] });
      close(result.z, z, 1e-12, 1e-15);
      close(result.pValue, p, 1e-11, 1e-300);
    });
  }
  it("z-test of two identical all-zero samples is p = 1, not NaN", () => {
    expect(twoProportionZTest({ successes: 0, n: 10 }, { successes: 0, n: 20 })).toEqual({ z: 0, pValue: 1 });
  });
  for (const [i, w] of reference.welch.entries()) {
    it(`Welch interval, p-value and t intervals, case ${i} (n ${w.control.n} vs ${w.treatment.n})`, () => {
      const result = welchDifference(w.control, w.treatment, w.level);
      // statsmodels goes through scipy's t.ppf, good to ~1e-9 relative; the exact ends use mpmath's quantile.
      close(result.low, w.low, 1e-8);
      close(result.high, w.high, 1e-8);
      close(result.low, w.exact[0], 1e-12);
      close(result.high, w.exact[1], 1e-12);
      close(result.df, w.df, 1e-12);
      close(result.pValue, w.p, 1e-10, 1e-300);
      const c = tMeanInterval(w.control, w.level);
      const t = tMeanInterval(w.treatment, w.level);
      close(c.low, w.controlInterval[0], 1e-8);
      close(c.high, w.controlInterval[1], 1e-8);
      close(t.low, w.treatmentInterval[0], 1e-8);
      close(t.high, w.treatmentInterval[1], 1e-8);
    });
  }
  it("Welch and t intervals are unbounded with fewer than two values", () => {
    expect(welchDifference({ n: 1, mean: 1, variance: 0 }, { n: 5, mean: 2, variance: 1 }).low).toBe(Number.NEGATIVE_INFINITY);
    expect(tMeanInterval({ n: 1, mean: 1, variance: 0 }).high).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("beta-binomial mixture confidence sequence (betaln + brentq on the martingale)", () => {
  for (const { successes, n, alpha, low, high } of reference.betaBinomial) {
    it(`${successes}/${n} at alpha ${alpha}`, () => {
      const interval = proportionConfidenceSequence(successes, n, alpha);
      close(interval.low, low, 1e-9, 1e-300);
      close(interval.high, high, 1e-9, 1e-300);
      // Conservative rounding: never narrower than the exact set by more than rounding.
      expect(interval.low).toBeLessThanOrEqual(low * (1 + 1e-12));
      expect(interval.high).toBeGreaterThanOrEqual(high * (1 - 1e-12));
    });
  }
  it("is the closed form (α B(n + 1/2, 1/2) / B(1/2, 1/2))^(1/n) at its lower end when every trial succeeds", () => {
    // M_n(p) = B(n + 1/2, 1/2) / B(1/2, 1/2) / p^n = 1/α; B(n+1/2, 1/2)/B(1/2,1/2) = Γ(n+1/2)/(Γ(1/2) Γ(n+1)) = C(2n, n)/4^n.
    for (const n of [1, 4, 20]) {
      let central = 1;
      for (let k = 1; k <= n; k++) central *= (n + k) / k / 4;
      close(proportionConfidenceSequence(n, n, 0.05).low, (0.05 * central) ** (1 / n), 1e-10);
    }
  });
  it("is [0, 1] with no trials and refuses impossible counts", () => {
    expect(proportionConfidenceSequence(0, 0, 0.05)).toEqual({ low: 0, high: 1 });
    expect(() => proportionConfidenceSequence(3, 2, 0.05)).toThrow(RangeError);
    expect(() => proportionConfidenceSequence(1, 2, 0)).toThrow(RangeError);
  });
  it("covers the true rate at every look in at least 1 - alpha of simulated runs", () => {
    // An exact sequence: the miss rate must be below alpha up to simulation error. 400 runs of
    // 4,000 Bernoulli(0.02) trials, looked at every 100; the bound allows 3 binomial sds over 0.05.
    const random = createRng(11);
    let missed = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) {
      let s = 0;
      for (let t = 1; t <= 4000; t++) {
        if (random() < 0.02) s++;
        if (t % 100 === 0) {
          const { low, high } = proportionConfidenceSequence(s, t, 0.05);
          if (low > 0.02 || high < 0.02) {
            missed++;
            break;
          }
        }
      }
    }
    expect(missed / runs).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / runs));
  });
});

describe("normal-mixture confidence sequences", () => {
  // Below MIN_MEAN_SAMPLE the interval is deliberately the whole line (next test); the formula holds above.
  for (const { n, sd, alpha, optimizeAt, rho, halfWidth } of reference.meanMixture.filter((r) => r.n >= MIN_MEAN_SAMPLE)) {
    it(`mean: n=${n}, sd=${sd}, alpha=${alpha}, n*=${optimizeAt} is the Waudby-Smith et al. mixture boundary`, () => {
      close(mixtureRho(alpha, optimizeAt), rho, 1e-14);
      const interval = meanConfidenceSequence({ n, mean: 3, variance: sd * sd }, alpha, { optimizeAt });
      close(3 - interval.low, halfWidth, 1e-9);
      close(interval.high - 3, halfWidth, 1e-9);
    });
  }
  it("mean: is unbounded below MIN_MEAN_SAMPLE observations, where the plug-in sd cannot be trusted", () => {
    expect(MIN_MEAN_SAMPLE).toBe(30);
    for (const n of [1, 2, MIN_MEAN_SAMPLE - 1]) {
      expect(meanConfidenceSequence({ n, mean: 3, variance: 0 }, 0.05)).toEqual({
        low: Number.NEGATIVE_INFINITY,
        high: Number.POSITIVE_INFINITY,
      });
    }
    expect(Number.isFinite(meanConfidenceSequence({ n: MIN_MEAN_SAMPLE, mean: 3, variance: 1 }, 0.05).low)).toBe(true);
  });
  for (const { variance, mixingVariance, alpha, halfWidth } of reference.differenceMixture) {
    it(`difference: V=${variance}, tau2=${mixingVariance}, alpha=${alpha} is the Johari et al. mixture boundary`, () => {
      // Two mean samples whose estimate has variance V: var_c/n_c + var_t/n_t = V/2 + V/2.
      const control = { kind: "mean" as const, n: 100, mean: 1, variance: 50 * variance };
      const treatment = { kind: "mean" as const, n: 400, mean: 1.5, variance: 200 * variance };
      const sequence = differenceConfidenceSequence(control, treatment, alpha, { mixingVariance });
      close(sequence.variance, variance, 1e-14);
      close(sequence.estimate, 0.5, 1e-15);
      close(sequence.estimate - sequence.low, halfWidth, 1e-9);
      close(sequence.high - sequence.estimate, halfWidth, 1e-9);
    });
  }
  it("difference: by default it is the one-sample boundary on the estimate with sd² = N·V, tightest at optimizeAt", () => {
    const control = { kind: "proportion" as const, n: 9000, successes: 8100 };
    const treatment = { kind: "proportion" as const, n: 1000, successes: 870 };
    const sequence = differenceConfidenceSequence(control, treatment, 0.05);
    const total = 10_000;
    // Per variant p̃(1 − p̃), p̃ = (S + 1/2)/(n + 1), floored at the pooled one (documented in unitVariances).
    const smoothed = (s: number, n: number) => ((s + 0.5) / (n + 1)) * (1 - (s + 0.5) / (n + 1));
    const pooled = smoothed(8970, 10_000);
    expect(pooled).toBeGreaterThan(smoothed(8100, 9000)); // the control's variance is the floor here
    const v = Math.max(pooled, smoothed(8100, 9000)) / 9000 + Math.max(pooled, smoothed(870, 1000)) / 1000;
    const oneSample = meanConfidenceSequence({ n: total, mean: 0, variance: total * v }, 0.05, { optimizeAt: DEFAULT_OPTIMIZE_AT });
    close(sequence.high - sequence.estimate, oneSample.high, 1e-12);
    // The boundary's half-width times sqrt(n) is smallest near n = optimizeAt (Waudby-Smith et al.).
    const scaled = (n: number) => meanConfidenceSequence({ n, mean: 0, variance: 1 }, 0.05, { optimizeAt: 10_000 }).high * Math.sqrt(n);
    expect(scaled(10_000)).toBeLessThan(scaled(3_000));
    expect(scaled(10_000)).toBeLessThan(scaled(30_000));
  });
  it("difference: a proportion arm with no events yet still has spread (Jeffreys-smoothed variance)", () => {
    const sequence = differenceConfidenceSequence(
      { kind: "proportion", n: 900, successes: 9 },
      { kind: "proportion", n: 10, successes: 0 },
      0.05,
    );
    expect(sequence.high - sequence.low).toBeGreaterThan(0.05);
  });
  it("difference: a difference of proportions is cut to [-1, 1], a difference of means is not", () => {
    const proportions = differenceConfidenceSequence(
      { kind: "proportion", n: 2, successes: 1 },
      { kind: "proportion", n: 3, successes: 1 },
      0.05,
    );
    expect([proportions.low, proportions.high]).toEqual([-1, 1]);
    const means = differenceConfidenceSequence(
      { kind: "mean", n: 2, mean: 0, variance: 1 },
      { kind: "mean", n: 3, mean: 0, variance: 1 },
      0.05,
    );
    expect(means.high).toBeGreaterThan(1);
  });
  it("difference: refuses mixed kinds", () => {
    expect(() =>
      differenceConfidenceSequence({ kind: "proportion", n: 10, successes: 1 }, { kind: "mean", n: 10, mean: 1, variance: 1 }, 0.05),
    ).toThrow(RangeError);
  });
});

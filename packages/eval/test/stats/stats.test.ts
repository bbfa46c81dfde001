import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  binomialCdfHalf,
  bootstrapMeanInterval,
  bootstrapStatisticInterval,
  createRng,
  holmAdjust,
  mcnemarExact,
  mean,
  normalQuantile,
  pairedBootstrapInterval,
  pairedBootstrapStatistic,
  quantileSorted,
  sampleSd,
  wilsonInterval,
} from "../../src/stats/index.ts";

// Produced once by fixtures/stats/make_fixtures.py (scipy 1.10.1, statsmodels 0.13.5); see its header.
const reference = JSON.parse(readFileSync(new URL("../fixtures/stats/reference.json", import.meta.url), "utf8")) as {
  mcnemar: { b: number; c: number; p: number }[];
  binomial: { k: number; n: number; cdf: number; twoSided: number }[];
  wilson: { successes: number; n: number; level: number; low: number; high: number }[];
  holm: { p: number[]; adjusted: number[] }[];
  bootstrap: {
    baseline: number[];
    head: number[];
    resamples: number;
    level: number;
    meanInterval: [number, number];
    medianInterval: [number, number];
    pairedDeltaInterval: [number, number];
  };
};

function close(actual: number, expected: number, relative = 1e-9, absolute = 1e-300): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected) + absolute);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

describe("McNemar exact test (statsmodels mcnemar(exact=True))", () => {
  for (const { b, c, p } of reference.mcnemar) {
    it(`b=${b}, c=${c}`, () => close(mcnemarExact(b, c), p));
  }
  it("refuses negative or fractional counts", () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 2)).toThrow(RangeError);
  });
});

describe("binomial tail at p=1/2 (scipy.stats.binom / binomtest)", () => {
  for (const { k, n, cdf, twoSided } of reference.binomial) {
    it(`P(X <= ${k}), n=${n}`, () => {
      close(binomialCdfHalf(k, n), cdf, 1e-9);
      // McNemar is the two-sided binomial test on the discordant pairs.
      close(mcnemarExact(k, n - k), twoSided, 1e-9);
    });
  }
});

describe("Wilson interval (statsmodels proportion_confint(method='wilson'))", () => {
  for (const { successes, n, level, low, high } of reference.wilson) {
    it(`${successes}/${n} at ${level}`, () => {
      const interval = wilsonInterval(successes, n, level);
      // statsmodels leaves rounding noise (~1e-17) where the exact bound is 0 or 1; we clamp it.
      close(interval.low, low, 1e-12, 1e-15);
      close(interval.high, high, 1e-12, 1e-15);
    });
  }
  it("is the whole unit interval with no trials", () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
  it("refuses impossible counts", () => {
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
  });
});

describe("Holm adjustment (statsmodels multipletests(method='holm'))", () => {
  for (const { p, adjusted } of reference.holm) {
    it(`[${p.join(", ")}]`, () => {
      const ours = holmAdjust(p);
      expect(ours).toHaveLength(adjusted.length);
      ours.forEach((value, i) => {
        close(value, adjusted[i] as number, 1e-12);
      });
    });
  }
  it("is empty for no p-values", () => expect(holmAdjust([])).toEqual([]));
});

describe("normal quantile", () => {
  it("matches well-known critical values", () => {
    close(normalQuantile(0.975), 1.959963984540054, 1e-14);
    close(normalQuantile(0.995), 2.5758293035489004, 1e-14);
    close(normalQuantile(0.5), 0, 1e-14);
    close(normalQuantile(1e-10), -6.361340902404056, 1e-12);
  });
});

describe("mean and sample sd", () => {
  it("match textbook values", () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    close(sampleSd([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7), 1e-14);
    expect(Number.isNaN(mean([]))).toBe(true);
    expect(sampleSd([3])).toBe(0);
  });
});

describe("RNG", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });
  it("is roughly uniform on [0, 1)", () => {
    const random = createRng(1);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = random();
      expect(x >= 0 && x < 1).toBe(true);
      bins[Math.floor(x * 10)]++;
    }
    for (const count of bins) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});

describe("bootstrap intervals", () => {
  const { baseline, head, resamples, level } = reference.bootstrap;

  it("mean interval agrees with scipy's percentile bootstrap within Monte Carlo error", () => {
    const interval = bootstrapMeanInterval(baseline, { resamples, level, seed: 3 });
    expect(Math.abs(interval.low - reference.bootstrap.meanInterval[0])).toBeLessThan(0.01);
    expect(Math.abs(interval.high - reference.bootstrap.meanInterval[1])).toBeLessThan(0.01);
  });

  it("statistic interval (median) agrees with scipy within Monte Carlo error", () => {
    const interval = bootstrapStatisticInterval(baseline, median, { resamples: 2000, level, seed: 3 });
    expect(Math.abs(interval.low - reference.bootstrap.medianInterval[0])).toBeLessThan(0.015);
    expect(Math.abs(interval.high - reference.bootstrap.medianInterval[1])).toBeLessThan(0.015);
  });

  it("paired delta interval agrees with scipy's paired bootstrap", () => {
    const result = pairedBootstrapInterval(baseline, head, { resamples, level, seed: 3 });
    close(result.delta, mean(head) - mean(baseline), 1e-9);
    expect(Math.abs(result.low - reference.bootstrap.pairedDeltaInterval[0])).toBeLessThan(0.003);
    expect(Math.abs(result.high - reference.bootstrap.pairedDeltaInterval[1])).toBeLessThan(0.003);
    // The interval is far from 0, so the p-value is at its floor.
    expect(result.pValue).toBeLessThan(0.001);
  });

  it("the generic paired statistic equals the numeric paired mean for the same seed", () => {
    const pairs = baseline.map((b, i) => [b, head[i] as number] as const);
    const generic = pairedBootstrapStatistic(pairs, (s) => mean(s.map((p) => p[1])) - mean(s.map((p) => p[0])), {
      resamples: 2000,
      seed: 9,
    });
    const numeric = pairedBootstrapInterval(baseline, head, { resamples: 2000, seed: 9 });
    close(generic.delta, numeric.delta, 1e-12);
    close(generic.low, numeric.low, 1e-9);
    close(generic.high, numeric.high, 1e-9);
    expect(generic.pValue).toBe(numeric.pValue);
  });

  it("is deterministic for a seed", () => {
    expect(bootstrapMeanInterval(baseline, { seed: 11, resamples: 500 })).toEqual(
      bootstrapMeanInterval(baseline, { seed: 11, resamples: 500 }),
    );
    expect(pairedBootstrapInterval(baseline, head, { seed: 11, resamples: 500 })).toEqual(
      pairedBootstrapInterval(baseline, head, { seed: 11, resamples: 500 }),
    );
    expect(bootstrapMeanInterval(baseline, { seed: 11, resamples: 500 })).not.toEqual(
      bootstrapMeanInterval(baseline, { seed: 12, resamples: 500 }),
    );
  });

  it("paired interval is narrower than the unpaired one for correlated data", () => {
    const paired = pairedBootstrapInterval(baseline, head, { resamples: 2000 });
    // Unpaired: resample each side independently and take the difference of means.
    const random = createRng(5);
    const n = baseline.length;
    const deltas: number[] = [];
    for (let r = 0; r < 2000; r++) {
      let sb = 0;
      let sh = 0;
      for (let i = 0; i < n; i++) sb += baseline[Math.floor(random() * n)] as number;
      for (let i = 0; i < n; i++) sh += head[Math.floor(random() * n)] as number;
      deltas.push((sh - sb) / n);
    }
    deltas.sort((a, b) => a - b);
    const unpairedWidth = (deltas[1949] as number) - (deltas[49] as number);
    expect(paired.high - paired.low).toBeLessThan(unpairedWidth / 2);
  });

  it("a 95% interval covers the true mean in 95% of 2000 seeded simulations, within 3 Monte Carlo standard errors", () => {
    // Normal(0, 1) samples of n = 100. The percentile interval is x̄ ± z·σ̂/√n with the plug-in σ̂,
    // so its exact coverage is P(|T₉₉| ≤ 1.96·√0.99) ≈ 0.946: inside the band below, while a 90%
    // interval reported as 95% (coverage ≈ 0.90) is 3 standard errors outside it several times over.
    const trials = 2000;
    const tolerance = 3 * Math.sqrt((0.95 * 0.05) / trials); // ≈ 0.0146
    const random = createRng(7919);
    const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()); // Box–Muller
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const sample = Array.from({ length: 100 }, normal);
      const { low, high } = bootstrapMeanInterval(sample, { resamples: 1000, seed: 100_000 + t });
      if (low <= 0 && 0 <= high) covered++;
    }
    expect(Math.abs(covered / trials - 0.95)).toBeLessThanOrEqual(tolerance);
  });

  it("takes the interval's ends by numpy's default percentile rule (linear interpolation)", () => {
    // numpy's method='linear' (Hyndman & Fan type 7): with the n values sorted, the q-quantile is
    // x[⌊h⌋] + (h - ⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋]) where h = (n - 1)q. Reference values from
    //   python3 -c 'import numpy as np; print(np.percentile([3,1,4,1,5,9,2,6], [0,2.5,10,25,50,75,97.5,100]))'
    //   python3 -c 'import numpy as np; v=[.7,.1,.45,.3,.9,.2,.65,.5,.85,.35]; print(np.percentile(v,[2.5,97.5]), np.percentile(v,[5,95]))'
    // (numpy 2.4.6), and by hand from the formula, e.g. 97.5% of the first: h = 6.825 → 6 + 0.825·(9 - 6) = 8.475.
    const sorted = [3, 1, 4, 1, 5, 9, 2, 6].sort((a, b) => a - b);
    const expected = [1, 1, 1, 1.75, 3.5, 5.25, 8.475, 9];
    for (const [i, q] of [0, 0.025, 0.1, 0.25, 0.5, 0.75, 0.975, 1].entries()) close(quantileSorted(sorted, q), expected[i]!, 1e-12);
    // The bootstrap distribution here is fixed (the "statistic" ignores its resample), so the interval
    // is exactly the 2.5th and 97.5th (or 5th and 95th) percentiles of these ten values.
    const values = [0.7, 0.1, 0.45, 0.3, 0.9, 0.2, 0.65, 0.5, 0.85, 0.35];
    const fixed = () => {
      let call = 0;
      return () => values[call++ % values.length]!;
    };
    const at95 = bootstrapStatisticInterval([0], fixed(), { resamples: values.length, level: 0.95 });
    close(at95.low, 0.1225, 1e-12);
    close(at95.high, 0.88875, 1e-12);
    const at90 = bootstrapStatisticInterval([0], fixed(), { resamples: values.length, level: 0.9 });
    close(at90.low, 0.145, 1e-12);
    close(at90.high, 0.8775, 1e-12);
  });

  it("p-value is 1 when head equals baseline, and stays in (0, 1]", () => {
    expect(pairedBootstrapInterval([0.1, 0.5, 0.9], [0.1, 0.5, 0.9]).pValue).toBe(1);
    const r = pairedBootstrapInterval([0, 1, 0, 1], [1, 1, 0, 0], { resamples: 999 });
    expect(r.pValue).toBeGreaterThan(0);
    expect(r.pValue).toBeLessThanOrEqual(1);
  });

  it("p-value falls below alpha roughly when the interval excludes zero", () => {
    const random = createRng(3);
    const b = Array.from({ length: 100 }, () => (random() < 0.7 ? 1 : 0));
    const h = b.map((x) => (random() < 0.15 ? 1 - x : x));
    const r = pairedBootstrapInterval(b, h, { resamples: 4000 });
    const excludesZero = r.low > 0 || r.high < 0;
    if (excludesZero) expect(r.pValue).toBeLessThan(0.06);
    else expect(r.pValue).toBeGreaterThan(0.04);
  });

  it("refuses empty input and mismatched lengths", () => {
    expect(() => bootstrapMeanInterval([])).toThrow(RangeError);
    expect(() => pairedBootstrapInterval([1], [1, 2])).toThrow(RangeError);
  });
});

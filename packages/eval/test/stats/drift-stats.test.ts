import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  chiSquareContingency,
  chiSquareSf,
  kolmogorovSmirnovSf,
  ksTwoSample,
  regularizedGammaQ,
  smirnovSf,
} from "../../src/stats/index.ts";

// Produced once by fixtures/stats/make_drift_fixtures.py (scipy 1.10.1, numpy 1.24.2); see its header.
const fixture = JSON.parse(readFileSync(new URL("../fixtures/stats/drift.json", import.meta.url), "utf8")) as {
  kstwoSf: { n: number; x: number; sf: number }[];
  smirnov: { n: number; x: number; sf: number }[];
  ks2samp: { name: string; a: number[]; b: number[]; statistic: number; pvalue: number }[];
  gammaincc: { a: number; x: number; value: number }[];
  chi2Sf: { x: number; df: number; value: number }[];
  chi2Contingency: { table: number[][]; statistic: number; pvalue: number; dof: number; expected: number[][] }[];
};

/** |actual − expected| ≤ relative·|expected| + absolute, with the values in the message. */
function close(actual: number, expected: number, relative: number, absolute = 0, what = ""): void {
  const ok = Math.abs(actual - expected) <= relative * Math.abs(expected) + absolute;
  expect(ok, `${what}: got ${actual}, scipy ${expected}`).toBe(true);
}

describe("kolmogorovSmirnovSf (scipy's kstwo.sf)", () => {
  // The methods are the ones scipy picks for each (n, x), computed in double precision where scipy
  // uses double-double (smirnov) or long double (rescaling): 1e-9 relative covers the rounding of
  // sums of up to 10^5 terms; the absolute 1e-14 covers tails below that, where only their
  // smallness matters (a p-value of 1e-20 is "drift" at any alpha).
  it.each(fixture.kstwoSf.map((c) => [c.n, c.x, c.sf] as const))("n = %d, x = %f", (n, x, sf) => {
    close(kolmogorovSmirnovSf(n, x), sf, 1e-9, 1e-14, `kstwo.sf(${x}, ${n})`);
  });

  it("matches scipy's one-sided smirnov", () => {
    for (const c of fixture.smirnov) close(smirnovSf(c.n, c.x), c.sf, 1e-9, 1e-300, `smirnov(${c.n}, ${c.x})`);
  });

  it("refuses a non-integer n", () => {
    expect(() => kolmogorovSmirnovSf(2.5, 0.1)).toThrow(RangeError);
  });
});

describe("ksTwoSample (scipy's ks_2samp, method auto)", () => {
  it.each(fixture.ks2samp.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const result = ksTwoSample(c.a, c.b);
    // The statistic is a difference of two counts over sizes: exact up to one rounding.
    close(result.statistic, c.statistic, 1e-14, 1e-16, "statistic");
    expect(result.method).toBe(Math.max(c.a.length, c.b.length) <= 10_000 ? "exact" : "asymptotic");
    // Exact p-values are the same recurrences in the same order (rounding only); asymptotic ones
    // go through kstwo.sf above, hence its tolerance.
    close(result.pValue, c.pvalue, 1e-9, 1e-14, "p-value");
  });

  it("is symmetric in its samples and refuses empty or non-finite ones", () => {
    const c = fixture.ks2samp.find((k) => k.name === "unequal, shift")!;
    expect(ksTwoSample(c.b, c.a)).toMatchObject({ statistic: ksTwoSample(c.a, c.b).statistic, pValue: ksTwoSample(c.a, c.b).pValue });
    expect(() => ksTwoSample([], [1])).toThrow(RangeError);
    expect(() => ksTwoSample([1, Number.NaN], [1])).toThrow(RangeError);
  });
});

describe("chi-square", () => {
  // Series and continued fraction to a relative 1e-16 per step, and ln Γ to about 1e-15: the
  // results agree with scipy's cephes igamc to 1e-12 relative, far inside any decision.
  it("regularizedGammaQ matches scipy's gammaincc", () => {
    for (const c of fixture.gammaincc) close(regularizedGammaQ(c.a, c.x), c.value, 1e-12, 1e-300, `gammaincc(${c.a}, ${c.x})`);
  });

  it("chiSquareSf matches scipy's chi2.sf", () => {
    for (const c of fixture.chi2Sf) close(chiSquareSf(c.x, c.df), c.value, 1e-12, 1e-300, `chi2.sf(${c.x}, ${c.df})`);
  });

  it.each(fixture.chi2Contingency.map((c) => [JSON.stringify(c.table), c] as const))("chi2_contingency(%s)", (_, c) => {
    const result = chiSquareContingency(c.table);
    expect(result.dof).toBe(c.dof);
    expect(result.corrected).toBe(c.dof === 1);
    close(result.statistic, c.statistic, 1e-12, 1e-13, "statistic");
    close(result.pValue, c.pvalue, 1e-11, 1e-300, "p-value");
    for (const [r, row] of result.expected.entries())
      for (const [k, e] of row.entries()) close(e, c.expected[r]![k]!, 1e-14, 0, "expected");
  });

  it("refuses a table with an empty row or column, and gives p = 1 without a degree of freedom", () => {
    expect(() =>
      chiSquareContingency([
        [0, 0],
        [1, 2],
      ]),
    ).toThrow(/no counts/);
    expect(chiSquareContingency([[3], [4]])).toMatchObject({ statistic: 0, pValue: 1, dof: 0 });
  });
});

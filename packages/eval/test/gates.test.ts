import { type MetricComparison, type MetricSummary, resolveCompareSettings } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { evaluateRegressionGates } from "../src/compare/gates.ts";
import { atLeast, atMost, evaluateGates, GATE_TOLERANCE, type GateData, gateFailures } from "../src/gates.ts";

const metric = (name: string, mean: number, n = 10): MetricSummary => ({
  name,
  kind: "mean",
  n,
  mean,
  sd: 0,
  ci: { low: mean, high: mean, level: 0.95, method: "none" },
  higherIsBetter: true,
});

const data: GateData = {
  metricsFor(filter) {
    if (filter.lang === "en") return [metric("exact", 0.9), metric("error_rate", 0)];
    if (filter.lang === "de") return [metric("exact", 0.6), metric("error_rate", 0.1)];
    if (filter.lang === "fr") return [metric("exact", 0.7999999999999999)];
    if (Object.keys(filter).length === 0) return [metric("exact", 0.8), metric("error_rate", 0.04), metric("latency_ms", 0, 0)];
    return [];
  },
  sliceValues: (key) => (key === "lang" ? ["de", "en", "fr"] : []),
};

describe("evaluateGates", () => {
  it("checks absolute min and max bounds, with float tolerance", () => {
    const results = evaluateGates(
      [
        { metric: "exact", min: 0.8 },
        { metric: "error_rate", max: 0.05 },
        { metric: "error_rate", max: 0.01 },
      ],
      data,
    );
    expect(results.map((r) => [r.description, r.actual, r.passed])).toEqual([
      ["exact >= 0.8", 0.8, true],
      ["error_rate <= 0.05", 0.04, true],
      ["error_rate <= 0.01", 0.04, false],
    ]);
    expect(results[2]!.reason).toBe("error_rate is 0.04, expected <= 0.01");
    expect(gateFailures(results)).toEqual(["error_rate is 0.04, expected <= 0.01"]);
  });

  it("checks a named slice and each slice of a key", () => {
    const [de] = evaluateGates([{ metric: "exact", min: 0.7, slice: { lang: "de" } }], data);
    expect(de).toMatchObject({ description: "exact >= 0.7 on lang=de", slice: "lang=de", actual: 0.6, passed: false });
    const each = evaluateGates([{ metric: "exact", min: 0.8, eachSlice: "lang" }], data);
    // 0.7999999999999999 is 0.8 up to float error: it passes.
    expect(each.map((g) => [g.slice, g.passed])).toEqual([
      ["lang=de", false],
      ["lang=en", true],
      ["lang=fr", true],
    ]);
  });

  it("checks the max gap between slices (fairness)", () => {
    const [gap] = evaluateGates([{ metric: "exact", maxGap: 0.2, across: "lang" }], data);
    expect(gap!.passed).toBe(false);
    expect(gap!.actual).toBeCloseTo(0.3, 12);
    expect(gap!.reason).toBe("exact gap across lang is 0.3 (lang=en 0.9 vs lang=de 0.6), expected <= 0.2");
    const [ok] = evaluateGates([{ metric: "exact", maxGap: 0.35, across: "lang" }], data);
    expect(ok!.passed).toBe(true);
  });

  it("fails a gate on a metric that has no values, saying so", () => {
    const results = evaluateGates(
      [
        { metric: "bleu", min: 0.3 },
        { metric: "latency_ms", max: 500 },
        { metric: "exact", min: 0.5, slice: { lang: "xx" } },
        { metric: "exact", maxGap: 0.1, across: "region" },
      ],
      data,
    );
    expect(results.map((r) => [r.passed, r.actual, r.reason])).toEqual([
      [false, null, "no values for bleu"],
      [false, null, "no values for latency_ms"],
      [false, null, "no values for exact on lang=xx"],
      [false, null, "exact gap across region needs at least two slices with values, found 0"],
    ]);
  });
});

describe("one tolerance for every gate", () => {
  it("forgives float rounding, up to GATE_TOLERANCE of the threshold's size (absolute below 1), and nothing more", () => {
    expect(GATE_TOLERANCE).toBe(1e-9);
    // [value, threshold, atLeast, atMost]
    const cases: [number, number, boolean, boolean][] = [
      [0.1 + 0.7, 0.8, true, true], // 0.7999999999999999
      [0.8 - 0.5, 0.3, true, true], // 0.30000000000000004
      [0.9 - 0.5e-9, 0.9, true, true],
      [0.9 + 0.5e-9, 0.9, true, true],
      [0.9 - 2e-9, 0.9, false, true],
      [0.9 + 2e-9, 0.9, true, false],
      [0.5e-9, 0, true, true], // a zero threshold: absolute
      [2e-9, 0, true, false],
      [1500 + 1e-6, 1500, true, true], // 1e-9 × 1500 = 1.5e-6
      [1500 + 2e-6, 1500, true, false],
      [1500 - 2e-6, 1500, false, true],
      [-0.2 - 2e-9, -0.2, false, true],
    ];
    for (const [value, threshold, least, most] of cases) {
      expect([value, threshold, atLeast(value, threshold), atMost(value, threshold)]).toEqual([value, threshold, least, most]);
    }
  });

  it("applies the same boundary to a suite's gates and to compare's regression gates", () => {
    const at = (mean: number) => ({ metricsFor: () => [metric("exact", mean)], sliceValues: () => [] });
    const min = [{ metric: "exact", min: 0.9 }];
    expect(evaluateGates(min, at(0.9 - 0.5e-9))[0]?.passed).toBe(true);
    expect(evaluateGates(min, at(0.9 - 2e-9))[0]?.passed).toBe(false);

    const comparison = (baseline: number, head: number): MetricComparison => ({
      name: "exact",
      kind: "rate",
      higherIsBetter: true,
      n: 10,
      baseline,
      head,
      delta: head - baseline,
      relativeDelta: null,
      ci: { low: 0, high: 0, level: 0.95, method: "none" },
      test: "none",
      pValue: 1,
      pAdjusted: 1,
      verdict: "no significant change",
    });
    const settings = resolveCompareSettings({ gates: { exact: { maxDrop: 0.3, maxRelativeDrop: 0.375 } } }, "s");
    // 0.8 − 0.5 is 0.30000000000000004, and that / 0.8 is 0.37500000000000006: both on the threshold.
    expect(evaluateRegressionGates([comparison(0.8, 0.5)], settings, "s").map((g) => g.passed)).toEqual([true, true]);
    // Within the tolerance of the suite gates above (compare once used 1e-12 here and failed this).
    expect(evaluateRegressionGates([comparison(0.8, 0.5 - 0.5e-9)], settings, "s").map((g) => g.passed)).toEqual([true, true]);
    expect(evaluateRegressionGates([comparison(0.8, 0.5 - 2e-9)], settings, "s").map((g) => g.passed)).toEqual([false, false]);
  });
});

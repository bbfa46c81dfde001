import type { GateConfig } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { aggregate, BUILTIN_METRICS, summarizeMetrics } from "../../src/aggregate/aggregate.ts";
import { ResultColumns } from "../../src/aggregate/columns.ts";
import {
  bootstrapQuantileInterval,
  PERCENTILE_METRICS,
  pairedBootstrapQuantileDifference,
  percentileOf,
} from "../../src/aggregate/percentiles.ts";
import { evaluateGates } from "../../src/gates.ts";
import { createRng, quantileSorted } from "../../src/stats/index.ts";
import { row } from "./rows.ts";

// Percentiles are numpy's default (method "linear", Hyndman & Fan type 7): sorted ascending,
// h = (n − 1)·q, value x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). Reference values:
//   /usr/bin/python3 -c 'import numpy as np; a=[120,80,200,95,150,60]; print(np.percentile(a,[50,95]), np.mean(a), np.std(a,ddof=1))'
//   -> [107.5 187.5] 117.5 51.161508969145935
//   /usr/bin/python3 -c 'import numpy as np; print(np.mean([40,50,25,30]))'  -> 36.25
// By hand: sorted [60, 80, 95, 120, 150, 200]; p50: h = 2.5 → 95 + 0.5·25 = 107.5;
// p95: h = 4.75 → 150 + 0.75·50 = 187.5; mean 705 / 6 = 117.5.
const TTFT = [120, 80, 200, 95, 150, 60];
const TPS = [40, 50, 25, null, 30, null];

function streamedRows() {
  return [
    ...TTFT.map((ttftMs, index) => row({ index, latencyMs: 300, ttftMs, tokensPerSecond: TPS[index] ?? null })),
    // A failed call's timing says nothing about the model: left out, as latency is.
    row({ index: 6, error: "HTTP 500", pass: false, latencyMs: 0, ttftMs: 5, tokensPerSecond: 1000 }),
    // A case that was not streamed (a cached or non-streaming provider) has none.
    row({ index: 7, latencyMs: 300 }),
  ];
}

describe("streaming metrics in the run summary", () => {
  const metrics = summarizeMetrics(streamedRows(), { scorers: [] });
  const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));

  it("adds ttft_ms, its p50/p95 and tokens_per_second after the other built-in metrics", () => {
    expect(metrics.map((m) => m.name)).toEqual([
      "pass_rate",
      "error_rate",
      "latency_ms",
      "ttft_ms",
      "ttft_ms_p50",
      "ttft_ms_p95",
      "tokens_per_second",
    ]);
    for (const name of ["ttft_ms", "ttft_ms_p50", "ttft_ms_p95", "tokens_per_second"]) {
      expect(BUILTIN_METRICS as readonly string[]).toContain(name);
    }
  });

  it("ttft_ms is a lower-is-better mean over the successful streamed rows, with a bootstrap interval", () => {
    expect(byName.ttft_ms).toMatchObject({ kind: "mean", n: 6, higherIsBetter: false });
    expect(byName.ttft_ms!.mean).toBeCloseTo(117.5, 12);
    expect(byName.ttft_ms!.sd).toBeCloseTo(51.161508969145935, 10);
    expect(byName.ttft_ms!.ci.method).toBe("bootstrap");
    expect(byName.ttft_ms!.ci.low).toBeLessThan(117.5);
    expect(byName.ttft_ms!.ci.high).toBeGreaterThan(117.5);
    expect(byName.ttft_ms!.ci.low).toBeGreaterThanOrEqual(60);
    expect(byName.ttft_ms!.ci.high).toBeLessThanOrEqual(200);
  });

  it("ttft_ms_p50 and ttft_ms_p95 are numpy's linear percentiles, kind corpus", () => {
    expect(byName.ttft_ms_p50).toMatchObject({ kind: "corpus", n: 6, mean: 107.5, higherIsBetter: false });
    expect(byName.ttft_ms_p95).toMatchObject({ kind: "corpus", n: 6, mean: 187.5, higherIsBetter: false });
    for (const name of ["ttft_ms_p50", "ttft_ms_p95"]) {
      const m = byName[name]!;
      expect(m.ci.method).toBe("bootstrap");
      // A resample's percentile lies within the sample's range.
      expect(m.ci.low).toBeGreaterThanOrEqual(60);
      expect(m.ci.high).toBeLessThanOrEqual(200);
      expect(m.ci.low).toBeLessThanOrEqual(m.mean);
      expect(m.ci.high).toBeGreaterThanOrEqual(m.mean);
    }
  });

  it("tokens_per_second is a higher-is-better mean over the rows that have it", () => {
    // (40 + 50 + 25 + 30) / 4
    expect(byName.tokens_per_second).toMatchObject({ kind: "mean", n: 4, mean: 36.25, higherIsBetter: true });
  });

  it("reports none of them when no case was streamed", () => {
    const names = summarizeMetrics([row({ index: 0 }), row({ index: 1, latencyMs: 50 })], { scorers: [] }).map((m) => m.name);
    expect(names).toEqual(["pass_rate", "error_rate", "latency_ms"]);
  });

  it("gives one value a degenerate interval and a constant sample its value", () => {
    const one = summarizeMetrics([row({ index: 0, ttftMs: 42 })], { scorers: [] });
    expect(one.find((m) => m.name === "ttft_ms_p95")).toMatchObject({ n: 1, mean: 42, ci: { low: 42, high: 42, method: "none" } });
    const same = summarizeMetrics([row({ index: 0, ttftMs: 7 }), row({ index: 1, ttftMs: 7 })], { scorers: [] });
    expect(same.find((m) => m.name === "ttft_ms_p50")).toMatchObject({ mean: 7, ci: { low: 7, high: 7, method: "bootstrap" } });
  });

  it("summarises each slice as the whole run", () => {
    const rows = streamedRows().map((r) => ({ ...r, tags: { half: r.index < 3 ? "a" : "b" } }));
    const result = aggregate(rows, { scorers: [], sliceKeys: ["half"] });
    const slice = (value: string, name: string) => result.slices.find((s) => s.value === value)!.metrics.find((m) => m.name === name);
    // a: [120, 80, 200] → p50 120, mean 400/3; b: [95, 150, 60] (the error and the unstreamed row have none) → p50 95
    expect(slice("a", "ttft_ms_p50")!.mean).toBe(120);
    expect(slice("a", "ttft_ms")!.mean).toBeCloseTo(400 / 3, 12);
    expect(slice("b", "ttft_ms_p50")!.mean).toBe(95);
    // b: sorted [60, 95, 150]; p95: h = 1.9 → 95 + 0.9·55 = 144.5
    expect(slice("b", "ttft_ms_p95")!.mean).toBeCloseTo(144.5, 12);
  });

  it("keeps the columns of rows added out of case order", () => {
    const columns = ResultColumns.from(streamedRows().reverse(), { scorers: [], sliceKeys: [] });
    expect(Array.from(columns.hasTtft.subarray(0, columns.length))).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
    expect(columns.ttftMs[1]).toBe(5);
    expect(Array.from(columns.hasTokensPerSecond.subarray(0, columns.length))).toEqual([0, 1, 0, 1, 0, 1, 1, 1]);
  });
});

describe("streaming metrics in gates", () => {
  const summary = aggregate(streamedRows(), { scorers: [] });
  const data = { metricsFor: () => summary.metrics, sliceValues: () => [] };

  it("gates on ttft_ms, its p95 and tokens_per_second like any metric", () => {
    const gates: GateConfig[] = [
      { metric: "ttft_ms", max: 300 },
      { metric: "ttft_ms_p95", max: 150 },
      { metric: "tokens_per_second", min: 30 },
    ];
    const results = evaluateGates(gates, data);
    expect(results.map((g) => [g.description, g.passed, g.actual])).toEqual([
      ["ttft_ms <= 300", true, 117.5],
      ["ttft_ms_p95 <= 150", false, 187.5],
      ["tokens_per_second >= 30", true, 36.25],
    ]);
    expect(results[1]!.reason).toBe("ttft_ms_p95 is 187.5, expected <= 150");
  });

  it("fails a ttft gate of a run that streamed nothing, saying there are no values", () => {
    const plain = aggregate([row({ index: 0 })], { scorers: [] });
    const [result] = evaluateGates([{ metric: "ttft_ms", max: 300 }], { metricsFor: () => plain.metrics, sliceValues: () => [] });
    expect(result).toMatchObject({ passed: false, actual: null, reason: "no values for ttft_ms" });
  });
});

/** The bootstrap as written in the textbook: draw n positions, sort the resample, take its quantile. */
function naiveQuantileInterval(values: number[], q: number, resamples: number, seed: number, level: number) {
  const random = createRng(seed);
  const n = values.length;
  const distribution = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const sample = new Float64Array(n);
    for (let i = 0; i < n; i++) sample[i] = values[Math.floor(random() * n)] as number;
    distribution[r] = quantileSorted(sample.sort(), q);
  }
  distribution.sort();
  return { low: quantileSorted(distribution, (1 - level) / 2), high: quantileSorted(distribution, 1 - (1 - level) / 2) };
}

describe("percentile bootstrap", () => {
  it("percentileOf is numpy's linear percentile", () => {
    // np.percentile([120,80,200,95,150,60], [0, 25, 50, 95, 100]) -> [60, 83.75, 107.5, 187.5, 200]
    expect([0, 0.25, 0.5, 0.95, 1].map((q) => percentileOf(TTFT, q))).toEqual([60, 83.75, 107.5, 187.5, 200]);
    expect(PERCENTILE_METRICS.map((p) => [p.name, p.of, p.q])).toEqual([
      ["ttft_ms_p50", "ttft_ms", 0.5],
      ["ttft_ms_p95", "ttft_ms", 0.95],
    ]);
  });

  it("counting draws gives exactly the interval of sorting every resample (same draws)", () => {
    const random = createRng(7);
    const samples = [
      TTFT,
      [5, 5, 5, 9, 9, 1],
      Array.from({ length: 97 }, () => Math.round(random() * 400)),
      Array.from({ length: 50 }, () => 50 + random()),
    ];
    for (const values of samples) {
      for (const q of [0, 0.1, 0.5, 0.95, 1]) {
        const fast = bootstrapQuantileInterval(values, q, { level: 0.95, resamples: 400, seed: 11 });
        expect(fast).toEqual(naiveQuantileInterval(values, q, 400, 11, 0.95));
      }
    }
  });

  it("the paired difference resamples cases jointly and matches the naive computation", () => {
    const baseline = [100, 90, 210, 85, 160, 70];
    const head = TTFT;
    const result = pairedBootstrapQuantileDifference(baseline, head, 0.95, { level: 0.9, resamples: 300, seed: 3 });
    // np.percentile(head, 95) - np.percentile([100,90,210,85,160,70], 95) = 187.5 - 197.5
    expect(result.delta).toBe(-10);
    const random = createRng(3);
    const distribution = new Float64Array(300);
    for (let r = 0; r < 300; r++) {
      const b = new Float64Array(6);
      const h = new Float64Array(6);
      for (let i = 0; i < 6; i++) {
        const k = Math.floor(random() * 6);
        b[i] = baseline[k] as number;
        h[i] = head[k] as number;
      }
      distribution[r] = quantileSorted(h.sort(), 0.95) - quantileSorted(b.sort(), 0.95);
    }
    distribution.sort();
    expect(result.low).toBe(quantileSorted(distribution, 0.05));
    expect(result.high).toBe(quantileSorted(distribution, 0.95));
  });
});

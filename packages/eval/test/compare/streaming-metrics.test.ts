import { type CaseResult, comparisonSchema, type RunSummary } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { aggregate } from "../../src/aggregate/aggregate.ts";
import { compareRuns } from "../../src/compare/compare.ts";
import { pairedBootstrapInterval } from "../../src/stats/index.ts";
import { caseResult } from "./helpers.ts";

// Reference values (numpy's default linear percentiles; see test/aggregate/streaming-metrics.test.ts):
//   /usr/bin/python3 -c 'import numpy as np; a=[120,80,200,95,150,60]; b=[100,90,210,85,160,70];
//     print(np.percentile(a,[50,95]), np.percentile(b,[50,95]), np.mean(np.subtract(a,b)))'
//   -> [107.5 187.5] [ 95.  197.5] -1.6666666666666667
// By hand: baseline sorted [70, 85, 90, 100, 160, 210]: p50 = 90 + 0.5·10 = 95, p95 = 160 + 0.75·50 = 197.5.
const BASELINE_TTFT = [100, 90, 210, 85, 160, 70];
const HEAD_TTFT = [120, 80, 200, 95, 150, 60];
const BASELINE_TPS = [40, 42, 38, 41, 39, 40];
const HEAD_TPS = [50, 52, 48, 51, 49, 50];

function side(
  ttft: readonly (number | undefined)[],
  tps: readonly (number | undefined)[],
  cost: number | null,
): { summary: RunSummary; cases: CaseResult[] } {
  const cases = ttft.map((ttftMs, i) => {
    const c = caseResult({ id: `case-${i}`, pass: true, cost }, i);
    return { ...c, ...(ttftMs === undefined ? {} : { ttftMs }), ...(tps[i] === undefined ? {} : { tokensPerSecond: tps[i] }) };
  });
  const scorers = [{ name: "exact", type: "equals", weight: 1, higherIsBetter: true, scoreCase: async () => ({ score: 1, pass: true }) }];
  const summary = aggregate(cases, { scorers });
  return {
    summary: {
      schemaVersion: 1,
      suite: "chat",
      suiteDigest: `sha256:${"a".repeat(64)}`,
      providers: ["test"],
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:01:00Z",
      complete: true,
      cases: summary.cases,
      errors: summary.errors,
      metrics: summary.metrics,
      slices: [],
      gates: [],
      passed: true,
      results: "results.jsonl",
    },
    cases,
  };
}

const config = { resamples: 2000 };

describe("compareRuns: streaming metrics and cost", () => {
  const baseline = side(BASELINE_TTFT, BASELINE_TPS, 0.002);
  const head = side(HEAD_TTFT, HEAD_TPS, 0.003);
  const comparison = compareRuns({ head, baseline, config });
  const byName = Object.fromEntries(comparison.metrics.map((m) => [m.name, m]));

  it("compares ttft_ms with the paired bootstrap over cases, like any mean metric", () => {
    expect(comparisonSchema.parse(comparison)).toEqual(comparison);
    const ttft = byName.ttft_ms!;
    expect(ttft).toMatchObject({ kind: "mean", higherIsBetter: false, n: 6, test: "paired-bootstrap" });
    expect(ttft.baseline).toBeCloseTo(715 / 6, 12);
    expect(ttft.head).toBeCloseTo(117.5, 12);
    expect(ttft.delta).toBeCloseTo(-10 / 6, 12);
    // The same interval the paired bootstrap gives these per-case values with compare's seed for the metric.
    const { low, high } = pairedBootstrapInterval(BASELINE_TTFT, HEAD_TTFT, { resamples: 2000, seed: seedOf("ttft_ms"), level: 0.95 });
    expect(ttft.ci).toMatchObject({ low, high, method: "bootstrap" });
  });

  it("compares tokens_per_second (higher is better) and cost per case the same way", () => {
    // Every case gains exactly 10 tokens/s: the paired interval is [10, 10], a significant improvement.
    expect(byName.tokens_per_second).toMatchObject({ higherIsBetter: true, n: 6, delta: 10, test: "paired-bootstrap" });
    expect(byName.tokens_per_second!.ci).toMatchObject({ low: 10, high: 10 });
    expect(byName.tokens_per_second!.verdict).toBe("significant improvement");
    expect(byName.cost).toMatchObject({ higherIsBetter: false, n: 6, test: "paired-bootstrap" });
    expect(byName.cost!.delta).toBeCloseTo(0.001, 12);
    expect(byName.cost!.verdict).toBe("significant regression");
  });

  it("shows ttft p50/p95 of the matched cases with a paired interval, outside the Holm family", () => {
    expect(byName.ttft_ms_p50).toMatchObject({
      kind: "corpus",
      baseline: 95,
      head: 107.5,
      delta: 12.5,
      test: "none",
      pValue: 1,
      pAdjusted: 1,
    });
    expect(byName.ttft_ms_p95).toMatchObject({ kind: "corpus", baseline: 197.5, head: 187.5, delta: -10, test: "none" });
    expect(byName.ttft_ms_p95!.verdict).toBe("no significant change");
    expect(byName.ttft_ms_p95!.ci.method).toBe("bootstrap");
    expect(byName.ttft_ms_p95!.note).toMatch(/^descriptive: p95 of ttft_ms on matched cases/);
    // Tested metrics that changed: ttft_ms, tokens_per_second and cost (exact, pass_rate, latency
    // and error_rate are equal on every case). Holm over three: the smallest p is multiplied by 3.
    const tested = comparison.metrics.filter((m) => m.test !== "none" && m.pAdjusted < 1 && m.pValue < 1);
    expect(tested.map((m) => m.name).sort()).toEqual(["cost", "tokens_per_second", "ttft_ms"]);
  });

  it("compares a streamed head with a baseline from before streaming on everything else", () => {
    const before = side([undefined, undefined, undefined, undefined, undefined, undefined], [], 0.002);
    const result = compareRuns({ head, baseline: before, config });
    const names = result.metrics.map((m) => m.name);
    expect(names).toContain("cost");
    for (const name of ["ttft_ms", "ttft_ms_p50", "ttft_ms_p95", "tokens_per_second"]) expect(names).not.toContain(name);
  });

  it("pairs only cases streamed on both sides", () => {
    const partial = side([100, undefined, 210, 85, undefined, 70], BASELINE_TPS, 0.002);
    const result = compareRuns({ head, baseline: partial, config });
    const ttft = result.metrics.find((m) => m.name === "ttft_ms")!;
    // Cases 0, 2, 3, 5: head 120, 200, 95, 60 vs 100, 210, 85, 70 → mean difference 10/4
    expect(ttft.n).toBe(4);
    expect(ttft.delta).toBeCloseTo(2.5, 12);
    const p50 = result.metrics.find((m) => m.name === "ttft_ms_p50")!;
    // head [60, 95, 120, 200] → 107.5; baseline [70, 85, 100, 210] → 92.5
    expect(p50).toMatchObject({ n: 4, head: 107.5, baseline: 92.5, delta: 15 });
  });

  it("budgets and gates work on them: a compare gate on ttft_ms_p95", () => {
    const result = compareRuns({ head, baseline, config: { ...config, gates: { ttft_ms_p95: { maxDrop: 5 } } } });
    // Lower is better: the p95 fell by 10 ms, a "drop" of −10, within 5.
    expect(result.gates.find((g) => g.metric === "ttft_ms_p95")).toMatchObject({ passed: true, actual: -10 });
  });
});

/** compare/metrics.ts seeds each metric with settings.seed + FNV-1a of its name. */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (20_240_601 + (h >>> 0)) >>> 0;
}

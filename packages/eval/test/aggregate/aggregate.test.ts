import { describe, expect, it } from "vitest";
import { aggregate, casePasses, summarizeMetrics } from "../../src/aggregate/aggregate.ts";
import type { Scorer } from "../../src/scorers/types.ts";
import { row, scored } from "./rows.ts";

const scorer = (name: string, weight = 1, extra: Partial<Scorer> = {}): Scorer => ({
  name,
  type: name,
  weight,
  higherIsBetter: true,
  scoreCase: async () => ({ score: 0, pass: false }),
  ...extra,
});

describe("casePasses", () => {
  it("applies the k-of-n rule per case, default all repeats", () => {
    const rows = [
      row({ index: 0, repeat: 0, pass: true }),
      row({ index: 0, repeat: 1, pass: false }),
      row({ index: 0, repeat: 2, pass: true }),
      row({ index: 1, repeat: 0, pass: true }),
      row({ index: 1, repeat: 1, pass: true }),
      row({ index: 1, repeat: 2, pass: true }),
      row({ index: 2, repeat: 0, pass: false }),
      row({ index: 2, repeat: 1, pass: false }),
      row({ index: 2, repeat: 2, pass: true }),
    ];
    expect(casePasses(rows)).toEqual([false, true, false]);
    expect(casePasses(rows, { k: 2 })).toEqual([true, true, false]);
    expect(casePasses(rows, { k: 1 })).toEqual([true, true, true]);
  });
});

describe("summarizeMetrics", () => {
  const rows = [
    scored(0, { exact: 1, fuzzy: 0.5 }, { latencyMs: 100, cost: 0.002, tokens: { prompt: 10, completion: 10, total: 20 } }),
    scored(1, { exact: 0, fuzzy: 0.25 }, { latencyMs: 300, cost: 0.004, tokens: { prompt: 10, completion: 30, total: 40 } }),
    scored(2, { exact: 1, fuzzy: 1 }, { latencyMs: 200, cost: null, tokens: null }),
    // A provider error: score 0 for every scorer (as the runner records it), no latency.
    row({
      index: 3,
      error: "HTTP 500: boom",
      pass: false,
      latencyMs: 0,
      scores: [
        { name: "exact", type: "exact", score: 0, pass: false, weight: 1 },
        { name: "fuzzy", type: "fuzzy", score: 0, pass: false, weight: 1 },
      ],
    }),
  ];
  const metrics = summarizeMetrics(rows, { scorers: [scorer("exact", 3), scorer("fuzzy", 1)] });
  const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));

  it("computes one metric per scorer plus the built-in ones", () => {
    expect(metrics.map((m) => m.name)).toEqual(["exact", "fuzzy", "pass_rate", "error_rate", "latency_ms", "cost", "tokens", "score"]);
  });

  it("means over every row, errors counting as 0", () => {
    expect(byName.exact).toMatchObject({ kind: "mean", n: 4, mean: 0.5, higherIsBetter: true });
    // (0.5 + 0.25 + 1 + 0) / 4
    expect(byName.fuzzy!.mean).toBeCloseTo(0.4375, 12);
    // sample sd of [1, 0, 1, 0]: sqrt(((0.5^2) * 4) / 3)
    expect(byName.exact!.sd).toBeCloseTo(Math.sqrt(1 / 3), 12);
    expect(byName.exact!.ci.method).toBe("bootstrap");
  });

  it("rates with Wilson intervals; error_rate is lower-is-better", () => {
    // Rows 0 and 2 pass every scorer (score >= 0.5); row 1 fails exact; row 3 errored.
    expect(byName.pass_rate).toMatchObject({ kind: "rate", n: 4, mean: 0.5, higherIsBetter: true });
    // statsmodels proportion_confint(2, 4, method="wilson") = (0.150039, 0.849961)
    expect(byName.pass_rate!.ci.low).toBeCloseTo(0.150039, 5);
    expect(byName.pass_rate!.ci.high).toBeCloseTo(0.849961, 5);
    expect(byName.pass_rate!.ci.method).toBe("wilson");
    expect(byName.error_rate).toMatchObject({ kind: "rate", n: 4, mean: 0.25, higherIsBetter: false });
    // statsmodels proportion_confint(1, 4, method="wilson") = (0.045587, 0.699358)
    expect(byName.error_rate!.ci.low).toBeCloseTo(0.045587, 5);
    expect(byName.error_rate!.ci.high).toBeCloseTo(0.699358, 5);
  });

  it("latency, cost and tokens over the rows that have them", () => {
    expect(byName.latency_ms).toMatchObject({ n: 3, mean: 200, higherIsBetter: false });
    expect(byName.cost!.n).toBe(2);
    expect(byName.cost!.mean).toBeCloseTo(0.003, 12);
    expect(byName.tokens).toMatchObject({ n: 2, mean: 30, higherIsBetter: false });
  });

  it("weights the score metric", () => {
    // Per row: (3·exact + 1·fuzzy) / 4 → 0.875, 0.0625, 1, 0; mean 0.484375
    expect(byName.score!.mean).toBeCloseTo(0.484375, 12);
  });

  it("is deterministic for a seed", () => {
    const again = summarizeMetrics(rows, { scorers: [scorer("exact", 3), scorer("fuzzy", 1)] });
    expect(again).toEqual(metrics);
  });

  it("uses a scorer's corpus statistic when it has one", () => {
    const corpus = scorer("bleu", 1, {
      // The fraction of outputs equal to "out": a corpus statistic we can compute by hand.
      corpus: (inputs) => ({ value: inputs.filter((i) => i.output === "out").length / inputs.length }),
    });
    const [bleu] = summarizeMetrics(rows, { scorers: [corpus] });
    expect(bleu).toMatchObject({ name: "bleu", kind: "corpus", n: 4, mean: 0.75 });
    expect(bleu!.ci.method).toBe("bootstrap");
    expect(bleu!.ci.low).toBeLessThanOrEqual(0.75);
    expect(bleu!.ci.high).toBeGreaterThanOrEqual(0.75);
  });
});

describe("aggregate", () => {
  it("summarises slices per tag value and counts cases and errors", () => {
    const rows = [
      scored(0, { exact: 1 }, { tags: { lang: "en" } }),
      scored(1, { exact: 0 }, { tags: { lang: "de" } }),
      scored(2, { exact: 1 }, { tags: { lang: "de" } }),
      row({
        index: 3,
        tags: { lang: "en" },
        error: "timed out after 10 ms",
        pass: false,
        scores: [{ name: "exact", type: "exact", score: 0, pass: false, weight: 1 }],
      }),
    ];
    const result = aggregate(rows, { scorers: [scorer("exact")], sliceKeys: ["lang"] });
    expect(result.cases).toBe(4);
    expect(result.errors).toBe(1);
    expect(result.slices.map((s) => [s.key, s.value, s.metrics.find((m) => m.name === "exact")!.mean])).toEqual([
      ["lang", "de", 0.5],
      ["lang", "en", 0.5],
    ]);
    expect(result.slices[1]!.metrics.find((m) => m.name === "error_rate")!.mean).toBe(0.5);
  });
});

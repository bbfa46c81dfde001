import { readFileSync } from "node:fs";
import { comparisonSchema, InputError, recordingLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { compareRuns, corpusStatistics, excerpt, matchCases } from "../../src/compare/index.ts";
import { createScorer } from "../../src/scorers/index.ts";
import { holmAdjust } from "../../src/stats/index.ts";
import { caseResult, metric, pairedRuns, run } from "./helpers.ts";

// McNemar exact p-values from statsmodels (fixtures/stats/make_fixtures.py).
const reference = JSON.parse(readFileSync(new URL("../fixtures/stats/reference.json", import.meta.url), "utf8")) as {
  mcnemar: { b: number; c: number; p: number }[];
  bootstrap: { baseline: number[]; head: number[]; pairedDeltaInterval: [number, number] };
};
const mcnemarP = (b: number, c: number) => reference.mcnemar.find((r) => r.b === b && r.c === c)?.p as number;

const fast = { resamples: 2000 };

describe("compareRuns: paired statistics", () => {
  it("tests pass_rate with McNemar's exact test on the discordant pairs", () => {
    const { baseline, head } = pairedRuns({ both: 30, b: 3, c: 17, neither: 10 });
    const comparison = compareRuns({ head, baseline, config: fast });
    expect(comparisonSchema.parse(comparison)).toEqual(comparison);
    const passRate = comparison.metrics.find((m) => m.name === "pass_rate");
    expect(passRate).toMatchObject({ test: "mcnemar-exact", n: 60, kind: "rate" });
    expect(passRate?.pValue).toBeCloseTo(mcnemarP(3, 17), 12);
    expect(passRate?.baseline).toBeCloseTo(33 / 60, 12);
    expect(passRate?.head).toBeCloseTo(47 / 60, 12);
    expect(passRate?.delta).toBeCloseTo(14 / 60, 12);
    expect(passRate?.verdict).toBe("significant improvement");
    expect(passRate?.ci.low).toBeGreaterThan(0);
  });

  it("leaves metrics equal on every case out of the Holm family, so they do not dilute the others", () => {
    const { baseline, head } = pairedRuns({ both: 30, b: 3, c: 17, neither: 10 });
    const comparison = compareRuns({ head, baseline, config: fast });
    const byName = Object.fromEntries(comparison.metrics.map((m) => [m.name, m]));
    // error_rate and latency_ms did not change on any case: p = 1, and not counted.
    expect(byName.error_rate).toMatchObject({ test: "mcnemar-exact", pValue: 1, pAdjusted: 1 });
    expect(byName.latency_ms).toMatchObject({ test: "paired-bootstrap", pValue: 1, pAdjusted: 1 });
    // Family of two (exact, pass_rate): Holm multiplies the smaller p by 2.
    const family = [byName.exact?.pValue as number, byName.pass_rate?.pValue as number];
    expect([byName.exact?.pAdjusted, byName.pass_rate?.pAdjusted]).toEqual(holmAdjust(family));
    expect(Math.min(byName.exact?.pAdjusted as number, byName.pass_rate?.pAdjusted as number)).toBeCloseTo(2 * Math.min(...family), 15);
  });

  it("notes when an interval excludes 0 but the Holm-corrected verdict is no significant change", () => {
    // 13 pass -> fail, 4 fail -> pass: McNemar p = 0.049 alone, above 0.05 after Holm with the exact scorer's metric.
    const { baseline, head } = pairedRuns({ both: 30, b: 13, c: 4, neither: 10 });
    const comparison = compareRuns({ head, baseline, config: fast });
    const passRate = comparison.metrics.find((m) => m.name === "pass_rate");
    expect(passRate?.pValue).toBeLessThan(0.05);
    expect(passRate?.verdict).toBe("no significant change");
    expect(passRate?.ci.high).toBeLessThan(0);
    expect(passRate?.note).toBe("the interval excludes 0, but the change is not significant after Holm correction across 2 metrics");
  });

  it("notes when the bootstrap interval excludes 0 but McNemar's exact test does not", () => {
    const { baseline, head } = pairedRuns({ both: 30, b: 11, c: 3, neither: 10 });
    const passRate = compareRuns({ head, baseline, config: fast }).metrics.find((m) => m.name === "pass_rate");
    expect(passRate?.pValue).toBeGreaterThan(0.05);
    expect(passRate?.ci.high).toBeLessThan(0);
    expect(passRate?.note).toBe("the bootstrap interval excludes 0, but McNemar's exact test does not find the change significant");
  });

  it("reads direction from higherIsBetter: more errors is a regression", () => {
    const specs = Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, pass: true }));
    const baseline = run("s", specs);
    const head = run(
      "s",
      specs.map((s, i) => (i < 15 ? { ...s, pass: false, error: "timeout", output: null } : s)),
    );
    const comparison = compareRuns({ head, baseline, config: fast });
    const errors = comparison.metrics.find((m) => m.name === "error_rate");
    expect(errors).toMatchObject({ higherIsBetter: false, test: "mcnemar-exact", verdict: "significant regression" });
    expect(errors?.pValue).toBeCloseTo(2 * 0.5 ** 15, 15);
    expect(comparison.metrics.find((m) => m.name === "pass_rate")?.verdict).toBe("significant regression");
  });

  it("says 'no significant change' for a small, noisy difference", () => {
    const { baseline, head } = pairedRuns({ both: 40, b: 2, c: 9, neither: 9 });
    const comparison = compareRuns({ head, baseline, config: fast });
    // p = 0.0654 (statsmodels) > 0.05 before any adjustment.
    expect(comparison.metrics.find((m) => m.name === "pass_rate")?.verdict).toBe("no significant change");
  });

  it("uses a seeded paired bootstrap for mean metrics: deterministic, and sensitive to the seed", () => {
    const specs = Array.from({ length: 50 }, (_, i) => ({ id: `c${i}`, pass: true, score: (i % 10) / 10 }));
    const baseline = run("s", specs);
    const head = run(
      "s",
      // +0.05 on average, with a per-case wobble of -0.02..+0.02 (mean 0 over each block of 5).
      specs.map((s, i) => ({ ...s, score: (s.score ?? 0) + 0.05 + (((i * 7) % 5) - 2) / 100 })),
    );
    const a = compareRuns({ head, baseline, config: { ...fast, seed: 1 } });
    const b = compareRuns({ head, baseline, config: { ...fast, seed: 1 } });
    const c = compareRuns({ head, baseline, config: { ...fast, seed: 2 } });
    const exact = a.metrics.find((m) => m.name === "exact");
    expect(exact?.test).toBe("paired-bootstrap");
    expect(exact?.ci.method).toBe("bootstrap");
    expect(exact?.delta).toBeCloseTo(0.05, 12);
    expect(exact?.ci.low).toBeLessThan(0.05);
    expect(exact?.ci.high).toBeGreaterThan(0.05);
    expect(a).toEqual(b);
    expect(c.metrics.find((m) => m.name === "exact")?.ci).not.toEqual(exact?.ci);
  });

  it("gives a mean metric the paired interval scipy's paired percentile bootstrap gives", () => {
    const { baseline: b, head: h, pairedDeltaInterval } = reference.bootstrap;
    const baseline = run(
      "s",
      b.map((score, i) => ({ id: `c${i}`, pass: true, score })),
    );
    const head = run(
      "s",
      h.map((score, i) => ({ id: `c${i}`, pass: true, score })),
    );
    const exact = compareRuns({ head, baseline, config: { resamples: 10_000 } }).metrics.find((m) => m.name === "exact");
    expect(exact?.test).toBe("paired-bootstrap");
    expect(Math.abs((exact?.ci.low as number) - pairedDeltaInterval[0])).toBeLessThan(0.003);
    expect(Math.abs((exact?.ci.high as number) - pairedDeltaInterval[1])).toBeLessThan(0.003);
    expect(exact?.verdict).toBe("significant improvement");
  });

  it("excludes failed calls from latency pairs, as aggregation does", () => {
    const specs = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, pass: true, latencyMs: 100 }));
    const baseline = run("s", specs);
    const head = run(
      "s",
      specs.map((s, i) => (i === 0 ? { ...s, error: "boom", output: null, latencyMs: 30_000 } : { ...s, latencyMs: 120 })),
    );
    const latency = compareRuns({ head, baseline, config: fast }).metrics.find((m) => m.name === "latency_ms");
    expect(latency).toMatchObject({ n: 9, baseline: 100, head: 120, delta: 20 });
  });
});

describe("compareRuns: case matching", () => {
  it("lists added, removed and changed cases and pairs only the identical ones", () => {
    const baseline = run("s", [
      { id: "a", pass: true },
      { id: "b", pass: true },
      { id: "c", pass: true, expected: "x" },
      { id: "gone", pass: false },
    ]);
    const head = run("s", [
      { id: "new", pass: true },
      { id: "a", pass: true },
      { id: "b", pass: false },
      { id: "c", pass: true, expected: "y" },
    ]);
    const comparison = compareRuns({ head, baseline, config: fast });
    expect(comparison).toMatchObject({ matched: 2, added: ["new"], removed: ["gone"], changed: ["c"] });
    expect(comparison.metrics.find((m) => m.name === "pass_rate")?.n).toBe(2);
    expect(comparison.flips.map((f) => f.id)).toEqual(["b"]);
  });

  it("treats vars that differ only in key order as the same case", () => {
    const base = [caseResult({ id: "a", pass: true, vars: { x: 1, y: { p: 1, q: 2 } } }, 0)];
    const head = [caseResult({ id: "a", pass: true, vars: { y: { q: 2, p: 1 }, x: 1 } }, 0)];
    expect(matchCases(head, base)).toMatchObject({ changed: [], added: [], removed: [] });
  });

  it("refuses duplicated case rows", () => {
    const dup = [caseResult({ id: "a", pass: true }, 0), caseResult({ id: "a", pass: false }, 1)];
    expect(() => matchCases(dup, [])).toThrow(/case "a" repeat 0 appears twice/);
  });

  it("with repeats, tests rates per case over repeats with a paired bootstrap and says so", () => {
    const specs = (passHead: boolean) =>
      Array.from({ length: 20 }, (_, i) => [0, 1, 2].map((r) => ({ id: `c${i}`, repeat: r, pass: passHead || r > 0 }))).flat();
    const baseline = run("s", specs(false));
    const head = run("s", specs(true));
    const passRate = compareRuns({ head, baseline, config: fast }).metrics.find((m) => m.name === "pass_rate");
    expect(passRate).toMatchObject({ test: "paired-bootstrap", n: 20 });
    expect(passRate?.delta).toBeCloseTo(1 / 3, 12);
    expect(passRate?.note).toMatch(/repeats/);
  });
});

describe("compareRuns: corpus metrics", () => {
  const withCorpus = (r: ReturnType<typeof run>, value: number) => ({
    ...r,
    summary: { ...r.summary, metrics: [...r.summary.metrics, metric("accuracy", "corpus", value)] },
  });
  const specs = (flipEvery: number) => Array.from({ length: 60 }, (_, i) => ({ id: `c${i}`, pass: i % flipEvery !== 0 }));

  it("bootstraps a corpus statistic jointly when it can be recomputed", () => {
    const baseline = withCorpus(run("s", specs(2)), 0.5);
    const head = withCorpus(run("s", specs(10)), 0.9);
    const accuracy = (cases: { pass: boolean }[]) => cases.filter((c) => c.pass).length / cases.length;
    const comparison = compareRuns({ head, baseline, config: fast, corpus: { accuracy } });
    const m = comparison.metrics.find((x) => x.name === "accuracy");
    expect(m).toMatchObject({ test: "paired-bootstrap", kind: "corpus", baseline: 0.5, head: 0.9, verdict: "significant improvement" });
    expect(m?.delta).toBeCloseTo(0.4, 12);
  });

  it("recomputes a corpus metric with the suite's own scorer on the matched cases only", () => {
    const labels = ["pos", "neg"];
    // 40 matched cases: baseline right on 20 (accuracy 0.5), head right on 36 (0.9); plus one added head case.
    const specs = (right: number) =>
      Array.from({ length: 40 }, (_, i) => {
        const expected = labels[i % 2] as string;
        return { id: `c${i}`, pass: i < right, expected, output: i < right ? expected : (labels[(i + 1) % 2] as string) };
      });
    const baseline = withCorpus(run("s", specs(20)), 0.5);
    const headRun = run("s", [...specs(36), { id: "extra", pass: false, expected: "pos", output: "neg" }]);
    const head = withCorpus(headRun, 36 / 41);
    const scorer = createScorer(
      { type: "classification", name: "accuracy", metric: "accuracy", trim: true, caseSensitive: false, weight: 1, not: false },
      { cwd: "." },
    );
    const m = compareRuns({ head, baseline, config: fast, corpus: corpusStatistics([scorer]) }).metrics.find((x) => x.name === "accuracy");
    expect(m).toMatchObject({ test: "paired-bootstrap", n: 40, verdict: "significant improvement" });
    expect(m?.baseline).toBeCloseTo(0.5, 12);
    expect(m?.head).toBeCloseTo(0.9, 12);
  });

  it("reports an untested delta with a note when it cannot", () => {
    const baseline = withCorpus(run("s", specs(2)), 0.5);
    const head = withCorpus(run("s", specs(10)), 0.9);
    const m = compareRuns({ head, baseline, config: fast }).metrics.find((x) => x.name === "accuracy");
    expect(m).toMatchObject({ test: "none", pValue: 1, pAdjusted: 1, verdict: "no significant change", ci: { method: "none" } });
    expect(m?.delta).toBeCloseTo(0.4, 12);
    expect(m?.note).toMatch(/not recomputable/);
  });
});

describe("compareRuns: gates and verdict", () => {
  const { baseline, head } = pairedRuns({ both: 30, b: 17, c: 3, neither: 10 }); // pass rate 47/60 -> 33/60

  it("evaluates maxDrop, maxRelativeDrop and noSignificantRegression in the metric's direction", () => {
    const comparison = compareRuns({
      head,
      baseline,
      config: {
        ...fast,
        gates: {
          pass_rate: { maxDrop: 0.25, maxRelativeDrop: 0.2, noSignificantRegression: true },
          error_rate: { maxDrop: 0 },
        },
      },
    });
    const byDescription = Object.fromEntries(comparison.gates.map((g) => [g.description, g]));
    expect(byDescription["pass_rate drop <= 0.25 vs baseline"]).toMatchObject({ passed: true });
    expect(byDescription["pass_rate drop <= 0.25 vs baseline"]?.actual).toBeCloseTo(14 / 60, 12);
    const relative = byDescription["pass_rate relative drop <= 20% vs baseline"];
    expect(relative?.passed).toBe(false);
    expect(relative?.actual).toBeCloseTo(14 / 47, 12);
    expect(byDescription["no significant regression in pass_rate (alpha 0.05, Holm-adjusted)"]).toMatchObject({ passed: false });
    expect(byDescription["error_rate drop <= 0 vs baseline"]).toMatchObject({ passed: true, actual: 0 });
    expect(comparison.verdict).toBe("fail");
  });

  it("passes a gate sitting exactly on its threshold despite float rounding", () => {
    const b = run(
      "s",
      Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, pass: i < 3 })),
    );
    const h = run(
      "s",
      Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, pass: i < 2 })),
    );
    const comparison = compareRuns({ head: h, baseline: b, config: { ...fast, gates: { pass_rate: { maxDrop: 0.1 } } } });
    expect(comparison.gates[0]).toMatchObject({ passed: true });
  });

  it("applies per-suite overrides over the section's settings", () => {
    const comparison = compareRuns({
      head,
      baseline,
      config: { ...fast, gates: { pass_rate: { maxDrop: 0 } }, suites: { sentiment: { gates: { pass_rate: { maxDrop: 0.5 } } } } },
    });
    expect(comparison.gates).toHaveLength(1);
    expect(comparison.gates[0]).toMatchObject({ threshold: 0.5, passed: true });
    expect(comparison.verdict).toBe("pass");
  });

  it("checks cost and latency budgets relative to the baseline", () => {
    const specs = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, pass: true, cost: 0.01, latencyMs: 200 }));
    const withCost = (r: ReturnType<typeof run>, cost: number) => ({
      ...r,
      summary: { ...r.summary, metrics: [...r.summary.metrics, metric("cost", "mean", cost, false)] },
    });
    const b = withCost(run("s", specs), 0.01);
    const h = withCost(
      run(
        "s",
        specs.map((s) => ({ ...s, cost: 0.0125, latencyMs: 210 })),
      ),
      0.0125,
    );
    const comparison = compareRuns({ head: h, baseline: b, config: { ...fast, maxCostIncrease: 0.1, maxLatencyIncrease: 0.1 } });
    const [cost, latency] = comparison.gates;
    expect(cost).toMatchObject({ metric: "cost", passed: false, threshold: 0.1 });
    expect(cost?.actual).toBeCloseTo(0.25, 12);
    expect(cost?.reason).toMatch(/cost rose 25%/);
    expect(latency).toMatchObject({ metric: "latency_ms", passed: true });
    expect(latency?.actual).toBeCloseTo(0.05, 12);
  });

  it("fails a cost budget that cannot be checked because no cost was recorded", () => {
    const comparison = compareRuns({ head, baseline, config: { ...fast, maxCostIncrease: 0.1 } });
    expect(comparison.gates[0]).toMatchObject({ metric: "cost", passed: false, actual: null });
    expect(comparison.gates[0]?.reason).toMatch(/not recorded/);
  });

  it("combines head's absolute gates with the regression gates", () => {
    const failing = { description: "pass_rate >= 0.9", metric: "pass_rate", actual: 0.55, threshold: 0.9, passed: false };
    const h = { ...head, summary: { ...head.summary, gates: [failing], passed: false } };
    const comparison = compareRuns({ head: h, baseline, config: { ...fast, gates: { pass_rate: { maxDrop: 1 } } } });
    expect(comparison.gates[0]).toEqual(failing);
    expect(comparison.gates[1]).toMatchObject({ passed: true });
    expect(comparison.verdict).toBe("fail");
  });

  it("refuses a gate on a metric the suite does not have, naming what it has", () => {
    expect(() => compareRuns({ head, baseline, config: { ...fast, gates: { bleu: { maxDrop: 0.1 } } } })).toThrow(
      /compare gate "bleu": suite "sentiment" has no metric "bleu" \(it has: exact, pass_rate, error_rate, latency_ms\)/,
    );
  });
});

describe("compareRuns: no baseline", () => {
  const { head } = pairedRuns({ both: 5, b: 0, c: 0, neither: 0 });

  it("reports head only and passes under the default policy", () => {
    const comparison = compareRuns({ head, baseline: null, baselineInfo: { source: "none", description: "no results on production" } });
    expect(comparisonSchema.parse(comparison)).toEqual(comparison);
    expect(comparison).toMatchObject({
      baseline: { source: "none", description: "no results on production" },
      metrics: [],
      verdict: "pass",
    });
  });

  it("fails under noBaseline: fail, saying why", () => {
    const comparison = compareRuns({ head, baseline: null, config: { noBaseline: "fail" } });
    expect(comparison.verdict).toBe("fail");
    expect(comparison.gates.at(-1)).toMatchObject({ metric: "baseline", passed: false, reason: "no baseline found" });
  });
});

describe("compareRuns: suites that do not match", () => {
  it("names both suites when the names differ", () => {
    const { head } = pairedRuns({ both: 2, b: 0, c: 0, neither: 0 }, "sentiment");
    const { baseline } = pairedRuns({ both: 2, b: 0, c: 0, neither: 0 }, "toxicity");
    const attempt = () => compareRuns({ head, baseline });
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow('suites do not match: head is suite "sentiment" but the baseline is suite "toxicity"');
  });

  it("names the metric that differs when the suite digests differ", () => {
    const { baseline, head } = pairedRuns({ both: 2, b: 0, c: 0, neither: 0 });
    const changed = {
      ...head,
      summary: {
        ...head.summary,
        suiteDigest: `sha256:${"b".repeat(64)}`,
        metrics: [...head.summary.metrics, metric("bleu", "corpus", 0.3)],
      },
    };
    expect(() => compareRuns({ head: changed, baseline })).toThrow(
      /suite "sentiment" does not match its baseline \(suite digest b+ vs a+\): metric "bleu" is only in head/,
    );
  });

  it("compares a data-dependent metric only when both sides recorded it, saying so", () => {
    const { baseline, head } = pairedRuns({ both: 4, b: 0, c: 0, neither: 0 });
    const priced = { ...head, summary: { ...head.summary, metrics: [...head.summary.metrics, metric("cost", "mean", 0.01, false)] } };
    const logger = recordingLogger();
    const comparison = compareRuns({ head: priced, baseline, config: fast, logger });
    expect(comparison.metrics.map((m) => m.name)).not.toContain("cost");
    expect(logger.lines).toContainEqual({
      level: "warn",
      message: 'suite "sentiment": metric "cost" is recorded only in head; not compared',
    });
  });

  it("names a scorer whose type changed", () => {
    const { baseline, head } = pairedRuns({ both: 2, b: 0, c: 0, neither: 0 });
    const retyped = { ...head, cases: head.cases.map((c) => ({ ...c, scores: c.scores.map((s) => ({ ...s, type: "contains" })) })) };
    expect(() => compareRuns({ head: retyped, baseline })).toThrow(/scorer "exact" is contains in head but equals in the baseline/);
  });

  it("refuses incomplete head results", () => {
    const { baseline, head } = pairedRuns({ both: 2, b: 0, c: 0, neither: 0 });
    const shard = { ...head, summary: { ...head.summary, complete: false, shard: { index: 1, count: 2 } } };
    expect(() => compareRuns({ head: shard, baseline })).toThrow(/incomplete \(it is shard 1\/2; merge the shards first\)/);
  });
});

describe("flipped cases", () => {
  it("lists pass -> fail first with input, expected and both outputs", () => {
    const baseline = run("s", [
      { id: "up", pass: false, output: "neg" },
      { id: "down", pass: true, output: "pos" },
      { id: "same", pass: true },
    ]);
    const head = run("s", [
      { id: "up", pass: true, output: "pos" },
      { id: "down", pass: false, output: null, error: "timeout" },
      { id: "same", pass: true },
    ]);
    const { flips } = compareRuns({ head, baseline, config: fast });
    expect(flips).toEqual([
      {
        id: "down",
        direction: "pass-to-fail",
        input: '{"text":"input down"}',
        expected: "label down",
        baselineOutput: "pos",
        headOutput: null,
      },
      { id: "up", direction: "fail-to-pass", input: '{"text":"input up"}', expected: "label up", baselineOutput: "neg", headOutput: "pos" },
    ]);
  });

  it("truncates excerpts to the configured length", () => {
    const long = "x".repeat(500);
    const baseline = run("s", [{ id: "a", pass: true, output: long }]);
    const head = run("s", [{ id: "a", pass: false, output: long }]);
    const [flip] = compareRuns({ head, baseline, config: { ...fast, excerptLength: 50 } }).flips;
    expect(flip?.headOutput).toBe(`${"x".repeat(49)}…`);
  });
});

describe("excerpt", () => {
  it("keeps short text unchanged", () => expect(excerpt("hello", 5)).toBe("hello"));

  it("never splits a surrogate pair", () => {
    const text = "ab😀😀😀😀"; // each emoji is two UTF-16 units
    for (let max = 1; max < text.length; max++) {
      const cut = excerpt(text, max);
      expect(cut.endsWith("…")).toBe(true);
      expect(cut.length).toBeLessThanOrEqual(max);
      // A lone surrogate would not survive a UTF-8 round trip.
      expect(Buffer.from(cut, "utf8").toString("utf8")).toBe(cut);
    }
  });

  it("never splits a surrogate pair deep into a long text", () => {
    const text = `${"x".repeat(100)}${"😀".repeat(100)}`;
    for (let max = 90; max < 260; max++) {
      const cut = excerpt(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.length).toBeGreaterThanOrEqual(max - 2);
      expect(Buffer.from(cut, "utf8").toString("utf8")).toBe(cut);
    }
  });

  it("keeps emoji sequences and combining marks whole", () => {
    const family = "👨‍👩‍👧"; // ZWJ sequence of 8 units
    expect(excerpt(`a${family}${family}`, 12)).toBe(`a${family}…`);
    expect(excerpt("cafe\u0301 au lait", 6)).toBe("cafe\u0301…");
  });
});

import type { CaseResult } from "@llmops/core";
import type { GateConfig } from "../../src/gates.ts";
import type { SummaryInput } from "../../src/results/summary.ts";
import type { Scorer, ScorerInput } from "../../src/scorers/types.ts";

/**
 * Deterministic runs for the summary equality test (test/results/summary-equality.test.ts) and
 * its committed fixture (fixtures/summary-reference.json, made by fixtures/make_summary_fixture.ts
 * with the in-memory summary code of commit 4bd0737, before results were streamed). Changing a
 * scenario means regenerating the fixture with that code: see the script's header.
 */

/** A small LCG, so the rows never depend on code under test. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const scorerStub = (name: string, weight: number, higherIsBetter = true): Scorer => ({
  name,
  type: name,
  weight,
  higherIsBetter,
  scoreCase: async () => ({ score: 0, pass: false }),
});

/** A corpus scorer: matched characters over expected characters, over the whole sample. */
const overlapCorpus: Scorer = {
  ...scorerStub("overlap", 1),
  corpus(inputs: ScorerInput[]) {
    let matched = 0;
    let total = 0;
    for (const input of inputs) {
      const expected = String(input.expected ?? "");
      const output = input.output ?? "";
      total += expected.length;
      for (let i = 0; i < Math.min(expected.length, output.length); i++) if (expected[i] === output[i]) matched++;
    }
    return { value: total === 0 ? 0 : matched / total };
  },
};

interface RowOptions {
  cases: number;
  repeats: number;
  seed: number;
  scorers: { name: string; threshold: number; missing?: number }[];
  errorRate: number;
  tags: Record<string, { values: string[]; missing?: number }>;
  /** Keep a row with this probability (an interrupted run or a shard has gaps). */
  keep?: number;
}

function makeRows(options: RowOptions): CaseResult[] {
  const random = lcg(options.seed);
  const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)] as T;
  const rows: CaseResult[] = [];
  for (let index = 0; index < options.cases; index++) {
    const tags: Record<string, string> = {};
    for (const [key, spec] of Object.entries(options.tags)) {
      if (random() < (spec.missing ?? 0)) continue;
      tags[key] = pick(spec.values);
    }
    const expected = `answer ${index}`;
    for (let repeat = 0; repeat < options.repeats; repeat++) {
      if (options.keep !== undefined && random() >= options.keep) continue;
      const error = random() < options.errorRate ? pick(["HTTP 500: boom", "timed out after 30000 ms", "connection reset"]) : null;
      const output = error ? null : random() < 0.6 ? expected : `answer ${index + Math.floor(random() * 3)}x`;
      const scores = options.scorers.flatMap((s) => {
        if (!error && random() < (s.missing ?? 0)) return [];
        // Coarse scores repeat, so slices hold ties and constant samples.
        const score = error ? 0 : Math.round(random() * 8) / 8;
        return [{ name: s.name, type: s.name, score, pass: !error && score >= s.threshold, weight: 1 }];
      });
      const latencyMs = error ? 0 : pick([120, 120, 250, 80.5, 1999.25, 42]) + Math.floor(random() * 4) * 0.125;
      const cost = error || random() < 0.2 ? null : Math.round(random() * 1e6) / 1e9;
      const total = 10 + Math.floor(random() * 90);
      const tokens = error || random() < 0.15 ? null : { prompt: total - 5, completion: 5, total };
      rows.push({
        id: `case-${index}`,
        index,
        repeat,
        vars: { text: `question ${index}` },
        expected,
        tags,
        provider: "openai:m1",
        prompt: `question ${index}`,
        output,
        error,
        scores,
        pass: error === null && scores.every((s) => s.pass),
        latencyMs,
        tokens,
        cost,
        cached: random() < 0.1,
      });
    }
  }
  return rows;
}

export interface Scenario {
  name: string;
  rows: CaseResult[];
  input: Omit<SummaryInput, "rows">;
}

const base = {
  suiteDigest: `sha256:${"ab".repeat(32)}`,
  providers: ["openai:m1"],
  startedAt: "2026-01-02T03:04:05.000Z",
  finishedAt: "2026-01-02T03:09:05.000Z",
};

const mixedGates: GateConfig[] = [
  { metric: "exact", min: 0.5 },
  { metric: "pass_rate", min: 0.3, eachSlice: "lang" },
  { metric: "score", maxGap: 0.2, across: "size" },
  { metric: "latency_ms", max: 500, slice: { region: "eu" } },
  { metric: "exact", min: 0.1, max: 0.9, slice: { lang: "de", size: "s" } },
  { metric: "cost", max: 0.001, eachSlice: "region" },
  { metric: "tokens", maxGap: 5, eachSlice: "size" },
  { metric: "error_rate", max: 0.05 },
];

export function scenarios(): Scenario[] {
  const mixedScorers = [
    { name: "exact", threshold: 1 },
    { name: "fuzzy", threshold: 0.5, missing: 0.05 },
    { name: "judge", threshold: 0.75 },
  ];
  const mixedTags = {
    lang: { values: ["de", "en", "fr", "ja"], missing: 0.05 },
    size: { values: ["s", "m", "l"] },
    region: { values: ["eu", "us"], missing: 0.3 },
  };
  const mixedRows = makeRows({ cases: 300, repeats: 3, seed: 7, scorers: mixedScorers, errorRate: 0.07, tags: mixedTags });
  const mixedScorerStubs = [scorerStub("exact", 2), scorerStub("fuzzy", 1), scorerStub("judge", 0.5, false)];
  return [
    {
      name: "mixed: repeats with a 2-of-3 pass rule, weighted scorers, missing scores, errors, slices, gate-only keys",
      rows: mixedRows,
      input: {
        ...base,
        suite: "mixed",
        scorers: mixedScorerStubs,
        gates: mixedGates,
        sliceKeys: ["lang", "size"],
        passRule: { k: 2 },
        complete: true,
        seed: 0,
      },
    },
    {
      name: "mixed rows, a different bootstrap seed and no pass rule",
      rows: mixedRows,
      input: {
        ...base,
        suite: "mixed-seed",
        scorers: mixedScorerStubs,
        gates: mixedGates,
        sliceKeys: ["size", "lang", "region"],
        complete: true,
        seed: 42,
      },
    },
    {
      name: "corpus scorer next to a mean scorer",
      rows: makeRows({
        cases: 150,
        repeats: 1,
        seed: 11,
        scorers: [
          { name: "overlap", threshold: 0.5 },
          { name: "exact", threshold: 1 },
        ],
        errorRate: 0.05,
        tags: { lang: { values: ["de", "en"] } },
      }),
      input: {
        ...base,
        suite: "corpus",
        scorers: [overlapCorpus, scorerStub("exact", 1)],
        gates: [
          { metric: "overlap", min: 0.4 },
          { metric: "overlap", min: 0.1, eachSlice: "lang" },
        ],
        sliceKeys: ["lang"],
        complete: true,
      },
    },
    {
      name: "an interrupted run with gaps",
      rows: makeRows({
        cases: 80,
        repeats: 2,
        seed: 5,
        scorers: [{ name: "exact", threshold: 1 }],
        errorRate: 0.1,
        tags: { lang: { values: ["de", "en"] } },
        keep: 0.6,
      }),
      input: {
        ...base,
        suite: "interrupted",
        scorers: [scorerStub("exact", 1)],
        gates: [{ metric: "exact", min: 0.9 }],
        sliceKeys: ["lang"],
        complete: false,
      },
    },
    {
      name: "a shard",
      rows: makeRows({ cases: 60, repeats: 1, seed: 3, scorers: [{ name: "exact", threshold: 1 }], errorRate: 0, tags: {}, keep: 0.5 }),
      input: {
        ...base,
        suite: "sharded",
        scorers: [scorerStub("exact", 1)],
        gates: [{ metric: "exact", min: 0.9 }],
        sliceKeys: [],
        complete: true,
        shard: { index: 2, count: 3 },
      },
    },
    {
      name: "single rows per slice, constant samples, every call failed in one slice",
      rows: makeRows({
        cases: 6,
        repeats: 1,
        seed: 1,
        scorers: [{ name: "exact", threshold: 1 }],
        errorRate: 0.3,
        tags: { lang: { values: ["de", "en", "fr", "it", "pt", "nl"] } },
      }),
      input: {
        ...base,
        suite: "tiny",
        scorers: [scorerStub("exact", 1)],
        gates: [
          { metric: "latency_ms", max: 1000, eachSlice: "lang" },
          { metric: "exact", maxGap: 1, across: "lang" },
        ],
        sliceKeys: ["lang"],
        complete: true,
      },
    },
    {
      name: "no scorers with weight (no score metric)",
      rows: makeRows({
        cases: 40,
        repeats: 1,
        seed: 9,
        scorers: [{ name: "free", threshold: 0.5 }],
        errorRate: 0.05,
        tags: { t: { values: ["a", "b"] } },
      }),
      input: {
        ...base,
        suite: "weightless",
        scorers: [scorerStub("free", 0)],
        gates: [{ metric: "score", min: 0 }],
        sliceKeys: ["t"],
        complete: true,
      },
    },
    {
      name: "no rows at all (interrupted before the first case finished)",
      rows: [],
      input: {
        ...base,
        suite: "empty",
        scorers: [scorerStub("exact", 1)],
        gates: [{ metric: "exact", min: 0.9 }],
        sliceKeys: ["lang"],
        complete: true,
      },
    },
  ];
}

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CaseResult, RunSummary } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { AtomicFileWriter, readResultsFile, resultLine } from "../../src/results/stream.ts";
import { buildRunSummary, summarizeRun, summaryColumns } from "../../src/results/summary.ts";
import { toJsonl } from "../../src/results/write.ts";
import type { Scorer } from "../../src/scorers/types.ts";
import referenceFixture from "./fixtures/summary-reference.json" with { type: "json" };
import { referenceRunSummary } from "./reference-summary.ts";
import { type Scenario, scenarios } from "./summary-scenarios.ts";

/**
 * The summary a run gets from streamed results and compact columns is the summary the in-memory
 * aggregation gave for the same rows: checked against
 * - fixtures/summary-reference.json, written by the in-memory code of commit 4bd0737 (see
 *   fixtures/make_summary_fixture.ts for how), and
 * - reference-summary.ts, that code kept verbatim, on the same scenarios and on random runs.
 */

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A run as `execute` streams it: rows in case order to results.jsonl and into the columns. */
async function streamRun(scenario: Scenario): Promise<{ summary: RunSummary; file: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-summary-eq-"));
  dirs.push(dir);
  const columns = summaryColumns(scenario.input);
  const writer = await AtomicFileWriter.open(join(dir, "results.jsonl"));
  for (const row of scenario.rows) {
    columns.add(row);
    await writer.write(resultLine(row));
  }
  await writer.finish();
  const summary = summarizeRun({ ...scenario.input, columns });
  return { summary, file: await readFile(join(dir, "results.jsonl"), "utf8"), dir };
}

/** As written to summary.json and read back. */
const asJson = (summary: RunSummary): unknown => JSON.parse(JSON.stringify(summary));

/**
 * Gate wording (description, reason) comes from gates/gates.ts, which changes on its own; the
 * fixture pins the aggregation, so gates are compared by their numbers and verdicts.
 */
function withoutGateWording(summary: unknown): unknown {
  const s = summary as { gates: Record<string, unknown>[] };
  return { ...s, gates: s.gates.map(({ description: _d, reason: _r, ...rest }) => rest) };
}

const fixture = referenceFixture as Record<string, unknown>;

describe("summary of a streamed run equals the in-memory summary", () => {
  for (const scenario of scenarios()) {
    it(scenario.name, async () => {
      const streamed = await streamRun(scenario);
      // results.jsonl is byte for byte what the in-memory path wrote.
      expect(streamed.file).toBe(toJsonl(scenario.rows));
      expect(await readdir(streamed.dir)).toEqual(["results.jsonl"]);
      // The committed output of the code before the change.
      expect(fixture[scenario.name]).toBeDefined();
      expect(withoutGateWording(asJson(streamed.summary))).toEqual(withoutGateWording(fixture[scenario.name]));
      // That code itself (with today's gates), in full.
      const reference = referenceRunSummary({ ...scenario.input, rows: scenario.rows });
      expect(streamed.summary).toEqual(reference);
      expect(JSON.stringify(streamed.summary)).toBe(JSON.stringify(reference));
      // And the rows API, which goes through the same columns.
      expect(buildRunSummary({ ...scenario.input, rows: scenario.rows })).toEqual(reference);
    });
  }

  it("the fixture covers every scenario", () => {
    expect(Object.keys(fixture).sort()).toEqual(
      scenarios()
        .map((s) => s.name)
        .sort(),
    );
  });

  it("a run read back from its results.jsonl gives the same summary again", async () => {
    const [mixed] = scenarios();
    const streamed = await streamRun(mixed!);
    const rows: CaseResult[] = [];
    for await (const row of readResultsFile(join(streamed.dir, "results.jsonl"))) rows.push(row);
    expect(buildRunSummary({ ...mixed!.input, rows })).toEqual(streamed.summary);
  });
});

/** A small LCG for the random runs (independent of the code under test). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

const stub = (name: string, weight: number, extra: Partial<Scorer> = {}): Scorer => ({
  name,
  type: name,
  weight,
  higherIsBetter: true,
  scoreCase: async () => ({ score: 0, pass: false }),
  ...extra,
});

function randomRun(seed: number): { rows: CaseResult[]; scorers: Scorer[] } {
  const random = lcg(seed);
  const scorers = [stub("a", 1 + Math.floor(random() * 3)), stub("b", random() < 0.3 ? 0 : 1)];
  if (random() < 0.3) {
    scorers.push(stub("c", 1, { corpus: (inputs) => ({ value: inputs.filter((i) => i.output === "yes").length / inputs.length }) }));
  }
  const cases = 1 + Math.floor(random() * 60);
  const repeats = 1 + Math.floor(random() * 3);
  const rows: CaseResult[] = [];
  for (let index = 0; index < cases; index++) {
    const tags: Record<string, string> = {};
    if (random() < 0.8) tags.k = ["x", "y", "z"][Math.floor(random() * 3)]!;
    if (random() < 0.5) tags.g = random() < 0.5 ? "p" : "q";
    for (let repeat = 0; repeat < repeats; repeat++) {
      if (random() < 0.1) continue;
      const error = random() < 0.1 ? "boom" : null;
      const scores = scorers.flatMap((s) =>
        random() < 0.1
          ? []
          : [{ name: s.name, type: s.name, score: error ? 0 : Math.floor(random() * 5) / 4, pass: random() < 0.7, weight: s.weight }],
      );
      rows.push({
        id: `c${index}`,
        index,
        repeat,
        vars: {},
        tags,
        provider: "p",
        output: error ? null : random() < 0.5 ? "yes" : "no",
        error,
        scores,
        pass: !error && scores.every((s) => s.pass),
        latencyMs: error ? 0 : Math.floor(random() * 5) * 10,
        tokens: random() < 0.3 ? null : { prompt: 1, completion: 1, total: 2 + Math.floor(random() * 3) },
        cost: random() < 0.3 ? null : Math.floor(random() * 4) / 1000,
        cached: false,
      });
    }
  }
  return { rows, scorers };
}

describe("random runs against the reference implementation", () => {
  const base = {
    suite: "r",
    suiteDigest: `sha256:${"0".repeat(64)}`,
    providers: ["p"],
    startedAt: "a",
    finishedAt: "b",
    complete: true,
    sliceKeys: ["k"],
    gates: [
      { metric: "a", min: 0.3, eachSlice: "k" },
      { metric: "score", min: 0.2, slice: { k: "x", g: "p" } },
      { metric: "pass_rate", maxGap: 0.5, across: "g" },
      { metric: "latency_ms", maxGap: 10 },
    ],
  };

  it("gives the same summaries, for rows in case order and shuffled", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { rows, scorers } = randomRun(seed);
      const input = { ...base, scorers, passRule: seed % 2 ? { k: 1 } : {}, seed };
      const reference = referenceRunSummary({ ...input, rows });
      const columns = summaryColumns(input);
      for (const row of rows) columns.add(row);
      expect(summarizeRun({ ...input, columns }), `seed ${seed}`).toEqual(reference);
      const random = lcg(seed * 7);
      const shuffled = rows.map((row) => ({ row, key: random() })).sort((x, y) => x.key - y.key);
      expect(buildRunSummary({ ...input, rows: shuffled.map((s) => s.row) }), `seed ${seed}, shuffled`).toEqual(reference);
    }
  });

  it("keeps a NaN score as the in-memory path did (it was averaged in, not dropped)", () => {
    const { rows, scorers } = randomRun(5);
    rows[0]!.scores = rows[0]!.scores.map((s) => ({ ...s, score: Number.NaN }));
    rows[0]!.cost = Number.NaN;
    const input = { ...base, scorers };
    const columns = summaryColumns(input);
    for (const row of rows) columns.add(row);
    expect(summarizeRun({ ...input, columns })).toEqual(referenceRunSummary({ ...input, rows }));
  });
});

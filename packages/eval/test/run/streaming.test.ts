import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, loadConfig, type RunSummary, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readResultsFile } from "../../src/results/stream.ts";
import { buildRunSummary } from "../../src/results/summary.ts";
import { toJsonl } from "../../src/results/write.ts";
import { prepareSuite } from "../../src/run/suite.ts";
import type { Clock } from "../../src/run/types.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-streaming-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Latencies are all 0 on this clock, so two runs of the same suite give identical rows. */
const stillClock: Clock = { now: () => 0, sleep: async () => {} };

/**
 * A module provider that answers after a pseudo-random delay (so completions come out of order)
 * and fails a few cases; 240 cases × 2 repeats, two slices, a gate-only key.
 */
async function prepare(extra: string[] = []) {
  await writeFile(
    join(dir, "model.mjs"),
    [
      "export default async ({ vars }) => {",
      "  const n = Number(vars.n);",
      "  await new Promise((resolve) => setTimeout(resolve, (n * 7919) % 13));",
      '  if (n % 37 === 5) throw new Error("model overloaded");',
      '  return (n % 3 === 0 ? "wrong " : "answer ") + n;',
      "};",
      "",
    ].join("\n"),
  );
  const cases = Array.from({ length: 240 }, (_, n) =>
    JSON.stringify({
      id: `c${n}`,
      vars: { n },
      expected: `answer ${n}`,
      tags: { lang: ["de", "en", "fr"][n % 3], size: n % 2 ? "s" : "l", team: n % 5 ? "a" : "b" },
    }),
  );
  await writeFile(join(dir, "cases.jsonl"), `${cases.join("\n")}\n`);
  await writeFile(
    join(dir, "llmops.yaml"),
    [
      "suites:",
      "  - name: s",
      "    provider: { type: module, path: model.mjs }",
      '    prompt: "{{n}}"',
      "    casesFrom: cases.jsonl",
      "    scorers: [{ type: equals, name: exact }, { type: contains, name: mentions, value: answer }]",
      "    slices: [lang, size]",
      "    repeats: 2",
      "    retries: 0",
      "    concurrency: 16",
      "    gates: [{ metric: exact, min: 0.5, eachSlice: lang }, { metric: pass_rate, min: 0.5, slice: { team: b } }]",
      ...extra,
      "",
    ].join("\n"),
  );
  const loaded = await loadConfig(undefined, { cwd: dir });
  return prepareSuite({ loaded, suite: loaded.config.suites[0]!, suiteIndex: 0, env: {}, logger: silentLogger });
}

const times = (summary: RunSummary) => ({ ...summary, startedAt: "", finishedAt: "" });

async function rowsOf(file: string): Promise<CaseResult[]> {
  const rows: CaseResult[] = [];
  for await (const row of readResultsFile(file)) rows.push(row);
  return rows;
}

describe("execute with an output directory (results streamed to disk)", () => {
  it("writes the results.jsonl and summary an in-memory run gives, byte for byte", async () => {
    const prepared = await prepare();
    const [inMemory] = await prepared.execute({ cacheDir: null, clock: stillClock });
    const out = join(dir, "out");
    const [streamed] = await prepared.execute({
      cacheDir: null,
      clock: stillClock,
      outDir: () => out,
      renderers: {
        junit: (summary, cases) => `junit ${summary.suite} ${cases.length}\n`,
        markdown: (summary, cases) => `md ${summary.cases} ${cases?.length}\n`,
      },
    });
    expect(inMemory!.rows).toHaveLength(480);
    expect(streamed!.rows).toEqual([]);
    expect(streamed!.written).toMatchObject({ dir: out, resultsPath: join(out, "results.jsonl"), summaryPath: join(out, "summary.json") });
    const file = await readFile(join(out, "results.jsonl"), "utf8");
    expect(file).toBe(toJsonl(inMemory!.rows));
    expect(times(streamed!.summary)).toEqual(times(inMemory!.summary));
    expect(times(streamed!.summary)).toEqual(
      times(buildRunSummary({ ...summaryInputOf(prepared, streamed!.summary), rows: await rowsOf(join(out, "results.jsonl")) })),
    );
    expect(JSON.parse(await readFile(join(out, "summary.json"), "utf8"))).toEqual(JSON.parse(JSON.stringify(streamed!.summary)));
    expect(await readFile(join(out, "junit.xml"), "utf8")).toBe("junit s 480\n");
    // Only the errored and failing rows reach the Markdown renderer: it lists those.
    const notPassing = inMemory!.rows.filter((r) => r.error !== null || !r.pass).length;
    expect(await readFile(join(out, "summary.md"), "utf8")).toBe(`md 240 ${notPassing}\n`);
    expect((await readdir(out)).sort()).toEqual(["junit.xml", "results.jsonl", "summary.json", "summary.md"]);
  });

  it("an interrupted run leaves the finished rows in case order and an incomplete summary, no temp file", async () => {
    const prepared = await prepare();
    const out = join(dir, "out");
    const controller = new AbortController();
    let seen = 0;
    const [run] = await prepared.execute({
      cacheDir: null,
      clock: stillClock,
      outDir: () => out,
      signal: controller.signal,
      onProgress: (_variant, progress) => {
        if (progress.done >= 100 && seen++ === 0) controller.abort(new Error("interrupted by SIGINT"));
      },
    });
    const rows = await rowsOf(join(out, "results.jsonl"));
    expect(rows.length).toBeGreaterThanOrEqual(100);
    expect(rows.length).toBeLessThan(480);
    const order = rows.map((r) => r.index * 2 + r.repeat);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(run!.summary).toMatchObject({ complete: false, passed: false, gates: [] });
    expect(run!.summary.cases).toBe(new Set(rows.map((r) => r.index)).size);
    expect(await readdir(out)).toEqual(["results.jsonl", "summary.json"]);
  });

  it("replaces a previous run's results only when the new file is complete", async () => {
    const prepared = await prepare();
    const out = join(dir, "out");
    await mkdir(out, { recursive: true });
    await writeFile(join(out, "results.jsonl"), "previous\n");
    let during: string | undefined;
    await prepared.execute({
      cacheDir: null,
      clock: stillClock,
      outDir: () => out,
      onProgress: (_variant, progress) => {
        if (progress.done === 300) during = readFileSync(join(out, "results.jsonl"), "utf8");
      },
    });
    // While the run was going, readers saw the previous file (the new one was a temp file).
    expect(during).toBe("previous\n");
    expect((await readFile(join(out, "results.jsonl"), "utf8")).split("\n")).toHaveLength(481);
  });

  it("fails before any provider call when the output directory cannot be made", async () => {
    const prepared = await prepare();
    let calls = 0;
    // A file where the directory should be (chmod would not stop root).
    await expect(
      prepared.execute({ cacheDir: null, outDir: () => join(dir, "cases.jsonl", "out"), onProgress: () => calls++ }),
    ).rejects.toThrow(/ENOTDIR|EEXIST/);
    expect(calls).toBe(0);
  });
});

function summaryInputOf(prepared: Awaited<ReturnType<typeof prepare>>, summary: RunSummary) {
  return {
    suite: summary.suite,
    suiteDigest: summary.suiteDigest,
    scorers: prepared.scorers,
    gates: prepared.suite.gates,
    sliceKeys: prepared.suite.slices,
    providers: summary.providers,
    startedAt: summary.startedAt,
    finishedAt: summary.finishedAt,
    complete: summary.complete,
  };
}

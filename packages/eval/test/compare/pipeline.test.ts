import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type CaseResult,
  type Comparison,
  compareReportSchema,
  comparisonSchema,
  type HistoryPoint,
  type RunSummary,
  recordingLogger,
  silentLogger,
  UsageError,
} from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  type BaselineResolvers,
  type ComparePipelineOptions,
  type ComparisonRenderers,
  fileBaselineResolver,
  loadCompareConfig,
  parseBaselineSpec,
  runComparePipeline,
  storeBaselineResolver,
} from "../../src/compare/index.ts";
import { memoryStore, pairedRuns, run } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "llmops-pipeline-"));
  dirs.push(dir);
  return dir;
}

async function writeResults(dir: string, results: { summary: RunSummary; cases: CaseResult[] }): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "summary.json"), JSON.stringify(results.summary));
  await writeFile(path.join(dir, "results.jsonl"), `${results.cases.map((c) => JSON.stringify(c)).join("\n")}\n`);
}

/** Renderers that record what they were given, so the pipeline's hand-over is visible. */
function recordingRenderers() {
  const calls: { suite: string; history: HistoryPoint[]; mainMetric: string | undefined }[] = [];
  const summaries: Record<string, HistoryPoint[]>[] = [];
  const renderers: ComparisonRenderers = {
    suite(c, context) {
      calls.push({ suite: c.suite, ...context });
      return `# ${c.suite}: ${c.verdict} (${c.baseline.description})\n`;
    },
    summary(comparisons, context) {
      summaries.push(context.history);
      return comparisons.map((c) => `# ${c.suite}\n`).join("");
    },
  };
  return { renderers, calls, summaries };
}

function pipeline(cwd: string, options: Partial<ComparePipelineOptions> = {}) {
  const { renderers } = recordingRenderers();
  return runComparePipeline({
    head: "head",
    resolvers: { file: fileBaselineResolver({ cwd }) },
    renderers,
    out: "out",
    cwd,
    logger: silentLogger,
    ...options,
  });
}

describe("baseline specs", () => {
  it("parses the action input's spelling and rejects others with what it expected", () => {
    expect(parseBaselineSpec("alias:clf:production")).toEqual({ kind: "alias", ref: "clf:production" });
    expect(parseBaselineSpec(" branch ")).toEqual({ kind: "branch" });
    expect(parseBaselineSpec("file:results/qa")).toEqual({ kind: "file", path: "results/qa" });
    expect(parseBaselineSpec("none")).toEqual({ kind: "none" });
    expect(() => parseBaselineSpec("production")).toThrow(
      'baseline "production": expected alias:<artifact>:<alias>, branch, file:<path> or none',
    );
  });
});

describe("loadCompareConfig", () => {
  it("uses defaults without a file unless one is required, and lays overrides over the section", async () => {
    const dir = await tempDir();
    expect(await loadCompareConfig({ file: "llmops.yaml", cwd: dir })).toEqual({
      compare: undefined,
      store: undefined,
      suites: [],
      dir,
      doc: undefined,
    });
    await expect(loadCompareConfig({ file: "llmops.yaml", required: true, cwd: dir })).rejects.toThrow(/llmops\.yaml/);
    await mkdir(path.join(dir, "conf"));
    await writeFile(
      path.join(dir, "conf", "llmops.yaml"),
      "store: s\ncompare:\n  alpha: 0.1\n  gates:\n    pass_rate: { maxDrop: 0.02 }\n    exact: { maxDrop: 0.1 }\n",
    );
    const loaded = await loadCompareConfig({
      file: "conf/llmops.yaml",
      cwd: dir,
      overrides: { text: "{ noBaseline: fail, gates: { pass_rate: { maxDrop: 0.5 } } }", name: "gates input" },
    });
    expect(loaded.dir).toBe(path.join(dir, "conf"));
    expect(loaded.store).toBe("s");
    expect(loaded.doc?.file).toBe(path.join(dir, "conf", "llmops.yaml"));
    expect(loaded.compare).toEqual({ alpha: 0.1, noBaseline: "fail", gates: { pass_rate: { maxDrop: 0.5 }, exact: { maxDrop: 0.1 } } });
    await expect(
      loadCompareConfig({ cwd: dir, overrides: { text: "gates:\n  x: { maxDorp: 1 }\n", name: "gates input" } }),
    ).rejects.toThrow(/^gates input:2:\d+: gates\.x\.maxDorp: unknown key "maxDorp"/);
  });
});

describe("runComparePipeline", () => {
  it("writes report.json, summary.md and each suite's comparison.json and comment.md", async () => {
    const dir = await tempDir();
    const { baseline, head } = pairedRuns({ both: 30, b: 3, c: 17, neither: 10 });
    await writeResults(path.join(dir, "base"), baseline);
    await writeResults(path.join(dir, "head"), head);
    const { renderers, calls } = recordingRenderers();
    const result = await pipeline(dir, {
      baseline: { kind: "file", path: "base" },
      renderers,
      subject: { sha: "e".repeat(40), pullRequest: 7 },
    });
    const out = path.join(dir, "out");
    expect(result).toMatchObject({
      verdict: "pass",
      reportDir: out,
      reportPath: path.join(out, "report.json"),
      summaryPath: path.join(out, "summary.md"),
      regressionCount: 0,
      notices: [],
    });
    const [suite] = result.suites;
    expect(suite).toMatchObject({
      suite: "sentiment",
      directory: "sentiment",
      comparisonPath: path.join(out, "sentiment", "comparison.json"),
      markdownPath: path.join(out, "sentiment", "comment.md"),
      regressions: { metrics: [], gates: [] },
    });
    expect(suite?.comparison.baseline).toEqual({ source: "file", description: "results in base" });
    expect(calls).toEqual([{ suite: "sentiment", history: [], mainMetric: "exact" }]);
    expect(comparisonSchema.parse(JSON.parse(await readFile(suite!.comparisonPath, "utf8")))).toEqual(suite?.comparison);
    expect(await readFile(suite!.markdownPath, "utf8")).toBe(suite?.markdown);
    expect(await readFile(result.summaryPath, "utf8")).toBe("# sentiment\n");
    expect(compareReportSchema.parse(JSON.parse(await readFile(result.reportPath, "utf8")))).toEqual({
      schemaVersion: 1,
      verdict: "pass",
      sha: "e".repeat(40),
      pullRequest: 7,
      suites: [{ suite: "sentiment", directory: "sentiment", verdict: "pass", regressions: { metrics: [], gates: [] } }],
    });
  });

  it("gives every suite its own one-level directory, distinct even when names differ only in case or separators", async () => {
    const dir = await tempDir();
    for (const [sub, suite] of [
      ["a", "qa/openai:gpt-4o"],
      ["b", "qa_openai_gpt-4o"],
      ["c", "QA"],
      ["d", "qa"],
      ["e", ".."],
    ] as const)
      await writeResults(path.join(dir, "head", sub), run(suite, [{ id: "x", pass: true }]));
    const result = await pipeline(dir);
    expect(result.suites.map((s) => [s.suite, s.directory])).toEqual([
      ["qa/openai:gpt-4o", "qa_openai_gpt-4o"],
      ["qa_openai_gpt-4o", "qa_openai_gpt-4o-2"],
      ["QA", "QA"],
      ["qa", "qa-2"],
      ["..", "__"],
    ]);
    const report = compareReportSchema.parse(JSON.parse(await readFile(result.reportPath, "utf8")));
    expect(report.suites.map((s) => s.directory)).toEqual(result.suites.map((s) => s.directory));
  });

  it("compares each suite with the same suite of a baseline tree; a suite it lacks is head-only, with a notice", async () => {
    const dir = await tempDir();
    const alpha = pairedRuns({ both: 5, b: 0, c: 0, neither: 0 }, "alpha");
    await writeResults(path.join(dir, "base", "alpha"), alpha.baseline);
    await writeResults(path.join(dir, "base", "gamma"), pairedRuns({ both: 5, b: 0, c: 0, neither: 0 }, "gamma").baseline);
    await writeResults(path.join(dir, "head", "alpha"), alpha.head);
    await writeResults(path.join(dir, "head", "beta"), pairedRuns({ both: 5, b: 0, c: 0, neither: 0 }, "beta").head);
    const result = await pipeline(dir, { baseline: { kind: "file", path: "base" } });
    expect(result.suites.map((s) => s.comparison.baseline)).toEqual([
      { source: "file", description: `results in ${path.join("base", "alpha")}` },
      { source: "none", description: 'no results of suite "beta" in base' },
    ]);
    expect(result.notices).toEqual(['suite "beta": no baseline (no results of suite "beta" in base); this is a head-only report']);
  });

  it("compares one suite with one baseline whatever its name, so a different suite is an error naming both", async () => {
    const dir = await tempDir();
    await writeResults(path.join(dir, "base"), pairedRuns({ both: 2, b: 0, c: 0, neither: 0 }, "toxicity").baseline);
    await writeResults(path.join(dir, "head"), pairedRuns({ both: 2, b: 0, c: 0, neither: 0 }, "sentiment").head);
    await expect(pipeline(dir, { baseline: { kind: "file", path: "base" } })).rejects.toThrow(
      'suites do not match: head is suite "sentiment" but the baseline is suite "toxicity"',
    );
  });

  it("resolves the config's file baseline from the config's directory, an explicit one from cwd", async () => {
    const dir = await tempDir();
    const { baseline, head } = pairedRuns({ both: 4, b: 0, c: 0, neither: 0 });
    await writeResults(path.join(dir, "conf", "base"), baseline);
    await writeResults(path.join(dir, "head"), head);
    await writeFile(path.join(dir, "conf", "llmops.yaml"), "compare:\n  baseline: { file: base }\n");
    const configured = await pipeline(dir, { config: { file: "conf/llmops.yaml", required: true } });
    expect(configured.suites[0]?.comparison.baseline.description).toBe(`results in ${path.join("conf", "base")}`);
    await expect(pipeline(dir, { config: { file: "conf/llmops.yaml" }, baseline: { kind: "file", path: "base" } })).rejects.toThrow(
      /results .*base: not found/,
    );
  });

  it("says why there is no baseline: none asked for, none given, or the caller's hint", async () => {
    const dir = await tempDir();
    await writeResults(path.join(dir, "head"), pairedRuns({ both: 2, b: 0, c: 0, neither: 0 }).head);
    const describe = async (options: Partial<ComparePipelineOptions>) =>
      (await pipeline(dir, options)).suites[0]?.comparison.baseline.description;
    expect(await describe({ baseline: { kind: "none" } })).toBe("no baseline (none was asked for)");
    expect(await describe({})).toBe("no baseline configured");
    expect(await describe({ noBaselineGiven: "no baseline given (--baseline)" })).toBe("no baseline given (--baseline)");
  });

  it("refuses a baseline kind the caller cannot resolve before reading anything", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "llmops.yaml"), "compare:\n  baseline: { branch: true }\n");
    const branch = pipeline(dir, { head: "missing", config: { file: "llmops.yaml" } });
    await expect(branch).rejects.toThrow(UsageError);
    await expect(branch).rejects.toThrow(/base branch's results are downloaded by actions\/compare/);
    await expect(pipeline(dir, { head: "missing", baseline: { kind: "alias", ref: "m:production" } })).rejects.toThrow(
      "baseline alias: cannot be resolved here",
    );
  });

  it("takes an alias baseline from the store the option, the config or the default names, opening it once", async () => {
    const dir = await tempDir();
    const { baseline, head } = pairedRuns({ both: 4, b: 1, c: 0, neither: 0 }, "s");
    await writeResults(path.join(dir, "head"), head);
    const evidence = memoryStore([
      {
        created: "2026-01-01T00:00:00Z",
        suite: "s",
        summary: baseline.summary,
        results: baseline.cases.map((c) => JSON.stringify(c)).join("\n"),
      },
    ]);
    const opened: string[] = [];
    const queries: unknown[] = [];
    const resolvers: BaselineResolvers = {
      alias: storeBaselineResolver({
        openStore: (candidates) => {
          opened.push(JSON.stringify(candidates));
          return evidence;
        },
        logger: silentLogger,
        history: async (_store, query) => {
          queries.push(query);
          return [{ label: "v1", value: 0.5 }];
        },
      }),
    };
    const { renderers, calls, summaries } = recordingRenderers();
    const aliased = { baseline: { kind: "alias", ref: "m:production" } as const, resolvers, renderers };
    const result = await pipeline(dir, aliased);
    expect(result.suites[0]?.comparison.baseline).toEqual({
      source: "alias",
      description: 'suite "s" results recorded on m:production (v3)',
      digest: `sha256:${"c".repeat(64)}`,
    });
    expect(queries).toEqual([{ name: "m", alias: "production", suite: "s", metric: "exact" }]);
    expect(calls[0]?.history).toEqual([{ label: "v1", value: 0.5 }]);
    expect(summaries[0]).toEqual({ s: [{ label: "v1", value: 0.5 }] });

    await writeFile(path.join(dir, "llmops.yaml"), "store: from-config\n");
    await pipeline(dir, { ...aliased, config: { file: "llmops.yaml" } });
    await pipeline(dir, { ...aliased, config: { file: "llmops.yaml" }, store: "from-option" });
    // The pipeline hands the caller both candidates; which wins is @llmops/store's chooseStore.
    expect(opened).toEqual([
      JSON.stringify({ input: undefined, config: undefined }),
      JSON.stringify({ input: undefined, config: "from-config" }),
      JSON.stringify({ input: "from-option", config: "from-config" }),
    ]);
  });

  it("returns each suite's head run and regressions, and a failing verdict when a gate fails", async () => {
    const dir = await tempDir();
    const { baseline, head } = pairedRuns({ both: 30, b: 17, c: 3, neither: 10 });
    await writeResults(path.join(dir, "base"), baseline);
    await writeResults(path.join(dir, "head"), head);
    const logger = recordingLogger();
    const result = await pipeline(dir, {
      baseline: { kind: "file", path: "base" },
      config: { overrides: { text: "{ resamples: 1000, gates: { pass_rate: { maxDrop: 0.05 } } }", name: "gates input" } },
      logger,
    });
    const [suite] = result.suites;
    expect(result.verdict).toBe("fail");
    expect(suite?.head.cases).toHaveLength(60);
    expect(suite?.regressions.gates).toEqual(["pass_rate drop <= 0.05 vs baseline"]);
    expect(result.regressionCount).toBe(suite?.regressions.metrics.length);
    const written = compareReportSchema.parse(JSON.parse(await readFile(result.reportPath, "utf8")));
    expect(written.verdict).toBe("fail");
    expect(written.suites[0]?.regressions).toEqual(suite?.regressions);
    const comparison: Comparison = comparisonSchema.parse(JSON.parse(await readFile(suite!.comparisonPath, "utf8")));
    expect(comparison.verdict).toBe("fail");
  });
});

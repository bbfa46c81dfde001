import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, caseResultSchema, silentLogger } from "@llmops/core";
import { readRunResults, recordEvalEvidence } from "@llmops/eval";
import { openStore } from "@llmops/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configYaml, writeRun } from "../../../actions/compare/test/results-fixture.ts";
import { parseBaselineSpec, runPullRequestCompare } from "../src/pr-compare.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-pr-compare-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const passes = (n: number, failing: number) => Array.from({ length: n }, (_, i) => i >= failing);

describe("runPullRequestCompare", () => {
  it("compares with the eval evidence of the version an alias points to, and charts the alias's trend", async () => {
    const store = openStore(join(dir, "store"), { logger: silentLogger, cwd: dir, cacheDir: join(dir, "cache") });
    // Three production models over time with pass rates 0.5, 0.75, 1.0 on the suite.
    for (const [i, failing] of [20, 10, 0].entries()) {
      await mkdir(join(dir, `model${i}`), { recursive: true });
      await writeFile(join(dir, `model${i}`, "weights.bin"), `weights ${i}`);
      const version = await store.version({
        path: join(dir, `model${i}`),
        name: "clf",
        kind: "model",
        created: `2026-01-0${i + 1}T00:00:00Z`,
      });
      await store.tag(version.ref, "production");
      await writeRun(join(dir, `eval${i}`), "qa", passes(40, failing));
      const run = await readRunResults(join(dir, `eval${i}`));
      await recordEvalEvidence(store, await store.resolve(version.ref), run.summary, run.cases as CaseResult[]);
    }
    await writeRun(join(dir, "head"), "qa", passes(40, 2));
    await writeFile(
      join(dir, "llmops.yaml"),
      configYaml("qa", 40, "store: store\ncompare:\n  baseline: { alias: production, artifact: clf }\n"),
    );
    const result = await runPullRequestCompare({
      results: "head",
      config: "llmops.yaml",
      reportDir: "out",
      comment: "off",
      checkRun: false,
      cwd: dir,
      logger: silentLogger,
    });
    const report = result.suites[0];
    expect(report?.comparison.baseline).toMatchObject({ source: "alias" });
    expect(report?.comparison.matched).toBe(40);
    expect(report?.comparison.flips.map((f) => f.id)).toEqual(["case-0", "case-1"]);
    // pass_rate of v1, v2, v3 (production now), then this PR's 0.95.
    expect(report?.markdown).toContain('x-axis ["v1", "v2", "v3", "this PR"]');
    expect(report?.markdown).toContain("line [0.5, 0.75, 1, 0.95]");
    expect(await readFile(join(dir, "out/qa/comment.md"), "utf8")).toBe(report?.markdown);
    expect(JSON.parse(await readFile(join(dir, "out/report.json"), "utf8"))).toMatchObject({
      verdict: "pass",
      suites: [{ suite: "qa", directory: "qa" }],
    });
  });

  it("reports head only, with a notice, when the alias has no evidence of the suite", async () => {
    const store = openStore(join(dir, "store"), { logger: silentLogger, cwd: dir, cacheDir: join(dir, "cache") });
    await mkdir(join(dir, "m"), { recursive: true });
    await writeFile(join(dir, "m", "w.bin"), "w");
    const version = await store.version({ path: join(dir, "m"), name: "clf", kind: "model" });
    await store.tag(version.ref, "production");
    await writeRun(join(dir, "head"), "qa", passes(10, 0));
    const result = await runPullRequestCompare({
      results: "head",
      baseline: "alias:clf:production",
      store: join(dir, "store"),
      reportDir: "out",
      comment: "off",
      checkRun: false,
      cwd: dir,
      logger: silentLogger,
    });
    expect(result.suites[0]?.comparison.baseline.source).toBe("none");
    expect(result.notices[0]).toContain("no baseline");
    expect(result.summary).toContain("head-only report");
  });

  it("parses baseline specs and rejects others with what it expected", () => {
    expect(parseBaselineSpec("alias:clf:production")).toEqual({ kind: "alias", ref: "clf:production" });
    expect(parseBaselineSpec("branch")).toEqual({ kind: "branch" });
    expect(parseBaselineSpec("file:results/qa")).toEqual({ kind: "file", path: "results/qa" });
    expect(parseBaselineSpec("none")).toEqual({ kind: "none" });
    expect(() => parseBaselineSpec("production")).toThrow(
      'baseline "production": expected alias:<artifact>:<alias>, branch, file:<path> or none',
    );
  });
});

// Case results must satisfy the shared schema the fixture writes; guard the fixture itself.
it("writes schema-valid case results", async () => {
  await writeRun(join(dir, "r"), "qa", [true, false]);
  const lines = (await readFile(join(dir, "r/results.jsonl"), "utf8")).trim().split("\n");
  expect(lines.map((l) => caseResultSchema.safeParse(JSON.parse(l)).success)).toEqual([true, true]);
});

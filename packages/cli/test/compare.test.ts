import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CaseResult, compareReportSchema, comparisonSchema, EVAL_ARTIFACT_TYPE, type RunSummary, silentLogger } from "@llmops/core";
import { openStore } from "@llmops/store";
import { afterEach, describe, expect, it } from "vitest";
import { pairedRuns, run } from "../../eval/test/compare/helpers.ts";
import { runMain } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "llmops-compare-"));
  dirs.push(dir);
  return dir;
}

async function writeResults(dir: string, results: { summary: RunSummary; cases: CaseResult[] }): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "summary.json"), JSON.stringify(results.summary));
  await writeFile(path.join(dir, "results.jsonl"), results.cases.map((c) => JSON.stringify(c)).join("\n") + "\n");
  return dir;
}

function llmops(args: string[], cwd: string) {
  return runMain(args, { cwd, env: { LLMOPS_CACHE_DIR: path.join(cwd, ".cache") } });
}

describe("llmops compare", () => {
  it("compares a head directory with a baseline directory and writes the report directory", async () => {
    const dir = await tempDir();
    const { baseline, head } = pairedRuns({ both: 30, b: 3, c: 17, neither: 10 });
    await writeResults(path.join(dir, "base"), baseline);
    await writeResults(path.join(dir, "head"), head);
    const result = await llmops(["compare", "--head", "head", "--baseline", "base", "--out", "out", "--json"], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document).toMatchObject({ verdict: "pass", suites: [{ suite: "sentiment", verdict: "pass", baseline: { source: "file" } }] });
    const comparison = comparisonSchema.parse(JSON.parse(await readFile(path.join(dir, "out", "sentiment", "comparison.json"), "utf8")));
    expect(comparison.metrics.find((m) => m.name === "pass_rate")?.verdict).toBe("significant improvement");
    // The layout actions/compare writes, read back with the schema its readers use.
    const out = (...parts: string[]) => path.join(dir, "out", ...parts);
    expect(document).toMatchObject({
      reportPath: out("report.json"),
      markdownPath: out("summary.md"),
      suites: [{ comparisonPath: out("sentiment", "comparison.json"), markdownPath: out("sentiment", "comment.md") }],
    });
    expect(compareReportSchema.parse(JSON.parse(await readFile(out("report.json"), "utf8")))).toEqual({
      schemaVersion: 1,
      verdict: "pass",
      suites: [{ suite: "sentiment", directory: "sentiment", verdict: "pass", regressions: { metrics: [], gates: [] } }],
    });
    const comment = await readFile(out("sentiment", "comment.md"), "utf8");
    expect(comment).toContain("<!-- llmops:compare suite=sentiment -->");
    expect(await readFile(out("summary.md"), "utf8")).toContain(comment.split("\n")[1]);
  });

  it("prints for people and exits 1 when a regression gate from llmops.yaml fails", async () => {
    const dir = await tempDir();
    const { baseline, head } = pairedRuns({ both: 30, b: 17, c: 3, neither: 10 });
    await writeResults(path.join(dir, "base"), baseline);
    await writeResults(path.join(dir, "head"), head);
    await writeFile(
      path.join(dir, "llmops.yaml"),
      "compare:\n  baseline: { file: base }\n  resamples: 1000\n  gates:\n    pass_rate: { maxDrop: 0.05, noSignificantRegression: true }\n",
    );
    const result = await llmops(["compare", "--head", "head"], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^sentiment: FAIL/);
    expect(result.stdout).toMatch(/pass_rate\s+0\.7833 -> 0\.55\s+-0\.2333 \[.*\]\s+p=.*significant regression/);
    expect(result.stdout).toContain("gate failed: pass_rate drop <= 0.05 vs baseline");
    expect(result.stdout).toContain("flipped: 17 pass->fail, 3 fail->pass");
    expect(result.stdout).toMatch(/verdict: fail/);
  });

  it("exits 2 naming both suites when they do not match", async () => {
    const dir = await tempDir();
    await writeResults(path.join(dir, "base"), pairedRuns({ both: 2, b: 0, c: 0, neither: 0 }, "toxicity").baseline);
    await writeResults(path.join(dir, "head"), pairedRuns({ both: 2, b: 0, c: 0, neither: 0 }, "sentiment").head);
    const result = await llmops(["compare", "--head", "head", "--baseline", "base"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('suites do not match: head is suite "sentiment" but the baseline is suite "toxicity"');
  });

  it("exits 2 naming the file and line of a malformed results line", async () => {
    const dir = await tempDir();
    const { head } = pairedRuns({ both: 2, b: 0, c: 0, neither: 0 });
    await writeResults(path.join(dir, "head"), head);
    await writeFile(path.join(dir, "head", "results.jsonl"), `${JSON.stringify(head.cases[0])}\n{"id": 3}\n`);
    const result = await llmops(["compare", "--head", "head"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/results\.jsonl:2: not a case result: id: /);
  });

  it("without a baseline writes a head-only report; noBaseline: fail makes it exit 1", async () => {
    const dir = await tempDir();
    await writeResults(path.join(dir, "head"), pairedRuns({ both: 4, b: 0, c: 0, neither: 1 }).head);
    const lenient = await llmops(["compare", "--head", "head", "--json"], dir);
    expect(lenient.code).toBe(0);
    // The notice goes to the logger (stderr); the report carries it too.
    expect(JSON.parse(lenient.stdout).suites[0].baseline).toEqual({
      source: "none",
      description: "no baseline given (--baseline, --baseline-ref or compare.baseline in llmops.yaml)",
    });
    await writeFile(path.join(dir, "llmops.yaml"), "compare:\n  noBaseline: fail\n");
    const strict = await llmops(["compare", "--head", "head", "--json"], dir);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).suites[0].regressions.gates).toEqual(["a baseline to compare with (compare.noBaseline: fail)"]);
  });

  it("reports a bad compare: section with file, line and what was expected", async () => {
    const dir = await tempDir();
    await writeResults(path.join(dir, "head"), pairedRuns({ both: 1, b: 0, c: 0, neither: 0 }).head);
    await writeFile(path.join(dir, "llmops.yaml"), "compare:\n  gates:\n    pass_rate: { maxDorp: 0.1 }\n");
    const result = await llmops(["compare", "--head", "head"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/llmops\.yaml:3:\d+: compare\.gates\.pass_rate\.maxDorp: unknown key "maxDorp"/);
  });

  it("compares each suite of a results tree with the same suite of the baseline tree", async () => {
    const dir = await tempDir();
    const a = pairedRuns({ both: 5, b: 0, c: 0, neither: 0 }, "alpha");
    const b = pairedRuns({ both: 5, b: 0, c: 0, neither: 0 }, "beta");
    await writeResults(path.join(dir, "base", "alpha"), a.baseline);
    await writeResults(path.join(dir, "head", "alpha"), a.head);
    await writeResults(path.join(dir, "head", "beta"), b.head);
    const result = await llmops(["compare", "--head", "head", "--baseline", "base", "--out", "out", "--json"], dir);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.suites.map((s: { suite: string; baseline: { source: string } }) => [s.suite, s.baseline.source])).toEqual([
      ["alpha", "file"],
      ["beta", "none"],
    ]);
    comparisonSchema.parse(JSON.parse(await readFile(path.join(dir, "out", "beta", "comparison.json"), "utf8")));
  });

  it("takes the baseline from eval evidence on a store alias", async () => {
    const dir = await tempDir();
    const storeDir = path.join(dir, "store");
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: path.join(dir, ".cache") });
    await mkdir(path.join(dir, "model"));
    await writeFile(path.join(dir, "model", "weights.bin"), "weights");
    const version = await store.version({
      path: path.join(dir, "model"),
      name: "sentiment-model",
      kind: "model",
      created: "2026-01-01T00:00:00Z",
    });
    await store.tag(`sentiment-model@${version.digest}`, "production");
    const { baseline, head } = pairedRuns({ both: 30, b: 3, c: 17, neither: 10 });
    const encode = (text: string) => new TextEncoder().encode(text);
    const subject = await store.resolve("sentiment-model:production");
    await store.attachEvidence(subject, {
      artifactType: EVAL_ARTIFACT_TYPE,
      files: [
        { title: "summary.json", mediaType: "application/json", data: encode(JSON.stringify(baseline.summary)) },
        { title: "results.jsonl", mediaType: "application/jsonl", data: encode(baseline.cases.map((c) => JSON.stringify(c)).join("\n")) },
      ],
      annotations: {
        "org.opencontainers.image.created": "2026-01-02T00:00:00Z",
        "dev.llmops.suite": "sentiment",
        "dev.llmops.passed": "true",
      },
    });
    await writeResults(path.join(dir, "head"), head);
    const result = await llmops(
      ["compare", "--head", "head", "--baseline-ref", "sentiment-model:production", "--store", "store", "--json"],
      dir,
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [suite] = JSON.parse(result.stdout).suites;
    expect(suite.baseline).toMatchObject({ source: "alias", digest: version.digest });
    expect(suite.baseline.description).toContain("sentiment-model:production");

    // The same baseline named by llmops.yaml, with the store from --store.
    await writeFile(path.join(dir, "llmops.yaml"), "compare:\n  baseline: { alias: production, artifact: sentiment-model }\n");
    const configured = await llmops(["compare", "--head", "head", "--store", "store", "--json"], dir);
    expect(configured.code).toBe(0);
    expect(JSON.parse(configured.stdout).suites[0].baseline).toEqual(suite.baseline);
    await rm(path.join(dir, "llmops.yaml"));

    const other = run("toxicity", [{ id: "x", pass: true }]);
    await writeResults(path.join(dir, "head2"), other);
    const missing = await llmops(
      ["compare", "--head", "head2", "--baseline-ref", "sentiment-model:production", "--store", "store", "--json"],
      dir,
    );
    expect(missing.code).toBe(0);
    expect(JSON.parse(missing.stdout).suites[0].baseline.description).toMatch(
      /^no eval results of suite "toxicity" are recorded on sentiment-model:production \(v1\)$/,
    );
  });

  it("refuses --baseline together with --baseline-ref", async () => {
    const dir = await tempDir();
    const result = await llmops(["compare", "--head", "h", "--baseline", "b", "--baseline-ref", "m:production"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("give either --baseline or --baseline-ref, not both");
  });

  it("names the expected form of a malformed --baseline-ref before opening any store", async () => {
    const dir = await tempDir();
    const result = await llmops(["compare", "--head", "h", "--baseline-ref", "notaref"], dir);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(
      "llmops compare: --baseline-ref notaref: expected NAME:ALIAS, NAME:vN or NAME@sha256:<digest>",
    );
  });
});

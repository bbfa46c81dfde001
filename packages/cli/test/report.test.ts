import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CaseResult, EVAL_ARTIFACT_TYPE, type RunSummary, silentLogger } from "@llmops/core";
import { openStore } from "@llmops/store";
import { afterEach, describe, expect, it } from "vitest";
import { pairedRuns } from "../../eval/test/compare/helpers.ts";
import { expandReportData } from "../../report/src/html/client/rows.ts";
import type { EmbeddedReportData, ReportData } from "../../report/src/html/model.ts";
import { reportCommand } from "../src/commands/report.ts";
import { runMain } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "llmops-report-cli-"));
  dirs.push(dir);
  return dir;
}

async function writeResults(dir: string, results: { summary: RunSummary; cases: CaseResult[] }): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "summary.json"), JSON.stringify(results.summary));
  await writeFile(path.join(dir, "results.jsonl"), `${results.cases.map((c) => JSON.stringify(c)).join("\n")}\n`);
  return dir;
}

function llmops(args: string[], cwd: string) {
  // The command is passed in, so this test does not depend on the registry in commands/index.ts.
  return runMain(args, { cwd, env: { LLMOPS_CACHE_DIR: path.join(cwd, ".cache") }, commands: [reportCommand] });
}

/** The page's data as its script reads it. */
async function pageData(file: string): Promise<ReportData> {
  const html = await readFile(file, "utf8");
  const json = /<script type="application\/json" id="llmops-report-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!json) throw new Error(`${file}: no data block`);
  return expandReportData(JSON.parse(json) as EmbeddedReportData);
}

describe("llmops report html", () => {
  it("writes one HTML file of head beside the baseline, compared as llmops compare does, and prints {path, bytes, cases}", async () => {
    const dir = await tempDir();
    const { baseline, head } = pairedRuns({ both: 30, b: 3, c: 17, neither: 10 });
    await writeResults(path.join(dir, "base"), baseline);
    await writeResults(path.join(dir, "head"), head);
    const result = await llmops(["report", "html", "--results", "head", "--baseline", "base", "--out", "out/report.html", "--json"], dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout);
    const file = path.join(dir, "out", "report.html");
    expect(document).toEqual({ path: file, bytes: (await stat(file)).size, cases: 60, trimmed: 0 });
    const data = await pageData(file);
    expect(data.suites).toHaveLength(1);
    expect(data.suites[0]).toMatchObject({ name: "sentiment", comparison: { verdict: "pass", passToFail: 3, failToPass: 17 } });
    expect(data.rows.filter((r) => r[8] === 1)).toHaveLength(3);
    expect(data.rows.every((r) => r[6] !== 0 && r[7] !== 0)).toBe(true);
    expect(data.history).toBeNull();
    // Only the HTML is written: the comparison's report directory was a temporary one.
    expect((await readdir(dir)).sort()).toEqual(["base", "head", "out"]);
    expect(await readdir(path.join(dir, "out"))).toEqual(["report.html"]);
  });

  it("reports head alone at the default path, for people", async () => {
    const dir = await tempDir();
    await writeResults(path.join(dir, "head"), pairedRuns({ both: 4, b: 0, c: 0, neither: 1 }).head);
    const result = await llmops(["report", "html", "--results", "head", "--title", "Nightly"], dir);
    expect(result.code).toBe(0);
    const file = path.join(dir, ".llmops", "report.html");
    expect(result.stdout).toBe(`wrote ${file} (5 case results, ${(await stat(file)).size} bytes)\n`);
    expect(await readFile(file, "utf8")).toContain("<title>Nightly</title>");
    const data = await pageData(file);
    expect(data.suites[0]?.baseline).toBeNull();
    expect(data.rows.every((r) => r[7] === 0)).toBe(true);
  });

  it("adds the history of the baseline's alias from the store, or of --history", async () => {
    const dir = await tempDir();
    const store = openStore(path.join(dir, "store"), { logger: silentLogger, cacheDir: path.join(dir, ".cache") });
    const { baseline, head } = pairedRuns({ both: 30, b: 3, c: 17, neither: 10 });
    const encode = (text: string) => new TextEncoder().encode(text);
    for (const [i, weights] of ["w1", "w2"].entries()) {
      await mkdir(path.join(dir, "model"), { recursive: true });
      await writeFile(path.join(dir, "model", "weights.bin"), weights);
      const version = await store.version({
        path: path.join(dir, "model"),
        name: "sentiment-model",
        kind: "model",
        created: `2026-01-0${i + 1}T00:00:00Z`,
      });
      await store.tag(`sentiment-model@${version.digest}`, "production");
      const subject = await store.resolve(`sentiment-model@${version.digest}`);
      await store.attachEvidence(subject, {
        artifactType: EVAL_ARTIFACT_TYPE,
        files: [
          { title: "summary.json", mediaType: "application/json", data: encode(JSON.stringify(baseline.summary)) },
          { title: "results.jsonl", mediaType: "application/jsonl", data: encode(baseline.cases.map((c) => JSON.stringify(c)).join("\n")) },
        ],
        annotations: {
          "org.opencontainers.image.created": `2026-01-0${i + 1}T12:00:00Z`,
          "dev.llmops.suite": "sentiment",
          "dev.llmops.passed": "true",
        },
      });
    }
    await writeResults(path.join(dir, "head"), head);
    const result = await llmops(
      [
        "report",
        "html",
        "--results",
        "head",
        "--baseline-ref",
        "sentiment-model:production",
        "--store",
        "store",
        "--out",
        "r.html",
        "--json",
      ],
      dir,
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const data = await pageData(path.join(dir, "r.html"));
    expect(data.suites[0]?.comparison).toMatchObject({ passToFail: 3, failToPass: 17 });
    expect(data.history).toMatchObject({ name: "sentiment-model", alias: "production" });
    expect(data.history?.moves).toHaveLength(2);
    expect(data.history?.versions.map((v) => [v.label, v.evidence.map((e) => e.suite)])).toEqual([
      ["v2", ["sentiment"]],
      ["v1", ["sentiment"]],
    ]);

    const explicit = await llmops(
      ["report", "html", "--results", "head", "--history", "sentiment-model:production", "--store", "store", "--out", "h.html"],
      dir,
    );
    expect(explicit.code).toBe(0);
    expect((await pageData(path.join(dir, "h.html"))).history?.moves).toHaveLength(2);

    // An explicit --history that finds no moves (an alias never set, a store without the model) is a mistake.
    for (const [ref, store] of [
      ["sentiment-model:staging", "store"],
      ["sentiment-model:production", "empty-store"],
    ]) {
      const missing = await llmops(["report", "html", "--results", "head", "--history", ref!, "--store", store!, "--out", "m.html"], dir);
      expect(missing.code, `${ref} in ${store}`).toBe(2);
      expect(missing.stderr.trim().split("\n"), `${ref} in ${store}`).toEqual([
        `llmops report html: --history ${ref}: no moves of ${ref} in store ${path.join(dir, store!)}`,
      ]);
      expect(missing.stdout).toBe("");
    }
    expect(await readdir(dir)).not.toContain("m.html");
  });

  it("says in --json and on stderr how many rows' text the page's budget cut short", async () => {
    const dir = await tempDir();
    const { baseline, head } = pairedRuns({ both: 30, b: 3, c: 17, neither: 10 });
    await writeResults(path.join(dir, "base"), baseline);
    await writeResults(path.join(dir, "head"), head);
    const args = ["report", "html", "--results", "head", "--baseline", "base", "--out", "r.html", "--json"];
    const small = await llmops([...args, "--max-text-bytes", "300"], dir);
    expect(small.code).toBe(0);
    const document = JSON.parse(small.stdout) as { cases: number; trimmed: number };
    expect(document.cases).toBe(60);
    expect(document.trimmed).toBeGreaterThan(50);
    expect(small.stderr).toContain(`the case text of ${document.trimmed} of 60 case results was cut short`);
    expect((await pageData(path.join(dir, "r.html"))).trimmed).toEqual({ rows: document.trimmed, maxBytes: 300, length: 200 });
  });

  it("exits 2 with one line for bad input", async () => {
    const dir = await tempDir();
    await writeResults(path.join(dir, "head"), pairedRuns({ both: 2, b: 0, c: 0, neither: 0 }).head);
    const cases: [string[], RegExp][] = [
      [["report", "html"], /^llmops report html: --results DIR is required/],
      [["report", "html", "--results", "missing"], /^llmops report html: results .*missing: not found/],
      [
        ["report", "html", "--results", "head", "--history", "sentiment-model"],
        /^llmops report html: --history sentiment-model: expected NAME:ALIAS/,
      ],
      [
        ["report", "html", "--results", "head", "--baseline", "head", "--baseline-ref", "m:production"],
        /give either --baseline or --baseline-ref/,
      ],
      [["report", "html", "--results", "head", "--bogus"], /^llmops report html: Unknown option '--bogus'/],
      [
        ["report", "html", "--results", "head", "--max-text-bytes", "lots"],
        /^llmops report html: --max-text-bytes lots: expected a whole number/,
      ],
      [["report", "pdf"], /^llmops report: unknown report kind "pdf" \(expected html\)/],
    ];
    for (const [args, message] of cases) {
      const result = await llmops(args, dir);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.split("\n")[0], args.join(" ")).toMatch(message);
      expect(result.stdout).toBe("");
    }
    // --out naming a directory is said in one line before any work, not as a failed rename at the end.
    const directory = await llmops(["report", "html", "--results", "head", "--out", "head"], dir);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toBe(
      `llmops report html: --out ${path.join(dir, "head")} is a directory: give the report's file name, such as ${path.join(dir, "head", "report.html")}\n`,
    );
    expect(directory.stdout).toBe("");
    await writeFile(path.join(dir, "head", "results.jsonl"), "{not json\n");
    const malformed = await llmops(["report", "html", "--results", "head"], dir);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/results\.jsonl:1: not valid JSON/);
    expect(await readdir(dir)).not.toContain(".llmops");
  });
});

import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, caseResultSchema, silentLogger } from "@llmops/core";
import { readRunResults, recordEvalEvidence } from "@llmops/eval";
import { openStore } from "@llmops/store";
import { startGitHubServer } from "@llmops/test/github-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configYaml, writeRun } from "../../../actions/compare/test/results-fixture.ts";
import { actionStoreOpener } from "../src/action-kit.ts";
import { diffGateSettings, gateSettingsFromText, readFileAtRef } from "../src/gate-changes.ts";
import { createOctokit } from "../src/octokit.ts";
import { runPullRequestCompare } from "../src/pr-compare.ts";

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
      openStore: storeOpener(dir),
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
      openStore: storeOpener(dir),
    });
    expect(result.suites[0]?.comparison.baseline.source).toBe("none");
    expect(result.notices[0]).toContain("no baseline");
    expect(result.summary).toContain("head-only report");
  });
});

/** The action's own store opener (chooseStore over the input and the config's `store:`), outside GitHub Actions. */
function storeOpener(workspace: string) {
  return actionStoreOpener({ store: "", storeUsername: "", storePassword: "" }, { workspace, env: {}, logger: silentLogger });
}

describe("gates changed in a pull request", () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" }).trim();
  const withGates = (suiteGates: string, compare: string) =>
    configYaml("qa", 10, compare).replace("    cases:\n", `    gates: ${suiteGates}\n    cases:\n`);

  it("shows what the pull request changes in llmops.yaml against the base commit, in the comment and check run", async () => {
    const server = await startGitHubServer();
    try {
      server.state.pulls.push({ number: 5, head: { ref: "loosen", sha: "e".repeat(40) }, base: { ref: "main" } });
      git(dir, "init", "-q");
      await writeFile(
        join(dir, "llmops.yaml"),
        withGates(
          "[{ metric: pass_rate, min: 0.9 }]",
          "compare:\n  baseline: { file: baseline }\n  gates: { pass_rate: { maxDrop: 0.02 } }\n",
        ),
      );
      git(dir, "add", "llmops.yaml");
      git(dir, "commit", "-q", "-m", "base");
      const baseSha = git(dir, "rev-parse", "HEAD");
      // The pull request loosens the suite's gate and drops the regression gate.
      await writeFile(
        join(dir, "llmops.yaml"),
        withGates("[{ metric: pass_rate, min: 0.5 }]", "compare:\n  baseline: { file: baseline }\n"),
      );
      await writeRun(join(dir, "baseline"), "qa", passes(10, 0));
      await writeRun(join(dir, "head"), "qa", passes(10, 3));
      const octokit = createOctokit({ token: "t", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false });
      const result = await runPullRequestCompare({
        results: "head",
        config: "llmops.yaml",
        reportDir: "out",
        comment: "sticky",
        checkRun: true,
        cwd: dir,
        logger: silentLogger,
        github: {
          octokit,
          owner: "octo-org",
          repo: "octo-repo",
          sha: "e".repeat(40),
          pullRequest: { number: 5, baseRef: "main", fromFork: false, baseSha },
        },
      });
      const line =
        "**Gates changed in this PR** (llmops.yaml, base branch → this PR): pass\\_rate min 0.9 → 0.5; compare pass\\_rate maxDrop 0.02 → (none).";
      expect(result.suites[0]?.markdown).toContain(line);
      expect(result.summary).toContain(line);
      expect(server.state.comments[0]?.body).toContain(line);
      expect((server.state.checkRuns[0]?.output as { summary?: string } | undefined)?.summary).toContain(line);
      // Read from the checkout; GitHub was not asked.
      expect(server.calls.some((c) => c.path.includes("/contents/"))).toBe(false);
    } finally {
      await server.close();
    }
  });

  it("lists added, removed and changed settings, and nothing when nothing changed", () => {
    const base = gateSettingsFromText(
      "suites:\n  - name: qa\n    gates: [{ metric: exact, min: 0.8 }, { metric: exact, min: 0.7, slice: { lang: de } }]\ncompare:\n  alpha: 0.05\n  baseline: { branch: true }\n  gates: { exact: { noSignificantRegression: true } }\n",
      "llmops.yaml",
    );
    const head = gateSettingsFromText(
      "suites:\n  - name: qa\n    gates: [{ metric: exact, min: 0.8 }, { metric: f1, max: 0.2 }]\ncompare:\n  baseline: { file: old }\n  noBaseline: fail\n  gates: { exact: { noSignificantRegression: { alpha: 0.5 } } }\n  suites: { qa: { maxLatencyIncrease: 1 } }\n",
      "llmops.yaml",
    );
    expect(diffGateSettings(base, head, "qa")).toEqual([
      { subject: "exact on lang=de", setting: "min", before: "0.7", after: null },
      { subject: "f1", setting: "max", before: null, after: "0.2" },
      { subject: "compare exact", setting: "noSignificantRegression", before: "on", after: "alpha 0.5" },
      { subject: "compare", setting: "baseline", before: "branch", after: "file old" },
      { subject: "compare", setting: "noBaseline", before: "pass", after: "fail" },
      { subject: "compare", setting: "maxLatencyIncrease", before: null, after: "1" },
    ]);
    expect(diffGateSettings(base, base, "qa")).toEqual([]);
  });

  it("asks GitHub's contents API for the base file when the checkout does not have the commit", async () => {
    const sha = "b".repeat(40);
    const seen: string[] = [];
    // Answers as the documented endpoint does with the raw media type: the file's bytes, or 404.
    const api = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.accept}`);
      if (req.url === `/repos/o/r/contents/llmops.yaml?ref=${sha}`) {
        res.writeHead(200, { "content-type": "application/vnd.github.raw+json; charset=utf-8" });
        res.end("compare: {}\n");
      } else {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "Not Found", status: "404" }));
      }
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
      const octokit = createOctokit({ token: "t", baseUrl, logger: silentLogger, retries: 0, pace: false });
      const read = (path: string) => readFileAtRef({ octokit, owner: "o", repo: "r", path, sha, cwd: dir, logger: silentLogger });
      expect(await read("llmops.yaml")).toEqual({ found: true, text: "compare: {}\n" });
      expect(await read("other.yaml")).toEqual({ found: false });
      expect(await read("../outside.yaml")).toBeUndefined();
      // Octokit's name for the raw media type; GitHub documents it as application/vnd.github.raw+json and accepts both.
      expect(seen[0]).toBe(`/repos/o/r/contents/llmops.yaml?ref=${sha} application/vnd.github.v3.raw`);
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
  });
});

// Case results must satisfy the shared schema the fixture writes; guard the fixture itself.
it("writes schema-valid case results", async () => {
  await writeRun(join(dir, "r"), "qa", [true, false]);
  const lines = (await readFile(join(dir, "r/results.jsonl"), "utf8")).trim().split("\n");
  expect(lines.map((l) => caseResultSchema.safeParse(JSON.parse(l)).success)).toEqual([true, true]);
});

// actions/compare's HTML report, end to end through the bundled action: written to the report
// directory, uploaded (unzipped) to a stand-in artifact service, and linked from the sticky comment
// and the job summary with a URL built from the runner's variables.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { EVAL_ARTIFACT_TYPE, silentLogger } from "@llmops/core";
import { htmlReportArtifactName, runPullRequestCompare } from "@llmops/github/pr-compare";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { leakedSecrets, runAction } from "@llmops/test/harness";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// The report's client code reads the page's data; the store builds a store with history. Neither
// is a dependency of this action: their sources are imported.
import { expandReportData } from "../../../packages/report/src/html/client/rows.ts";
import type { EmbeddedReportData } from "../../../packages/report/src/html/model.ts";
import { openStore } from "../../../packages/store/src/index.ts";
import { type ArtifactService, startArtifactService } from "./artifact-service.ts";
import { configYaml, writeRun } from "./results-fixture.ts";

const TOKEN = "ghs_compareReportToken456";
const N = 40;
const MARKER = "<!-- llmops:compare suite=qa -->";
const LINK = /📊 \[Interactive report\]\((https:\/\/github\.com\/octo-org\/octo-repo\/actions\/runs\/\d+\/artifacts\/(\d+))\)/;
let server: GitHubServer;
let artifacts: ArtifactService;
let workspace: string;

beforeEach(async () => {
  server = await startGitHubServer();
  server.state.pulls.push({ number: 2, head: { ref: "changes", sha: "e".repeat(40) }, base: { ref: "main" } });
  artifacts = await startArtifactService();
  workspace = await mkdtemp(join(tmpdir(), "llmops-compare-html-"));
  await writeRun(
    join(workspace, "baseline"),
    "qa",
    Array.from({ length: N }, () => true),
  );
  await writeRun(
    join(workspace, "head"),
    "qa",
    Array.from({ length: N }, (_, i) => i !== 3),
  );
  await writeFile(join(workspace, "llmops.yaml"), configYaml("qa", N, "compare:\n  baseline: { file: baseline }\n"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: workspace, encoding: "utf8" }).trim();
  git("init", "-q");
  git("add", "llmops.yaml");
  git("commit", "-q", "-m", "base");
});
afterEach(async () => {
  await server.close();
  await artifacts.close();
  await rm(workspace, { recursive: true, force: true });
});

/** The harness runs the action as step `__compare` of job `test`. */
const ARTIFACT = htmlReportArtifactName("compare", ["qa"], { GITHUB_JOB: "test", GITHUB_ACTION: "__compare" });

function run(env: Record<string, string> = {}, inputs: Record<string, string> = {}) {
  return runAction("compare", {
    event: "pull_request",
    workspace,
    inputs: { results: "head", token: TOKEN, ...inputs },
    env: { GITHUB_API_URL: server.url, LLMOPS_GITHUB_PACE: "false", ...env },
    timeoutMs: 60_000,
  });
}

/** Warnings about the HTML report or its artifact (others, such as a gate change notice, are not this test's). */
const reportWarnings = (annotations: { level: string; message: string }[]) =>
  annotations.filter((a) => a.level === "warning" && /HTML report|artifact/i.test(a.message)).map((a) => a.message);

/** The rows of a report page, as its script reads them. */
const pageRows = (html: string) =>
  expandReportData(JSON.parse(/id="llmops-report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "null") as EmbeddedReportData).rows;

const comment = () => server.state.comments.find((c) => c.body.startsWith(MARKER))?.body ?? "";

describe("actions/compare's HTML report", () => {
  it("is uploaded as the file itself and linked from the sticky comment and the job summary", async () => {
    const result = await run(artifacts.env);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.verdict).toBe("pass");
    const html = await readFile(join(workspace, ".llmops/compare/report.html"));
    expect(artifacts.artifacts).toHaveLength(1);
    const [artifact] = artifacts.artifacts;
    expect(ARTIFACT).toMatch(/^llmops-report-compare-test-qa-[0-9a-f]{8}\.html$/);
    expect(artifact).toMatchObject({ name: ARTIFACT, mimeType: "text/html", size: String(html.length) });
    expect(artifact?.data.equals(html)).toBe(true);
    expect(pageRows(html.toString("utf8")).map((r) => r[1])).toContain("case-3");

    const link = LINK.exec(comment());
    expect(link?.[2]).toBe(String(artifact?.id));
    expect(result.summary).toContain(link?.[1]);
    // The files of the report directory say the same as the comment (the fork flow uploads them).
    expect(await readFile(join(workspace, ".llmops/compare/qa/comment.md"), "utf8")).toContain(link?.[1]);
    expect(await readFile(join(workspace, ".llmops/compare/summary.md"), "utf8")).toContain(link?.[1]);
    expect(reportWarnings(result.annotations)).toEqual([]);
    expect(leakedSecrets(result, [TOKEN, "sig=secret"])).toEqual([]);
  });

  it("with html-report: false is neither written, uploaded nor linked: the eval set's text stays private", async () => {
    const result = await run(artifacts.env, { "html-report": "false" });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.verdict).toBe("pass");
    expect(artifacts.artifacts).toEqual([]);
    expect((await readdir(join(workspace, ".llmops/compare"))).sort()).toEqual(["qa", "report.json", "summary.md"]);
    expect(comment()).toContain("**Verdict: pass**");
    expect(comment()).not.toContain("Interactive report");
    expect(result.summary).not.toContain("Interactive report");
    expect(await readFile(join(workspace, ".llmops/compare/summary.md"), "utf8")).not.toContain("Interactive report");
    expect(reportWarnings(result.annotations)).toEqual([]);
  });

  it("refuses a report-retention-days that is not a number of days", async () => {
    const result = await run(artifacts.env, { "report-retention-days": "a week" });
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: expect.stringMatching(/^input report-retention-days: expected a number of days/),
      }),
    );
    expect(artifacts.artifacts).toEqual([]);
  });

  it("without an artifact service is written but not linked, and nothing warns", async () => {
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect((await readFile(join(workspace, ".llmops/compare/report.html"), "utf8")).startsWith("<!doctype html>")).toBe(true);
    expect(comment()).toContain("**Verdict: pass**");
    expect(comment()).not.toContain("Interactive report");
    expect(result.summary).not.toContain("Interactive report");
    expect(reportWarnings(result.annotations)).toEqual([]);
  });

  it("that cannot be uploaded is a warning; the step still posts and follows the verdict", async () => {
    artifacts.failWith = 403;
    const result = await run(artifacts.env);
    expect(result.exitCode).toBe(0);
    expect(result.outputs.verdict).toBe("pass");
    expect(result.annotations).toContainEqual(
      expect.objectContaining({ level: "warning", message: expect.stringMatching(/^the HTML report was not uploaded: /) }),
    );
    expect(comment()).toContain("**Verdict: pass**");
    expect(comment()).not.toContain("Interactive report");
  });

  it("shows the alias history behind an alias baseline, and links the artifact the uploader returns (the package seam)", async () => {
    const storeDir = join(workspace, "store");
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(workspace, ".cache") });
    const encode = (name: string) => readFile(join(workspace, "baseline", name));
    for (const [i, weights] of ["w1", "w2"].entries()) {
      await mkdir(join(workspace, "model"), { recursive: true });
      await writeFile(join(workspace, "model", "weights.bin"), weights);
      const version = await store.version({
        path: join(workspace, "model"),
        name: "qa-model",
        kind: "model",
        created: `2026-01-0${i + 1}T00:00:00Z`,
      });
      await store.tag(`qa-model@${version.digest}`, "production");
      await store.attachEvidence(await store.resolve(`qa-model@${version.digest}`), {
        artifactType: EVAL_ARTIFACT_TYPE,
        files: [
          { title: "summary.json", mediaType: "application/json", data: await encode("summary.json") },
          { title: "results.jsonl", mediaType: "application/jsonl", data: await encode("results.jsonl") },
        ],
        annotations: {
          "org.opencontainers.image.created": `2026-01-0${i + 1}T12:00:00Z`,
          "dev.llmops.suite": "qa",
          "dev.llmops.passed": "true",
        },
      });
    }
    const uploaded: [string, number | undefined][] = [];
    const result = await runPullRequestCompare({
      results: join(workspace, "head"),
      baseline: "alias:qa-model:production",
      openStore: () => openStore(storeDir, { logger: silentLogger, cacheDir: join(workspace, ".cache") }),
      reportDir: join(workspace, "out"),
      comment: "off",
      checkRun: false,
      cwd: workspace,
      logger: silentLogger,
      htmlReport: {
        upload: async ({ file, retentionDays }) => {
          uploaded.push([basename(file), retentionDays]);
          return { id: 77 };
        },
        env: { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "octo-org/octo-repo", GITHUB_RUN_ID: "123" },
        retentionDays: 5,
      },
    });
    const url = "https://github.com/octo-org/octo-repo/actions/runs/123/artifacts/77";
    expect(uploaded).toEqual([[htmlReportArtifactName("compare", ["qa"]), 5]]);
    expect(result.htmlReport).toMatchObject({ path: join(workspace, "out", "report.html"), artifactId: 77, url });
    expect(result.suites[0]?.markdown).toContain(`📊 [Interactive report](${url})`);
    expect(result.summary).toContain(`📊 [Interactive report](${url})`);
    const html = await readFile(join(workspace, "out", "report.html"), "utf8");
    const data = expandReportData(
      JSON.parse(/id="llmops-report-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "null") as EmbeddedReportData,
    );
    expect(data.history).toMatchObject({ name: "qa-model", alias: "production" });
    expect(data.history?.moves).toHaveLength(2);
    expect(data.suites[0]?.comparison?.baseline.source).toBe("alias");
    // Head beside the baseline from the store's evidence: the one regressed case flipped.
    expect(data.rows.filter((r) => r[8] === 1).map((r) => r[1])).toEqual(["case-3"]);
  });
});

describe("the HTML report's artifact name", () => {
  const suites = ["qa", "summaries/v2"];
  it("differs between the jobs and the steps of one run that report the same suites", () => {
    const names = [
      htmlReportArtifactName("compare", suites, { GITHUB_JOB: "evaluate", GITHUB_ACTION: "__llmops_compare" }),
      htmlReportArtifactName("compare", suites, { GITHUB_JOB: "evaluate-nightly", GITHUB_ACTION: "__llmops_compare" }),
      htmlReportArtifactName("compare", suites, { GITHUB_JOB: "evaluate", GITHUB_ACTION: "__llmops_compare_2" }),
      htmlReportArtifactName("eval", suites, { GITHUB_JOB: "evaluate", GITHUB_ACTION: "__llmops_compare" }),
    ];
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toMatch(/^llmops-report-compare-evaluate-qa-summaries_v2-[0-9a-f]{8}\.html$/);
    expect(names[1]).toMatch(/^llmops-report-compare-evaluate-nightly-qa-summaries_v2-[0-9a-f]{8}\.html$/);
    // The same job and step always get the same name.
    expect(htmlReportArtifactName("compare", suites, { GITHUB_JOB: "evaluate", GITHUB_ACTION: "__llmops_compare" })).toBe(names[0]);
  });

  it("stays unique and short when the readable part is cut: the hash is of the whole", () => {
    const many = Array.from({ length: 30 }, (_, i) => `suite-with-a-long-name-${i}`);
    const a = htmlReportArtifactName("eval", many, { GITHUB_JOB: "job/one" });
    const b = htmlReportArtifactName("eval", [...many, "one-more"], { GITHUB_JOB: "job/one" });
    expect(a).not.toBe(b);
    for (const name of [a, b]) {
      expect(name.length).toBeLessThanOrEqual(120);
      expect(name).toMatch(/^llmops-report-eval-job_one-[A-Za-z0-9_.-]+-[0-9a-f]{8}\.html$/);
    }
  });
});

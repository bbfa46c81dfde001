import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { leakedSecrets, runAction } from "@llmops/test/harness";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configYaml, writeRun } from "./results-fixture.ts";

const TOKEN = "ghs_compareTestToken123";
const N = 120;
const MARKER = "<!-- llmops:compare suite=qa -->";
let server: GitHubServer;
let workspace: string;
/** The workspace's commit of llmops.yaml, given as the pull request's base so the gate diff reads it from the checkout. */
let baseSha: string;

beforeEach(async () => {
  server = await startGitHubServer();
  server.state.pulls.push({ number: 2, head: { ref: "changes", sha: "e".repeat(40) }, base: { ref: "main" } });
  workspace = await mkdtemp(join(tmpdir(), "llmops-compare-e2e-"));
  // Baseline: every case passes. Head: the first 60 regress, so 60 flips and a significant drop.
  await writeRun(
    join(workspace, "baseline"),
    "qa",
    Array.from({ length: N }, () => true),
  );
  await writeRun(
    join(workspace, "head"),
    "qa",
    Array.from({ length: N }, (_, i) => i >= 60),
  );
  await writeFile(
    join(workspace, "llmops.yaml"),
    configYaml("qa", N, "compare:\n  baseline: { file: baseline }\n  gates:\n    pass_rate: { noSignificantRegression: true }\n"),
  );
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: workspace, encoding: "utf8" }).trim();
  git("init", "-q");
  git("add", "llmops.yaml");
  git("commit", "-q", "-m", "base");
  baseSha = git("rev-parse", "HEAD");
});
afterEach(async () => {
  await server.close();
  await rm(workspace, { recursive: true, force: true });
});

function run(inputs: Record<string, string> = {}, payload: Record<string, unknown> = {}) {
  const pullRequest = (payload.pull_request ?? {}) as Record<string, unknown>;
  return runAction("compare", {
    event: "pull_request",
    payload: { ...payload, pull_request: { base: { sha: baseSha }, ...pullRequest } },
    workspace,
    inputs: { results: "head", token: TOKEN, ...inputs },
    env: { GITHUB_API_URL: server.url, LLMOPS_GITHUB_PACE: "false" },
    timeoutMs: 60_000,
  });
}

const marked = () => server.state.comments.filter((c) => c.body.startsWith(MARKER));

describe("actions/compare", () => {
  it("creates one sticky comment and a check run, then updates the same comment", async () => {
    const first = await run();
    expect(first.exitCode).toBe(1);
    expect(first.outputs.verdict).toBe("fail");
    expect(first.outputs.regressions).toBe("2");
    expect(JSON.parse(first.outputs["regressions-json"] ?? "[]")[0]).toMatchObject({ suite: "qa", metrics: ["pass_rate", "exact"] });
    expect(first.annotations.some((a) => a.level === "error" && a.message.startsWith("gate failed: qa: "))).toBe(true);
    expect(marked()).toHaveLength(1);
    expect(marked()[0]?.body).toContain("significant regression");
    expect(first.summary).toContain("**Verdict:");
    const report = JSON.parse(await readFile(join(workspace, ".llmops/compare/report.json"), "utf8"));
    expect(report).toMatchObject({ verdict: "fail", pullRequest: 2 });
    expect(await readFile(join(workspace, ".llmops/compare/qa/comment.md"), "utf8")).toContain(MARKER);

    // The check run: conclusion from the verdict, annotations on the cases' config lines, ≤ 50 per request.
    const checkRun = server.state.checkRuns[0];
    const headSha = (first.payload.pull_request as { head: { sha: string } }).head.sha;
    expect(checkRun).toMatchObject({ name: "llmops compare (qa)", status: "completed", conclusion: "failure", head_sha: headSha });
    expect(checkRun?.annotations).toHaveLength(60);
    const config = (await readFile(join(workspace, "llmops.yaml"), "utf8")).split("\n");
    const annotation = checkRun?.annotations?.find((a) => String(a.title).endsWith("case-7"));
    expect(annotation?.path).toBe("llmops.yaml");
    expect(config[Number(annotation?.start_line) - 1]).toContain("id: case-7");
    const perRequest = server.calls
      .filter((c) => c.path.includes("/check-runs"))
      .map((c) => ((c.body as { output?: { annotations?: unknown[] } } | undefined)?.output?.annotations ?? []).length);
    expect(Math.max(...perRequest)).toBeLessThanOrEqual(50);
    expect(perRequest.filter((n) => n > 0)).toEqual([50, 10]);

    const second = await run();
    expect(second.exitCode).toBe(1);
    expect(marked()).toHaveLength(1);
    expect(marked()[0]?.body).toContain("Earlier runs (1)");
    expect(server.calls.filter((c) => c.method === "POST" && c.path.endsWith("/issues/2/comments"))).toHaveLength(1);
    expect(server.calls.filter((c) => c.method === "PATCH" && /\/issues\/comments\/\d+$/.test(c.path))).toHaveLength(1);
    expect(leakedSecrets(second, [TOKEN])).toEqual([]);
  });

  it("passes and still reports when the pull request is not a regression", async () => {
    await writeRun(
      join(workspace, "head"),
      "qa",
      Array.from({ length: N }, () => true),
    );
    const result = await run();
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ verdict: "pass", regressions: "0" });
    expect(server.state.checkRuns[0]?.conclusion).toBe("success");
  });

  it("turns a 403 on the comment into a message naming pull-requests: write, without failing", async () => {
    await writeRun(
      join(workspace, "head"),
      "qa",
      Array.from({ length: N }, () => true),
    );
    server.failNext("POST", /\/issues\/2\/comments$/, 403, "Resource not accessible by integration");
    server.failNext("POST", /\/check-runs$/, 403, "Resource not accessible by integration");
    const result = await run();
    expect(result.exitCode).toBe(0);
    const messages = result.annotations.map((a) => a.message).join("\n");
    expect(messages).toContain("permissions: pull-requests: write");
    expect(messages).toContain("permissions: checks: write");
    expect(messages).toContain("two-stage");
    expect(result.outputs.verdict).toBe("pass");
  });

  it("fails with the pull request number when the pull request does not exist", async () => {
    const result = await run({ "check-run": "false" }, { number: 99, pull_request: { number: 99 } });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((a) => a.message)).toContain("pull request #99 not found in octo-org/octo-repo");
  });

  it("gives a head-only report with a notice when there is no baseline, and fails when the policy says so", async () => {
    const lenient = await run({ baseline: "none" });
    expect(lenient.outputs.verdict).toBe("pass");
    expect(lenient.annotations.some((a) => a.message.includes("no baseline"))).toBe(true);
    expect(marked()[0]?.body).toContain("No baseline found");
    const strict = await run({ baseline: "none", gates: "noBaseline: fail" });
    expect(strict.outputs.verdict).toBe("fail");
    expect(strict.exitCode).toBe(1);
  });

  it("does not post from a fork's read-only run and points at the two-stage flow", async () => {
    const result = await run({}, { pull_request: { number: 2, head: { repo: { full_name: "someone/octo-repo-fork" } } } });
    expect(result.outputs.verdict).toBe("fail");
    expect(server.calls.filter((c) => c.method !== "GET")).toEqual([]);
    expect(result.annotations.some((a) => a.message.includes("fork") && a.message.includes("two-stage"))).toBe(true);
    expect(await readFile(join(workspace, ".llmops/compare/qa/comment.md"), "utf8")).toContain("significant regression");
  });

  it("names the difference when the baseline is another suite", async () => {
    await writeRun(
      join(workspace, "baseline"),
      "other",
      Array.from({ length: N }, () => true),
    );
    const result = await run();
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((a) => a.message).join("\n")).toContain(
      'suites do not match: head is suite "qa" but the baseline is suite "other"',
    );
  });

  it("downloads the branch baseline from the base branch's newest successful run", async () => {
    const files = {
      "summary.json": await readFile(join(workspace, "baseline/summary.json"), "utf8"),
      "results.jsonl": await readFile(join(workspace, "baseline/results.jsonl"), "utf8"),
    };
    server.state.workflowRuns.push({
      id: 500,
      head_branch: "main",
      head_sha: "b".repeat(40),
      event: "push",
      status: "completed",
      conclusion: "success",
    });
    server.state.artifacts.push({ name: "llmops-results-qa", workflow_run: { id: 500 }, files });
    const result = await run({ baseline: "branch", comment: "off", "check-run": "false" });
    expect(result.outputs.verdict).toBe("fail");
    expect(result.summary).toContain("main at bbbbbbb (workflow run 500)");
  });
});

import { comparisonSchema, silentLogger } from "@llmops/core";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOctokit, type GitHubClient } from "../src/octokit.ts";
import { postReportFromRun, REPORT_ARTIFACT, type TriggeringRun } from "../src/post-report.ts";

const owner = "octo-org";
const repo = "octo-repo";
const headSha = "f".repeat(40);
let server: GitHubServer;
let octokit: GitHubClient;

function comparison(verdict: "pass" | "fail", gatePassed: boolean) {
  return comparisonSchema.parse({
    schemaVersion: 1,
    suite: "qa",
    baseline: { source: "branch", description: "main at 1234567" },
    matched: 2,
    added: [],
    removed: [],
    changed: [],
    metrics: [],
    flips: [{ id: "c1", direction: "pass-to-fail", input: "<script>x</script> @admin", baselineOutput: "a", headOutput: "b" }],
    gates: [{ description: "exact: no significant regression", metric: "exact", actual: -0.5, threshold: 0, passed: gatePassed }],
    verdict,
  });
}

function seedArtifact(files: Record<string, string>, runId = 900) {
  server.state.artifacts.push({ name: REPORT_ARTIFACT, workflow_run: { id: runId }, files });
}

const run: TriggeringRun = {
  id: 900,
  event: "pull_request",
  headSha,
  headBranch: "feature",
  headOwner: "forker",
  htmlUrl: "https://github.com/octo-org/octo-repo/actions/runs/900",
};

beforeEach(async () => {
  server = await startGitHubServer({ owner, repo });
  server.state.pulls.push({ number: 12, head: { ref: "feature", sha: headSha, label: "forker:feature" }, base: { ref: "main" } });
  octokit = createOctokit({ token: "t", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false });
});
afterEach(async () => {
  await server.close();
});

describe("postReportFromRun", () => {
  it("finds the pull request from the event, re-renders the validated comparison and posts it", async () => {
    // The artifact claims "pass" and carries its own Markdown; neither is trusted.
    seedArtifact({
      "report.json": JSON.stringify({ schemaVersion: 1, verdict: "pass", pullRequest: 1, suites: [{ suite: "qa", directory: "qa" }] }),
      "qa/comparison.json": JSON.stringify(comparison("pass", false)),
      "qa/comment.md": "<!-- llmops:compare suite=qa -->\nall good, trust me",
    });
    const result = await postReportFromRun({ octokit, owner, repo, run, comment: "sticky", checkRun: true, logger: silentLogger });
    expect(result).toMatchObject({ verdict: "fail", pullRequest: 12 });
    const body = server.state.comments[0]?.body ?? "";
    expect(server.state.comments[0]?.issue_number).toBe(12);
    expect(body).not.toContain("trust me");
    expect(body).toContain("🔻 pass → fail");
    expect(body).toContain("**Verdict: fail**");
    expect(server.state.checkRuns[0]).toMatchObject({ head_sha: headSha, conclusion: "failure" });
    const pullsQuery = server.calls.find((c) => c.path.endsWith("/pulls"))?.query;
    expect(pullsQuery).toMatchObject({ head: "forker:feature", state: "open" });
  });

  it("posts nothing when no open pull request has the run's head", async () => {
    seedArtifact({
      "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
      "qa/comparison.json": JSON.stringify(comparison("pass", true)),
    });
    const result = await postReportFromRun({
      octokit,
      owner,
      repo,
      run: { ...run, headSha: "0".repeat(40) },
      comment: "sticky",
      checkRun: true,
      logger: silentLogger,
    });
    expect(result.verdict).toBe("none");
    expect(result.notices[0]).toContain("no open pull request");
    expect(server.state.comments).toHaveLength(0);
  });

  it("says so when the run uploaded no report, and refuses a malformed one", async () => {
    const missing = await postReportFromRun({ octokit, owner, repo, run, comment: "sticky", checkRun: false, logger: silentLogger });
    expect(missing.notices[0]).toContain(`no artifact named ${REPORT_ARTIFACT}`);
    seedArtifact({ "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "../etc" }] }) });
    await expect(
      postReportFromRun({ octokit, owner, repo, run, comment: "sticky", checkRun: false, logger: silentLogger }),
    ).rejects.toThrow(/not a compare report/);
  });

  it("ignores runs that were not pull requests", async () => {
    const result = await postReportFromRun({
      octokit,
      owner,
      repo,
      run: { ...run, event: "push" },
      comment: "sticky",
      checkRun: true,
      logger: silentLogger,
    });
    expect(result.verdict).toBe("none");
    expect(server.calls).toHaveLength(0);
  });
});

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { comparisonSchema } from "@llmops/core";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { leakedSecrets, runAction } from "@llmops/test/harness";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const TOKEN = "ghs_reportStageToken456";
let server: GitHubServer;

const fixture = JSON.parse(
  await readFile(join(import.meta.dirname, "../../../test/fixtures/events/workflow_run.completed.json"), "utf8"),
) as {
  workflow_run: { id: number; head_sha: string; head_branch: string };
};
const { id: RUN_ID, head_sha: HEAD_SHA, head_branch: HEAD_BRANCH } = fixture.workflow_run;

const comparison = comparisonSchema.parse({
  schemaVersion: 1,
  suite: "qa",
  baseline: { source: "branch", description: "main at 1234567 (workflow run 1)" },
  matched: 10,
  added: [],
  removed: [],
  changed: [],
  metrics: [],
  flips: [],
  gates: [{ description: "exact >= 0.8", metric: "exact", actual: 0.9, threshold: 0.8, passed: true }],
  verdict: "pass",
});

beforeEach(async () => {
  server = await startGitHubServer();
  server.state.pulls.push({
    number: 2,
    head: { ref: HEAD_BRANCH, sha: HEAD_SHA, label: `octo-org:${HEAD_BRANCH}` },
    base: { ref: "main" },
  });
});
afterEach(async () => {
  await server.close();
});

/** The report artifact the first stage uploads for the triggering run: one suite, "qa". */
function uploadReport(): void {
  server.state.artifacts.push({
    name: "llmops-compare-report",
    workflow_run: { id: RUN_ID },
    files: {
      "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
      "qa/comparison.json": JSON.stringify(comparison),
    },
  });
}

function run(inputs: Record<string, string> = {}, payload: Record<string, unknown> = {}) {
  return runAction("report", {
    event: "workflow_run",
    payload,
    inputs: { token: TOKEN, ...inputs },
    env: { GITHUB_API_URL: server.url, LLMOPS_GITHUB_PACE: "false" },
  });
}

describe("actions/report (second stage of the fork-safe flow)", () => {
  it("posts the uploaded report to the run's pull request, once, and updates it next time", async () => {
    uploadReport();
    const first = await run();
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({ verdict: "pass", "pull-request": "2" });
    expect(server.state.checkRuns[0]).toMatchObject({ head_sha: HEAD_SHA, conclusion: "success", name: "llmops compare (qa)" });
    await run();
    expect(server.state.comments.filter((c) => c.issue_number === 2)).toHaveLength(1);
    expect(server.state.comments[0]?.body).toContain("Earlier runs (1)");
    expect(leakedSecrets(first, [TOKEN])).toEqual([]);
  });

  it("names the missing permission when the token cannot comment", async () => {
    uploadReport();
    server.failNext("POST", /\/issues\/2\/comments$/, 403);
    const result = await run({ "check-run": "false" });
    expect(result.annotations.map((a) => a.message).join("\n")).toContain("permissions: pull-requests: write");
  });

  it("refuses to run outside a workflow_run event", async () => {
    const result = await runAction("report", { event: "push", inputs: { token: TOKEN }, env: { GITHUB_API_URL: server.url } });
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]?.message).toContain("runs in a workflow_run workflow");
  });
});

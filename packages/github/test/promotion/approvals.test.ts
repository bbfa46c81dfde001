import { ExitCode, exitCodeOf } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { GitHubPermissionError } from "../../src/errors.ts";
import { githubApprovals } from "../../src/promotion/approvals.ts";
import { owner, rejection, repo, useServer } from "./setup.ts";

const h = useServer();

describe("githubApprovals", () => {
  it("maps the run's environment reviews to approvers", async () => {
    h.server.state.workflowRuns.push({ id: 77 }, { id: 78 });
    h.server.state.approvals.push(
      { run_id: 77, state: "approved", user: "alice", comment: "numbers look good", environments: ["production"] },
      { run_id: 77, state: "rejected", user: "bob", comment: "", environments: ["production", "eu-production"] },
      { run_id: 78, state: "approved", user: "mallory", environments: ["production"] },
    );
    const approvers = await githubApprovals(h.octokit, { owner, repo, runId: 77 }).forCurrentRun();
    expect(approvers).toEqual([
      { login: "alice", state: "approved", comment: "numbers look good", environments: ["production"] },
      { login: "bob", state: "rejected", environments: ["production", "eu-production"] },
    ]);
  });

  it("answers no approvers for a run without environment reviews", async () => {
    h.server.state.workflowRuns.push({ id: 79 });
    expect(await githubApprovals(h.octokit, { owner, repo, runId: 79 }).forCurrentRun()).toEqual([]);
  });

  it("names actions: read on 403", async () => {
    h.server.state.workflowRuns.push({ id: 80 });
    h.server.failNext("GET", /\/actions\/runs\/80\/approvals$/, 403);
    const error = await rejection(githubApprovals(h.octokit, { owner, repo, runId: 80 }).forCurrentRun());
    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect(error.message).toBe(
      "GitHub refused to read the environment approvals of workflow run 80 (403): the workflow token needs `permissions: actions: read`",
    );
    expect(exitCodeOf(error)).toBe(ExitCode.External);
  });
});

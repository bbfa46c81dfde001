import { ExitCode, ExternalError, exitCodeOf, oneLine, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { GitHubPermissionError } from "../../src/errors.ts";
import { githubDeployments } from "../../src/promotion/deployments.ts";
import { owner, rejection, repo, useServer } from "./setup.ts";

const h = useServer();
const deployments = () => githubDeployments(h.octokit, { owner, repo, logger: silentLogger });
const request = (environment = "staging") => ({
  environment,
  ref: "main",
  description: "Promote classifier v3",
  payload: { model: "classifier", digest: `sha256:${"a".repeat(64)}`, promotionId: "p-1" },
  productionEnvironment: false,
  transientEnvironment: false,
});
const statesOf = (id: number) =>
  h.server.state.deploymentStatuses
    .filter((s) => s.deployment_id === id)
    .sort((a, b) => (b.id ?? 0) - (a.id ?? 0))
    .map((s) => s.state);

describe("githubDeployments", () => {
  it("creates a deployment that skips GitHub's merge and status-check gates, with the promotion's payload", async () => {
    const handle = await deployments().create(request());
    expect(handle.url).toBe(`${h.server.url}/repos/${owner}/${repo}/deployments/${handle.id}`);
    const call = h.server.calls.find((c) => c.operation === "repos/create-deployment");
    expect(call?.body).toMatchObject({
      ref: "main",
      environment: "staging",
      auto_merge: false,
      required_contexts: [],
      production_environment: false,
      transient_environment: false,
      description: "Promote classifier v3",
      payload: { model: "classifier", promotionId: "p-1" },
    });
  });

  it("goes in_progress then success, which makes the earlier successful deployment of the environment inactive", async () => {
    const d = deployments();
    const first = await d.create(request());
    await d.setStatus(first, "in_progress", { description: "promoting" });
    await d.setStatus(first, "success", { description: "live", environmentUrl: "https://staging.example.com" });
    const second = await d.create(request());
    await d.setStatus(second, "in_progress", { description: "promoting" });
    await d.setStatus(second, "success", {
      description: "live",
      environmentUrl: "https://staging.example.com",
      logUrl: "https://github.com/octo-org/octo-repo/actions/runs/9",
    });
    expect(statesOf(first.id)).toEqual(["inactive", "success", "in_progress"]);
    expect(statesOf(second.id)).toEqual(["success", "in_progress"]);
    const last = h.server.calls.filter((c) => c.operation === "repos/create-deployment-status").at(-1);
    expect(last?.body).toEqual({
      state: "success",
      description: "live",
      environment_url: "https://staging.example.com",
      log_url: "https://github.com/octo-org/octo-repo/actions/runs/9",
      auto_inactive: true,
    });
  });

  it("marks the earlier production deployment inactive itself, since GitHub's auto_inactive skips production", async () => {
    const d = deployments();
    const production = { ...request("production"), productionEnvironment: true };
    const failedBefore = await d.create(production);
    await d.setStatus(failedBefore, "failure", { description: "smoke failed" });
    const first = await d.create(production);
    await d.setStatus(first, "success", { description: "live" });
    const second = await d.create(production);
    await d.setStatus(second, "success", { description: "live" });
    expect(statesOf(first.id)).toEqual(["inactive", "success"]);
    expect(statesOf(failedBefore.id)).toEqual(["failure"]);
    expect(statesOf(second.id)).toEqual(["success"]);
  });

  it("records a failure without touching what is live", async () => {
    const d = deployments();
    const live = await d.create(request());
    await d.setStatus(live, "success", { description: "live" });
    const failed = await d.create(request());
    await d.setStatus(failed, "in_progress", { description: "promoting" });
    await d.setStatus(failed, "failure", { description: "smoke suite failed" });
    expect(statesOf(failed.id)).toEqual(["failure", "in_progress"]);
    expect(statesOf(live.id)).toEqual(["success"]);
    const last = h.server.calls.filter((c) => c.operation === "repos/create-deployment-status").at(-1);
    expect(last?.body).toMatchObject({ state: "failure", auto_inactive: false });
  });

  it("clips descriptions to GitHub's 140 characters on one line", async () => {
    const d = deployments();
    const handle = await d.create({ ...request(), description: `line one\nline two ${"x".repeat(300)}` });
    await d.setStatus(handle, "error", { description: "y".repeat(500) });
    const [created, status] = h.server.calls.filter((c) => c.method === "POST").map((c) => (c.body as { description: string }).description);
    expect(created?.length).toBeLessThanOrEqual(140);
    expect(created).toMatch(/^line one line two x+…$/);
    expect(status?.length).toBe(140);
  });

  it("names the missing permission in one line on 403, as an external failure", async () => {
    h.server.failNext("POST", /\/deployments$/, 403, "Resource not accessible by integration");
    const error = await rejection(deployments().create(request("production")));
    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect(error.message).toBe(
      "GitHub refused to create a deployment to production (403): the workflow token needs `permissions: deployments: write`",
    );
    expect(oneLine(error)).toBe(error.message);
    expect(exitCodeOf(error)).toBe(ExitCode.External);

    const handle = await deployments().create(request());
    h.server.failNext("POST", /\/deployments\/\d+\/statuses$/, 403);
    const status = await rejection(deployments().setStatus(handle, "success", { description: "live" }));
    expect(status.message).toContain("permissions: deployments: write");
  });

  it("reports GitHub's refusal of an unknown ref as an external error", async () => {
    const error = await rejection(deployments().create({ ...request(), ref: "no-such-branch" }));
    expect(error).toBeInstanceOf(ExternalError);
    expect(error).not.toBeInstanceOf(GitHubPermissionError);
    expect(error.message).toBe("GitHub failed to create a deployment to staging (422): No ref found for: no-such-branch");
  });
});

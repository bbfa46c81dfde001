// Deployments with their statuses, commit statuses and the combined status, environments and refs.
import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, repo, type Server, startWithOctokit } from "./setup.ts";

const sha = "f".repeat(40);

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit());
});
afterEach(() => server.close());

describe("deployments", () => {
  it("creates a deployment on a branch, resolving it to the branch's commit", async () => {
    server.state.refs.push({ ref: "refs/heads/release", sha });
    const deployment = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: "release",
      environment: "staging",
      auto_merge: false,
      required_contexts: [],
      payload: { model: "classifier@sha256:abc" },
    });
    expect(deployment.status).toBe(201);
    const data = deployment.data as { id: number; sha: string; environment: string; payload: unknown; production_environment: boolean };
    expect(data).toMatchObject({ sha, environment: "staging", payload: { model: "classifier@sha256:abc" }, production_environment: false });
    const main = await octokit.rest.git.getRef({ ...repo, ref: "heads/main" });
    const onMain = await octokit.rest.repos.createDeployment({ ...repo, ref: "main", required_contexts: [] });
    expect((onMain.data as { sha: string; environment: string }).sha).toBe(main.data.object.sha);
    expect((onMain.data as { environment: string }).environment).toBe("production");
  });

  it("refuses a ref that does not exist with 422", async () => {
    const { status, message } = await failure(octokit.rest.repos.createDeployment({ ...repo, ref: "no-such-branch" }));
    expect(status).toBe(422);
    expect(message).toBe("No ref found for: no-such-branch");
  });

  it("lists deployments newest first, filtered by environment", async () => {
    const a = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "staging" });
    const b = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "production" });
    const c = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "staging" });
    const id = (d: typeof a) => (d.data as { id: number }).id;
    expect((await octokit.rest.repos.listDeployments(repo)).data.map((d) => d.id)).toEqual([id(c), id(b), id(a)]);
    expect((await octokit.rest.repos.listDeployments({ ...repo, environment: "staging" })).data.map((d) => d.id)).toEqual([id(c), id(a)]);
  });

  it("records deployment statuses newest first and 404s for an unknown deployment", async () => {
    const d = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "staging" });
    const id = (d.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: id, state: "in_progress" });
    const done = await octokit.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: id,
      state: "success",
      environment_url: "https://staging.example.com",
      log_url: "https://github.com/octo-org/octo-repo/actions/runs/1",
    });
    expect(done.status).toBe(201);
    expect(done.data).toMatchObject({ state: "success", environment: "staging", environment_url: "https://staging.example.com" });
    expect(done.data.deployment_url).toBe(`${server.url}/repos/octo-org/octo-repo/deployments/${id}`);
    const statuses = await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: id });
    expect(statuses.data.map((s) => s.state)).toEqual(["success", "in_progress"]);
    expect((await failure(octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: 999999, state: "success" }))).status).toBe(
      404,
    );
    expect(
      (await failure(octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: id, state: "done" as "success" }))).status,
    ).toBe(422);
    expect(server.takeUnexpectedCalls().map((c) => [c.status, c.operation])).toEqual([[422, "repos/create-deployment-status"]]);
  });

  it("marks the previous successful deployment to the same non-production environment inactive", async () => {
    const first = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "staging" });
    const firstId = (first.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: firstId, state: "success" });
    const second = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "staging" });
    const secondId = (second.data as { id: number }).id;
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: secondId, state: "success" });
    const firstStatuses = await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: firstId });
    expect(firstStatuses.data.map((s) => s.state)).toEqual(["inactive", "success"]);

    // Not for auto_inactive: false, and never for production environments.
    const third = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "staging" });
    await octokit.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: (third.data as { id: number }).id,
      state: "success",
      auto_inactive: false,
    });
    expect((await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: secondId })).data.map((s) => s.state)).toEqual([
      "success",
    ]);
    const p1 = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "production" });
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: (p1.data as { id: number }).id, state: "success" });
    const p2 = await octokit.rest.repos.createDeployment({ ...repo, ref: sha, environment: "production" });
    await octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: (p2.data as { id: number }).id, state: "success" });
    const p1Statuses = await octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: (p1.data as { id: number }).id });
    expect(p1Statuses.data.map((s) => s.state)).toEqual(["success"]);
  });
});

describe("environments", () => {
  it("gets a seeded environment and 404s for others", async () => {
    server.state.environments.push({ name: "production", protection_rules: [{ id: 1, node_id: "x", type: "required_reviewers" }] });
    const env = await octokit.rest.repos.getEnvironment({ ...repo, environment_name: "production" });
    expect(env.data).toMatchObject({ name: "production", protection_rules: [{ type: "required_reviewers" }] });
    expect((await failure(octokit.rest.repos.getEnvironment({ ...repo, environment_name: "qa" }))).status).toBe(404);
  });
});

describe("commit statuses", () => {
  it("creates statuses and lists them newest first", async () => {
    const created = await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "pending", context: "llmops/eval" });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      state: "pending",
      context: "llmops/eval",
      url: `${server.url}/repos/octo-org/octo-repo/statuses/${sha}`,
    });
    await octokit.rest.repos.createCommitStatus({
      ...repo,
      sha,
      state: "success",
      context: "llmops/eval",
      target_url: "https://example.com/r",
    });
    const listed = await octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: sha });
    expect(listed.data.map((s) => s.state)).toEqual(["success", "pending"]);
  });

  it("combines the latest status per context", async () => {
    server.state.refs.push({ ref: "refs/heads/tune", sha });
    const combined = async () => (await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: "tune" })).data;
    expect((await combined()).state).toBe("pending");
    await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "failure", context: "a" });
    await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "success", context: "b" });
    expect((await combined()).state).toBe("failure");
    await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "success", context: "a" });
    const all = await combined();
    expect(all).toMatchObject({ state: "success", sha, total_count: 2 });
    expect(all.statuses.map((s) => `${s.context}:${s.state}`).sort()).toEqual(["a:success", "b:success"]);
    await octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "pending", context: "c" });
    expect((await combined()).state).toBe("pending");
  });

  it("refuses a state GitHub does not know", async () => {
    const { status, message } = await failure(octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "passed" as "success" }));
    expect(status).toBe(422);
    expect(message).toContain(`"passed" is not a member of ["error","failure","pending","success"]`);
    expect(server.takeUnexpectedCalls()).toHaveLength(1);
  });
});

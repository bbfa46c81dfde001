// Every operation's success response carries the fields GitHub's description marks required (as
// extracted into the fixture's response skeletons), so octokit users can rely on them here.
import { gitBlobSha, toJsonSchema } from "@llmops/test/github-server";
import type { Octokit } from "@octokit/rest";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repo, type Server, startWithOctokit } from "./setup.ts";

const sha = "9".repeat(40);

let server: Server;
let octokit: Octokit;
beforeAll(async () => {
  ({ server, octokit } = await startWithOctokit());
  server.state.pulls.push({ number: 1, head: { sha } });
  server.state.issues.push({ number: 2, title: "seeded" });
  server.state.environments.push({ name: "staging" });
  server.state.workflowRuns.push({ id: 41 });
  server.state.artifacts.push({ id: 51, name: "results", workflow_run: { id: 41 }, files: { "a.txt": "a" } });
  server.state.files.push({ path: "models/registry.yaml", content: "models: []\n" });
  server.state.approvals.push({ run_id: 41, state: "approved", user: "alice", comment: "ok", environments: ["staging"] });
});
afterAll(() => server.close());

type Call = () => Promise<{ status: number; data: unknown }>;

// One representative call per operation; ids come from calls made before them.
const ids: Record<string, number> = {};
const calls: [string, Call][] = [
  ["rate-limit/get", () => octokit.rest.rateLimit.get()],
  ["users/get-authenticated", () => octokit.rest.users.getAuthenticated()],
  ["repos/get", () => octokit.rest.repos.get(repo)],
  ["repos/get-content", () => octokit.rest.repos.getContent({ ...repo, path: "models/registry.yaml", ref: "main" })],
  ["git/get-ref", () => octokit.rest.git.getRef({ ...repo, ref: "heads/main" })],
  [
    "git/create-ref",
    async () => {
      const main = await octokit.rest.git.getRef({ ...repo, ref: "heads/main" });
      return octokit.rest.git.createRef({ ...repo, ref: "refs/heads/responses", sha: main.data.object.sha });
    },
  ],
  [
    "repos/create-or-update-file-contents",
    () =>
      octokit.rest.repos.createOrUpdateFileContents({
        ...repo,
        path: "models/registry.yaml",
        branch: "responses",
        message: "update",
        content: Buffer.from("models: [a]\n").toString("base64"),
        sha: gitBlobSha("models: []\n"),
      }),
  ],
  ["pulls/create", () => octokit.rest.pulls.create({ ...repo, head: "responses", base: "main", title: "t" })],
  ["repos/get-environment", () => octokit.rest.repos.getEnvironment({ ...repo, environment_name: "staging" })],
  ["issues/create", () => octokit.rest.issues.create({ ...repo, title: "alert", labels: ["x"] })],
  ["issues/list-for-repo", () => octokit.rest.issues.listForRepo(repo)],
  ["issues/get", () => octokit.rest.issues.get({ ...repo, issue_number: 2 })],
  ["issues/update", () => octokit.rest.issues.update({ ...repo, issue_number: 2, state: "closed" })],
  [
    "issues/create-comment",
    async () => {
      const res = await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "b" });
      ids.comment = res.data.id;
      return res;
    },
  ],
  ["issues/list-comments", () => octokit.rest.issues.listComments({ ...repo, issue_number: 1 })],
  ["issues/get-comment", () => octokit.rest.issues.getComment({ ...repo, comment_id: ids.comment! })],
  ["issues/update-comment", () => octokit.rest.issues.updateComment({ ...repo, comment_id: ids.comment!, body: "c" })],
  ["issues/delete-comment", () => octokit.rest.issues.deleteComment({ ...repo, comment_id: ids.comment! })],
  ["pulls/get", () => octokit.rest.pulls.get({ ...repo, pull_number: 1 })],
  ["pulls/list", () => octokit.rest.pulls.list(repo)],
  [
    "checks/create",
    async () => {
      const res = await octokit.rest.checks.create({
        ...repo,
        name: "eval",
        head_sha: sha,
        output: {
          title: "t",
          summary: "s",
          annotations: [{ path: "a", start_line: 1, end_line: 1, annotation_level: "notice", message: "m" }],
        },
      });
      ids.check = res.data.id;
      return res;
    },
  ],
  ["checks/update", () => octokit.rest.checks.update({ ...repo, check_run_id: ids.check!, conclusion: "success" })],
  ["checks/get", () => octokit.rest.checks.get({ ...repo, check_run_id: ids.check! })],
  ["checks/list-annotations", () => octokit.rest.checks.listAnnotations({ ...repo, check_run_id: ids.check! })],
  ["checks/list-for-ref", () => octokit.rest.checks.listForRef({ ...repo, ref: sha })],
  [
    "repos/create-deployment",
    async () => {
      const res = await octokit.rest.repos.createDeployment({ ...repo, ref: "main", environment: "staging" });
      ids.deployment = (res.data as { id: number }).id;
      return res;
    },
  ],
  ["repos/list-deployments", () => octokit.rest.repos.listDeployments(repo)],
  [
    "repos/create-deployment-status",
    () => octokit.rest.repos.createDeploymentStatus({ ...repo, deployment_id: ids.deployment!, state: "success" }),
  ],
  ["repos/list-deployment-statuses", () => octokit.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: ids.deployment! })],
  ["repos/create-commit-status", () => octokit.rest.repos.createCommitStatus({ ...repo, sha, state: "success", context: "eval" })],
  ["repos/list-commit-statuses-for-ref", () => octokit.rest.repos.listCommitStatusesForRef({ ...repo, ref: sha })],
  ["repos/get-combined-status-for-ref", () => octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha })],
  ["actions/list-workflow-runs-for-repo", () => octokit.rest.actions.listWorkflowRunsForRepo(repo)],
  ["actions/list-workflow-runs", () => octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: "ci.yml" })],
  ["actions/get-workflow-run", () => octokit.rest.actions.getWorkflowRun({ ...repo, run_id: 41 })],
  ["actions/get-reviews-for-run", () => octokit.rest.actions.getReviewsForRun({ ...repo, run_id: 41 })],
  ["actions/list-workflow-run-artifacts", () => octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: 41 })],
  ["actions/list-artifacts-for-repo", () => octokit.rest.actions.listArtifactsForRepo(repo)],
  ["actions/get-artifact", () => octokit.rest.actions.getArtifact({ ...repo, artifact_id: 51 })],
  ["actions/download-artifact", () => octokit.rest.actions.downloadArtifact({ ...repo, artifact_id: 51, archive_format: "zip" })],
];

describe("responses", () => {
  it("exercises every operation in the fixture", () => {
    expect(calls.map(([id]) => id).sort()).toEqual([...server.spec.operations.keys()].sort());
  });

  it("answers each operation with its success status and GitHub's required fields", async () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const problems: string[] = [];
    for (const [id, call] of calls) {
      const op = server.spec.operations.get(id)!;
      const res = await call();
      server.calls.length = 0;
      // The artifact download ends at the zip after octokit follows the 302.
      const expected = id === "actions/download-artifact" ? 200 : op.successStatus;
      if (res.status !== expected) problems.push(`${id}: status ${res.status}, expected ${expected}`);
      if (!op.response) continue;
      const validate = ajv.compile(toJsonSchema(op.response) as object);
      if (!validate(res.data)) problems.push(`${id}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(problems).toEqual([]);
  });
});

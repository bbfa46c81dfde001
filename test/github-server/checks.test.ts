// Check runs: create/update/get/list, annotations appended across updates, at most 50 per request.
import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, repo, type Server, startWithOctokit } from "./setup.ts";

const sha = "d".repeat(40);

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit());
});
afterEach(() => server.close());

function annotations(count: number, from = 0) {
  return Array.from({ length: count }, (_, i) => ({
    path: "evals/cases.jsonl",
    start_line: from + i + 1,
    end_line: from + i + 1,
    annotation_level: "warning" as const,
    message: `case ${from + i} flipped`,
  }));
}

describe("check runs", () => {
  it("creates a queued run, completes it with an update, and gets it back", async () => {
    const created = await octokit.rest.checks.create({ ...repo, name: "llmops eval", head_sha: sha, status: "in_progress" });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ name: "llmops eval", head_sha: sha, status: "in_progress", conclusion: null, completed_at: null });
    expect(created.data.app?.slug).toBe("github-actions");

    const updated = await octokit.rest.checks.update({
      ...repo,
      check_run_id: created.data.id,
      conclusion: "failure",
      output: { title: "2 regressions", summary: "accuracy -3.1pp" },
    });
    expect(updated.status).toBe(200);
    expect(updated.data).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "2 regressions", summary: "accuracy -3.1pp" },
    });
    expect(updated.data.completed_at).not.toBeNull();

    const got = await octokit.rest.checks.get({ ...repo, check_run_id: created.data.id });
    expect(got.data.conclusion).toBe("failure");
    expect(got.data.output.title).toBe("2 regressions");
  });

  it("answers 404 for an unknown check run", async () => {
    expect((await failure(octokit.rest.checks.get({ ...repo, check_run_id: 424242 }))).status).toBe(404);
    expect((await failure(octokit.rest.checks.update({ ...repo, check_run_id: 424242, status: "in_progress" }))).status).toBe(404);
  });

  it("refuses status completed without a conclusion", async () => {
    const create = await failure(octokit.rest.checks.create({ ...repo, name: "x", head_sha: sha, status: "completed" }));
    expect(create.status).toBe(422);
    expect(server.state.checkRuns).toHaveLength(0);
    const run = await octokit.rest.checks.create({ ...repo, name: "x", head_sha: sha });
    const update = await failure(octokit.rest.checks.update({ ...repo, check_run_id: run.data.id, status: "completed" }));
    expect(update.status).toBe(422);
    expect((await octokit.rest.checks.get({ ...repo, check_run_id: run.data.id })).data.status).toBe("queued");
    // The create broke a rule only GitHub's code knows (a legal request); the update broke the schema.
    expect(server.takeUnexpectedCalls().map((c) => [c.status, c.operation])).toEqual([[422, "checks/update"]]);
  });

  it("appends annotations across updates and counts them", async () => {
    const run = await octokit.rest.checks.create({
      ...repo,
      name: "eval",
      head_sha: sha,
      output: { title: "t", summary: "s", annotations: annotations(50) },
    });
    expect(run.data.output.annotations_count).toBe(50);
    const updated = await octokit.rest.checks.update({
      ...repo,
      check_run_id: run.data.id,
      output: { summary: "s2", annotations: annotations(30, 50) },
    });
    expect(updated.data.output.annotations_count).toBe(80);
    expect(updated.data.output.title).toBe("t");
    const listed = await octokit.paginate(octokit.rest.checks.listAnnotations, { ...repo, check_run_id: run.data.id, per_page: 100 });
    expect(listed).toHaveLength(80);
    expect(listed[79]).toMatchObject({ message: "case 79 flipped", start_line: 80, annotation_level: "warning" });
    expect(listed[0]!.blob_href).toBe(`https://github.com/octo-org/octo-repo/blob/${sha}/evals/cases.jsonl`);
  });

  it("refuses 51 annotations in one request with 422 and keeps none of them", async () => {
    const create = await failure(
      octokit.rest.checks.create({
        ...repo,
        name: "eval",
        head_sha: sha,
        output: { title: "t", summary: "s", annotations: annotations(51) },
      }),
    );
    expect(create.status).toBe(422);
    expect(create.message).toContain("'properties/output/properties/annotations', 51 items is more than the maximum of 50");
    expect(server.state.checkRuns).toHaveLength(0);

    const run = await octokit.rest.checks.create({ ...repo, name: "eval", head_sha: sha });
    const update = await failure(
      octokit.rest.checks.update({ ...repo, check_run_id: run.data.id, output: { summary: "s", annotations: annotations(51) } }),
    );
    expect(update.status).toBe(422);
    expect((await octokit.rest.checks.get({ ...repo, check_run_id: run.data.id })).data.output.annotations_count).toBe(0);
    expect(server.takeUnexpectedCalls().map((c) => [c.status, c.operation])).toEqual([
      [422, "checks/create"],
      [422, "checks/update"],
    ]);
  });

  it("lists the latest run per name for a ref, or all of them", async () => {
    server.state.refs.push({ ref: "refs/heads/tune", sha });
    const first = await octokit.rest.checks.create({ ...repo, name: "eval", head_sha: sha, conclusion: "failure" });
    const second = await octokit.rest.checks.create({ ...repo, name: "eval", head_sha: sha, conclusion: "success" });
    await octokit.rest.checks.create({ ...repo, name: "lint", head_sha: sha, status: "in_progress" });
    await octokit.rest.checks.create({ ...repo, name: "eval", head_sha: "e".repeat(40) });

    const latest = await octokit.rest.checks.listForRef({ ...repo, ref: sha });
    expect(latest.data.total_count).toBe(2);
    expect(latest.data.check_runs.find((r) => r.name === "eval")?.id).toBe(second.data.id);

    const all = await octokit.rest.checks.listForRef({ ...repo, ref: sha, filter: "all", check_name: "eval" });
    expect(all.data.check_runs.map((r) => r.id).sort()).toEqual([first.data.id, second.data.id].sort());

    const byBranch = await octokit.rest.checks.listForRef({ ...repo, ref: "tune", status: "in_progress" });
    expect(byBranch.data.check_runs.map((r) => r.name)).toEqual(["lint"]);
  });

  it("links a run to the open pull request whose head is its commit", async () => {
    server.state.pulls.push({ number: 9, head: { ref: "tune", sha } });
    const run = await octokit.rest.checks.create({ ...repo, name: "eval", head_sha: sha });
    expect(run.data.pull_requests.map((p) => p.number)).toEqual([9]);
  });
});

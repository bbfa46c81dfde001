// Workflow runs and artifacts: seeded, filtered, paginated; artifact downloads redirect to a zip.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repo, type Server, startWithOctokit } from "./setup.ts";

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit());
});
afterEach(() => server.close());

// Reads a zip with Python's zipfile, an implementation independent of the one that wrote it.
function unzipWithPython(bytes: Uint8Array): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "gh-artifact-"));
  try {
    const file = join(dir, "a.zip");
    writeFileSync(file, bytes);
    const out = execFileSync(
      "python3",
      [
        "-c",
        "import json,sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))",
        file,
      ],
      {
        encoding: "utf8",
      },
    );
    return JSON.parse(out) as Record<string, string>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("workflow runs", () => {
  beforeEach(() => {
    server.state.workflowRuns.push(
      {
        id: 11,
        name: "eval",
        path: ".github/workflows/eval.yml",
        workflow_id: 501,
        head_branch: "main",
        event: "push",
        conclusion: "success",
      },
      {
        id: 12,
        name: "eval",
        path: ".github/workflows/eval.yml",
        workflow_id: 501,
        head_branch: "tune",
        event: "pull_request",
        conclusion: "failure",
      },
      {
        id: 13,
        name: "CI",
        path: ".github/workflows/ci.yml",
        workflow_id: 502,
        head_branch: "main",
        event: "push",
        status: "in_progress",
        conclusion: null,
      },
    );
  });

  it("lists runs for the repository newest first and filters them", async () => {
    const all = await octokit.rest.actions.listWorkflowRunsForRepo(repo);
    expect(all.data.total_count).toBe(3);
    expect(all.data.workflow_runs.map((r) => r.id)).toEqual([13, 12, 11]);
    expect(
      (await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, branch: "main", status: "success" })).data.workflow_runs.map(
        (r) => r.id,
      ),
    ).toEqual([11]);
    expect(
      (await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, event: "pull_request" })).data.workflow_runs.map((r) => r.id),
    ).toEqual([12]);
    expect(
      (await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, status: "in_progress" })).data.workflow_runs.map((r) => r.id),
    ).toEqual([13]);
  });

  it("lists runs of one workflow by file name or by id", async () => {
    const byFile = await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: "eval.yml" });
    expect(byFile.data.workflow_runs.map((r) => r.id)).toEqual([12, 11]);
    const byId = await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: 502 });
    expect(byId.data.workflow_runs.map((r) => r.id)).toEqual([13]);
    const paged = await octokit.rest.actions.listWorkflowRuns({ ...repo, workflow_id: "eval.yml", per_page: 1, page: 2 });
    expect(paged.data.workflow_runs.map((r) => r.id)).toEqual([11]);
    expect(paged.data.total_count).toBe(2);
  });

  it("gets a run with GitHub's fields filled in, and 404 for an unknown id", async () => {
    const run = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: 12 });
    expect(run.data).toMatchObject({
      id: 12,
      head_branch: "tune",
      conclusion: "failure",
      html_url: "https://github.com/octo-org/octo-repo/actions/runs/12",
    });
    expect(run.data.artifacts_url).toBe(`${server.url}/repos/octo-org/octo-repo/actions/runs/12/artifacts`);
    await expect(octokit.rest.actions.getWorkflowRun({ ...repo, run_id: 99 })).rejects.toMatchObject({ status: 404 });
  });
});

describe("artifacts", () => {
  beforeEach(() => {
    server.state.workflowRuns.push({ id: 21, head_branch: "main" });
    server.state.artifacts.push(
      { id: 31, name: "eval-results", workflow_run: { id: 21 }, files: { "summary.json": '{"accuracy":0.91}', "cases/1.json": "{}" } },
      { id: 32, name: "report", workflow_run: { id: 21 }, files: { "report.md": "# Report" } },
      { id: 33, name: "eval-results", workflow_run: { id: 22 }, expired: true },
    );
  });

  it("lists a run's artifacts and the repository's, by name", async () => {
    const ofRun = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: 21 });
    expect(ofRun.data.total_count).toBe(2);
    expect(ofRun.data.artifacts.map((a) => a.name).sort()).toEqual(["eval-results", "report"]);
    expect(ofRun.data.artifacts[0]).not.toHaveProperty("files");
    const named = await octokit.rest.actions.listArtifactsForRepo({ ...repo, name: "eval-results" });
    expect(named.data.artifacts.map((a) => a.id)).toEqual([33, 31]);
    const got = await octokit.rest.actions.getArtifact({ ...repo, artifact_id: 31 });
    expect(got.data).toMatchObject({ name: "eval-results", expired: false, workflow_run: { id: 21, head_branch: "main" } });
    expect(got.data.archive_download_url).toBe(`${server.url}/repos/octo-org/octo-repo/actions/artifacts/31/zip`);
  });

  it("redirects a download to a zip the server serves without the token", async () => {
    const res = await fetch(`${server.url}/repos/octo-org/octo-repo/actions/artifacts/31/zip`, {
      headers: { authorization: "Bearer test-token" },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    const location = res.headers.get("location") ?? "";
    expect(location.startsWith(`${server.url}/_blobs/`)).toBe(true);
    const blob = await fetch(location);
    expect(blob.status).toBe(200);
    expect(blob.headers.get("content-type")).toBe("application/zip");
    expect(unzipWithPython(new Uint8Array(await blob.arrayBuffer()))).toEqual({
      "summary.json": '{"accuracy":0.91}',
      "cases/1.json": "{}",
    });
    const forged = await fetch(location.replace(/sig=[0-9a-f]+/, "sig=0000"));
    expect(forged.status).toBe(403);
    expect(server.takeUnexpectedCalls()).toMatchObject([
      { status: 403, unexpected: "not an artifact download URL this server handed out" },
    ]);
  });

  it("lets octokit follow the redirect and receive the zip bytes", async () => {
    const res = await octokit.rest.actions.downloadArtifact({ ...repo, artifact_id: 32, archive_format: "zip" });
    expect(res.status).toBe(200);
    expect(unzipWithPython(new Uint8Array(res.data as ArrayBuffer))).toEqual({ "report.md": "# Report" });
    expect(server.calls.map((c) => `${c.status} ${c.path.replace(/\d+\.zip$/, "N.zip")}`)).toEqual([
      "302 /repos/octo-org/octo-repo/actions/artifacts/32/zip",
      "200 /_blobs/artifacts/N.zip",
    ]);
  });

  it("answers 410 for an expired artifact and 404 for an unknown one", async () => {
    await expect(octokit.rest.actions.downloadArtifact({ ...repo, artifact_id: 33, archive_format: "zip" })).rejects.toMatchObject({
      status: 410,
    });
    await expect(octokit.rest.actions.downloadArtifact({ ...repo, artifact_id: 34, archive_format: "zip" })).rejects.toMatchObject({
      status: 404,
    });
    await expect(octokit.rest.actions.getArtifact({ ...repo, artifact_id: 34 })).rejects.toMatchObject({ status: 404 });
  });
});

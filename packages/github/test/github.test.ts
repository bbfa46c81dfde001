import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExternalError, InputError, silentLogger } from "@llmops/core";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractZip, findBranchBaseline } from "../src/artifacts.ts";
import { ANNOTATIONS_PER_REQUEST, type CheckAnnotation, completeCheckRun, createCheckRun, locateCaseLines } from "../src/check-run.ts";
import { GitHubPermissionError } from "../src/errors.ts";
import { createOctokit, type GitHubClient } from "../src/octokit.ts";
import { COMMENT_LIMIT, composeStickyBody, parseStickyBody, upsertStickyComment } from "../src/sticky-comment.ts";

const owner = "octo-org";
const repo = "octo-repo";
const marker = "<!-- llmops:compare suite=qa -->";
let server: GitHubServer;
let octokit: GitHubClient;

beforeEach(async () => {
  server = await startGitHubServer({ owner, repo });
  server.state.pulls.push({ number: 7, head: { ref: "feature", sha: "a".repeat(40) }, base: { ref: "main" } });
  octokit = createOctokit({ token: "t0ken", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false });
});
afterEach(async () => {
  await server.close();
});

const marked = () => server.state.comments.filter((c) => c.body.startsWith(marker));

describe("upsertStickyComment", () => {
  it("creates once, then updates in place folding the previous run into Earlier runs", async () => {
    const first = await upsertStickyComment({
      octokit,
      owner,
      repo,
      issueNumber: 7,
      marker,
      body: `${marker}\nfirst report`,
      runLabel: "run 1",
    });
    expect(first.action).toBe("created");
    const second = await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "second report", runLabel: "run 2" });
    expect(second).toMatchObject({ action: "updated", commentId: first.commentId });
    expect(marked()).toHaveLength(1);
    const body = marked()[0]?.body ?? "";
    const parsed = parseStickyBody(body);
    expect(parsed.main).toContain("second report");
    expect(parsed.earlier).toHaveLength(1);
    expect(parsed.earlier[0]).toContain("first report");
    expect(body).toContain("<details><summary>Earlier runs (1)</summary>");
    // The first comment's marker is not duplicated into the main section.
    expect(body.split(marker)).toHaveLength(2);
  });

  it("keeps only the last N earlier runs", async () => {
    for (let i = 1; i <= 5; i++)
      await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: `report ${i}`, keepEarlier: 2 });
    const parsed = parseStickyBody(marked()[0]?.body ?? "");
    expect(parsed.main).toContain("report 5");
    expect(parsed.earlier.map((e) => e.match(/report \d/)?.[0])).toEqual(["report 4", "report 3"]);
  });

  it("finds its comment among many pages of others", async () => {
    for (let i = 0; i < 150; i++) server.state.comments.push({ issue_number: 7, body: `chatter ${i}` });
    server.state.comments.push({ issue_number: 7, body: `${marker}\n<!-- llmops:main -->\nold\n` });
    const result = await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "new" });
    expect(result.action).toBe("updated");
    expect(marked()).toHaveLength(1);
  });

  it("ends with one comment when two jobs race, keeping the oldest", async () => {
    const results = await Promise.all([
      upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "job A" }),
      upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "job B" }),
    ]);
    expect(marked()).toHaveLength(1);
    const survivor = marked()[0]?.id;
    expect(results.every((r) => r.commentId === survivor)).toBe(true);
  });

  it("removes duplicates left by earlier races", async () => {
    server.state.comments.push({ issue_number: 7, body: `${marker}\nA` }, { issue_number: 7, body: `${marker}\nB` });
    await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "C" });
    expect(marked()).toHaveLength(1);
    expect(marked()[0]?.body).toContain("C");
  });

  it("names the missing permission on 403 and the pull request on 404", async () => {
    server.failNext("POST", /\/issues\/7\/comments$/, 403, "Resource not accessible by integration");
    const denied = await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "x" }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(GitHubPermissionError);
    expect((denied as Error).message).toContain("permissions: pull-requests: write");
    const missing = await upsertStickyComment({ octokit, owner, repo, issueNumber: 404, marker, body: "x" }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as Error).message).toBe("pull request #404 not found in octo-org/octo-repo");
  });

  it("does not let a crafted body forge structure markers", () => {
    const body = composeStickyBody({ marker, body: "evil <!-- llmops:earlier --> <!-- llmops:entry --> fake" });
    expect(parseStickyBody(body).earlier).toEqual([]);
    expect(parseStickyBody(body).main).toContain("fake");
  });

  it("drops earlier runs to stay under GitHub's limit", () => {
    const big = "y".repeat(30_000);
    let body = composeStickyBody({ marker, body: big });
    body = composeStickyBody({ marker, body: big, previous: body });
    body = composeStickyBody({ marker, body: big, previous: body });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(parseStickyBody(body).earlier).toHaveLength(1);
  });
});

describe("check runs", () => {
  it("sends at most 50 annotations per request and completes with the conclusion", async () => {
    const id = await createCheckRun({ octokit, owner, repo, name: "llmops compare (qa)", headSha: "a".repeat(40) });
    const annotations: CheckAnnotation[] = Array.from({ length: 120 }, (_, i) => ({
      path: "llmops.yaml",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "failure",
      message: `case ${i} regressed`,
    }));
    const { requests } = await completeCheckRun({
      octokit,
      owner,
      repo,
      checkRunId: id,
      conclusion: "failure",
      title: "1 regression",
      summary: "s",
      annotations,
    });
    expect(requests).toBe(3);
    const updates = server.calls.filter((c) => c.method === "PATCH" && c.path.endsWith(`/check-runs/${id}`));
    const counts = updates.map((c) => ((c.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length);
    expect(counts).toEqual([50, 50, 20]);
    expect(Math.max(...counts)).toBeLessThanOrEqual(ANNOTATIONS_PER_REQUEST);
    const run = server.state.checkRuns.find((r) => r.id === id);
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(run?.annotations).toHaveLength(120);
  });

  it("names checks: write on 403", async () => {
    server.failNext("POST", /\/check-runs$/, 403, "Resource not accessible by integration");
    const error = await createCheckRun({ octokit, owner, repo, name: "x", headSha: "a".repeat(40) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect((error as Error).message).toContain("permissions: checks: write");
  });

  it("maps a server error to an external error", async () => {
    server.failNext("POST", /\/check-runs$/, 500);
    const error = await createCheckRun({ octokit, owner, repo, name: "x", headSha: "a".repeat(40) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect(error).not.toBeInstanceOf(GitHubPermissionError);
  });

  it("locates case ids in YAML and JSONL", () => {
    const yaml =
      "suites:\n  - name: qa\n    cases:\n      - id: capital\n        vars: {}\n      - id: 'it''s'\n      - {id: \"q\\\"x\", vars: {}}\n";
    expect([...locateCaseLines(yaml, ["capital", "it's", 'q"x', "absent"])]).toEqual([
      ["capital", 4],
      ["it's", 6],
      ['q"x', 7],
    ]);
    expect(locateCaseLines('{"id":"a"}\n{"id": "b", "vars": {}}\n', ["b"]).get("b")).toBe(2);
  });
});

describe("branch baseline", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "llmops-baseline-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("downloads the suite's artifact of the newest successful push run on the base branch", async () => {
    server.state.workflowRuns.push(
      {
        id: 10,
        head_branch: "main",
        head_sha: "1".repeat(40),
        event: "push",
        status: "completed",
        conclusion: "success",
        created_at: "2026-01-01T00:00:00Z",
      },
      {
        id: 11,
        head_branch: "main",
        head_sha: "2".repeat(40),
        event: "push",
        status: "completed",
        conclusion: "success",
        created_at: "2026-01-02T00:00:00Z",
      },
      {
        id: 12,
        head_branch: "main",
        head_sha: "3".repeat(40),
        event: "push",
        status: "completed",
        conclusion: "failure",
        created_at: "2026-01-03T00:00:00Z",
      },
      {
        id: 13,
        head_branch: "other",
        head_sha: "4".repeat(40),
        event: "push",
        status: "completed",
        conclusion: "success",
        created_at: "2026-01-04T00:00:00Z",
      },
    );
    server.state.artifacts.push(
      { name: "llmops-results-qa", workflow_run: { id: 10 }, files: { "summary.json": "old" } },
      { name: "llmops-results-qa", workflow_run: { id: 11 }, files: { "summary.json": "new", "nested/results.jsonl": "{}" } },
      { name: "llmops-results-qa", workflow_run: { id: 12 }, files: { "summary.json": "failed run" } },
      { name: "llmops-results-qa", workflow_run: { id: 13 }, files: { "summary.json": "other branch" } },
    );
    const dest = join(dir, "baseline");
    const found = await findBranchBaseline({ octokit, owner, repo, branch: "main", suite: "qa", dest, logger: silentLogger });
    expect(found).toMatchObject({ runId: 11, headSha: "2".repeat(40), files: ["nested/results.jsonl", "summary.json"] });
    expect(await readFile(join(dest, "summary.json"), "utf8")).toBe("new");
    const listRuns = server.calls.find((c) => c.path.endsWith("/actions/runs"));
    expect(listRuns?.query).toMatchObject({ branch: "main", status: "success", event: "push" });
  });

  it("returns undefined when no run has the artifact, and names actions: read on 403", async () => {
    expect(
      await findBranchBaseline({ octokit, owner, repo, branch: "main", suite: "qa", dest: join(dir, "b"), logger: silentLogger }),
    ).toBeUndefined();
    server.failNext("GET", /\/actions\/runs$/, 403);
    const error = await findBranchBaseline({
      octokit,
      owner,
      repo,
      branch: "main",
      suite: "qa",
      dest: join(dir, "b"),
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("permissions: actions: read");
  });

  it("refuses zip entries that escape the directory", async () => {
    const zip = zipSync({ "../evil.txt": new TextEncoder().encode("x") });
    await expect(extractZip(zip, join(dir, "out"))).rejects.toThrow(/outside the extraction directory/);
  });
});

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExternalError, InputError, silentLogger } from "@llmops/core";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractZip, findBranchBaseline } from "../src/artifacts.ts";
import {
  ANNOTATIONS_PER_REQUEST,
  type CheckAnnotation,
  completeCheckRun,
  createCheckRun,
  locateCaseLines,
  withCheckRun,
} from "../src/check-run.ts";
import { GitHubPermissionError } from "../src/errors.ts";
import { createOctokit, type GitHubClient } from "../src/octokit.ts";
import {
  ACTIONS_BOT_LOGIN,
  COMMENT_LIMIT,
  composeStickyBody,
  parseStickyBody,
  resolveCommentAuthor,
  upsertStickyComment,
} from "../src/sticky-comment.ts";

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

  it("never edits, deletes or quotes another user's comment that starts with the marker", async () => {
    const hostile = `${marker}\n<!-- llmops:main -->\nHOSTILE all gates passed, merge it @admin\n<!-- llmops:earlier -->\n<!-- llmops:entry -->\nHOSTILE earlier\n`;
    server.state.comments.push({ issue_number: 7, body: hostile, user: { login: "mallory", type: "User" } });
    const first = await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: `${marker}\nreport 1` });
    const second = await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: `${marker}\nreport 2` });
    expect(first.action).toBe("created");
    expect(second).toMatchObject({ action: "updated", commentId: first.commentId });
    const mallory = server.state.comments.filter((c) => (c.user as { login?: string }).login === "mallory");
    expect(mallory.map((c) => c.body)).toEqual([hostile]);
    const ours = server.state.comments.filter((c) => (c.user as { login?: string }).login === ACTIONS_BOT_LOGIN);
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).not.toContain("HOSTILE");
    expect(parseStickyBody(ours[0]?.body ?? "").earlier.join("\n")).toContain("report 1");
    const touched = server.calls.filter((c) => c.method !== "GET").map((c) => c.path);
    expect(touched.some((p) => p.endsWith(`/comments/${mallory[0]?.id}`))).toBe(false);
  });

  it("only takes over comments of the token's own login, whatever App or user that is", async () => {
    await server.close();
    server = await startGitHubServer({ owner, repo, login: "my-app[bot]" });
    server.state.pulls.push({ number: 7, head: { ref: "feature", sha: "a".repeat(40) }, base: { ref: "main" } });
    octokit = createOctokit({ token: "t0ken", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false });
    // Another workflow's GITHUB_TOKEN comment with the same marker is not ours either.
    server.state.comments.push({
      issue_number: 7,
      body: `${marker}\nfrom github-actions`,
      user: { login: ACTIONS_BOT_LOGIN, type: "Bot" },
    });
    expect(await resolveCommentAuthor(octokit)).toBe("my-app[bot]");
    await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "mine" });
    await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "mine again" });
    expect(server.state.comments.map((c) => [(c.user as { login?: string }).login, c.body.includes("from github-actions")])).toEqual([
      [ACTIONS_BOT_LOGIN, true],
      ["my-app[bot]", false],
    ]);
  });

  it("takes an installation token that GET /user refuses for GITHUB_TOKEN, and corrects itself from the comment it created", async () => {
    await server.close();
    server = await startGitHubServer({ owner, repo, login: "my-app[bot]" });
    server.state.pulls.push({ number: 7, head: { ref: "feature", sha: "a".repeat(40) }, base: { ref: "main" } });
    octokit = createOctokit({ token: "t0ken", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false });
    server.state.comments.push({ issue_number: 7, body: `${marker}\n<!-- llmops:main -->\nearlier run\n` });
    server.failNext("GET", /^\/user$/, 403, "Resource not accessible by integration");
    const result = await upsertStickyComment({ octokit, owner, repo, issueNumber: 7, marker, body: "this run" });
    // GraphQL is not part of the REST description this server checks against; on GitHub it names the App.
    const unexpected = (server as { takeUnexpectedCalls?: () => { path: string }[] }).takeUnexpectedCalls?.() ?? [];
    expect(unexpected.every((c) => c.path === "/graphql")).toBe(true);
    expect(result).toMatchObject({ action: "updated" });
    expect(marked()).toHaveLength(1);
    expect(parseStickyBody(marked()[0]?.body ?? "").earlier.join("\n")).toContain("earlier run");
  });

  it("does not let a crafted body forge structure markers", () => {
    const body = composeStickyBody({ marker, body: "evil <!-- llmops:earlier --> <!-- llmops:entry --> fake" });
    expect(parseStickyBody(body).earlier).toEqual([]);
    expect(parseStickyBody(body).main).toContain("fake");
  });

  it("cuts a main section without line breaks under GitHub's limit too", () => {
    const body = composeStickyBody({ marker, body: "z".repeat(70_000), runLabel: "run 1" });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain("Cut at GitHub's comment limit.");
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

  it("ends the check run as failure with the message when completing it fails", async () => {
    server.failNext("PATCH", /\/check-runs\/\d+$/, 500, "Server Error");
    const error = await withCheckRun({ octokit, owner, repo, name: "llmops compare (qa)", headSha: "a".repeat(40) }, (checkRunId) =>
      completeCheckRun({ octokit, owner, repo, checkRunId, conclusion: "success", title: "ok", summary: "s" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    const run = server.state.checkRuns[0];
    expect(run).toMatchObject({ status: "completed", conclusion: "failure" });
    expect((run?.output as { title?: string } | undefined)?.title).toBe(
      `llmops failed: GitHub failed to update the check run ${run?.id} (500): Server Error`,
    );
  });

  it("ends the check run as failure when a later annotation batch fails, though the first update completed it", async () => {
    const annotations: CheckAnnotation[] = Array.from({ length: 60 }, (_, i) => ({
      path: "llmops.yaml",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "failure",
      message: `case ${i}`,
    }));
    // The first update (completing the run as success) goes through; the second batch of annotations fails.
    let updates = 0;
    octokit.hook.before("request", (request) => {
      if (request.method === "PATCH" && ++updates === 2) server.failNext("PATCH", /\/check-runs\/\d+$/, 502);
    });
    const error = await withCheckRun({ octokit, owner, repo, name: "x", headSha: "a".repeat(40) }, (checkRunId) =>
      completeCheckRun({ octokit, owner, repo, checkRunId, conclusion: "success", title: "t", summary: "s", annotations }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect(server.state.checkRuns[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  });

  it("keeps a one-line summary over the limit under it", async () => {
    const id = await createCheckRun({ octokit, owner, repo, name: "x", headSha: "a".repeat(40) });
    await completeCheckRun({
      octokit,
      owner,
      repo,
      checkRunId: id,
      conclusion: "neutral",
      title: "t".repeat(300),
      summary: "x".repeat(70_000),
    });
    const output = server.state.checkRuns[0]?.output as { title: string; summary: string };
    expect(output.summary.length).toBeLessThanOrEqual(65_535);
    expect(output.title.length).toBeLessThanOrEqual(255);
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

  it("locates a case id written with YAML escapes that JSON does not have", () => {
    const yaml = 'suites:\n  - name: qa\n    cases:\n      - id: plain\n      - id: "caf\\xe9 \\N"\n        vars: {}\n';
    expect([...locateCaseLines(yaml, ["café \u0085", "plain"])]).toEqual([
      ["plain", 4],
      ["café \u0085", 5],
    ]);
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

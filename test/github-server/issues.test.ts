// Issue and pull-request comments, issues and pulls: state kept across calls, pagination with Link.
import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { repo, type Server, startWithOctokit } from "./setup.ts";

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit({ login: "llmops-bot" }));
});
afterEach(() => server.close());

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe("issue comments", () => {
  it("creates, gets, lists, updates and deletes a comment on a pull request", async () => {
    server.state.pulls.push({ number: 7 });
    const created = await octokit.rest.issues.createComment({ ...repo, issue_number: 7, body: "<!-- sticky -->\nfirst" });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ body: "<!-- sticky -->\nfirst", user: { login: "llmops-bot" } });
    expect(created.data.html_url).toBe(`https://github.com/octo-org/octo-repo/pull/7#issuecomment-${created.data.id}`);
    expect(created.data.issue_url).toBe(`${server.url}/repos/octo-org/octo-repo/issues/7`);
    expect(created.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const listed = await octokit.rest.issues.listComments({ ...repo, issue_number: 7 });
    expect(listed.data.map((c) => c.id)).toEqual([created.data.id]);

    const updated = await octokit.rest.issues.updateComment({ ...repo, comment_id: created.data.id, body: "<!-- sticky -->\nsecond" });
    expect(updated.data.body).toBe("<!-- sticky -->\nsecond");
    expect((await octokit.rest.issues.getComment({ ...repo, comment_id: created.data.id })).data.body).toBe("<!-- sticky -->\nsecond");

    const deleted = await octokit.rest.issues.deleteComment({ ...repo, comment_id: created.data.id });
    expect(deleted.status).toBe(204);
    expect(await statusOf(octokit.rest.issues.getComment({ ...repo, comment_id: created.data.id }))).toBe(404);
    expect(await statusOf(octokit.rest.issues.updateComment({ ...repo, comment_id: created.data.id, body: "x" }))).toBe(404);
    expect(server.state.comments).toHaveLength(0);
  });

  it("keeps comments per issue and lists only that issue's", async () => {
    server.state.pulls.push({ number: 1 }, { number: 2 });
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "on one" });
    await octokit.rest.issues.createComment({ ...repo, issue_number: 2, body: "on two" });
    const two = await octokit.rest.issues.listComments({ ...repo, issue_number: 2 });
    expect(two.data.map((c) => c.body)).toEqual(["on two"]);
  });

  it("answers 404 for a comment on an issue or pull request that does not exist", async () => {
    expect(await statusOf(octokit.rest.issues.createComment({ ...repo, issue_number: 99, body: "x" }))).toBe(404);
    expect(await statusOf(octokit.rest.issues.listComments({ ...repo, issue_number: 99 }))).toBe(404);
  });

  it("refuses a body longer than GitHub's 65536 characters with 422 Validation Failed", async () => {
    server.state.pulls.push({ number: 1 });
    expect((await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "x".repeat(65536) })).status).toBe(201);
    try {
      await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "x".repeat(65537) });
      expect.unreachable();
    } catch (error) {
      const e = error as { status: number; response: { data: { message: string; errors: { message: string }[] } } };
      expect(e.status).toBe(422);
      expect(e.response.data.message).toBe("Validation Failed");
      expect(e.response.data.errors[0]!.message).toBe("Body is too long (maximum is 65536 characters)");
    }
    expect(server.state.comments).toHaveLength(1);
  });

  it("fills in seeded comments and serves them", async () => {
    server.state.issues.push({ number: 3, title: "seeded" });
    server.state.comments.push({ issue_number: 3, body: "from a seed" });
    const listed = await octokit.rest.issues.listComments({ ...repo, issue_number: 3 });
    expect(listed.data[0]).toMatchObject({ body: "from a seed", user: { login: "llmops-bot" } });
    expect(listed.data[0]!.html_url).toContain("/issues/3#issuecomment-");
    expect(listed.data[0]).not.toHaveProperty("issue_number");
  });
});

describe("pagination", () => {
  beforeEach(() => {
    server.state.pulls.push({ number: 1 });
    for (let i = 0; i < 7; i++) server.state.comments.push({ issue_number: 1, body: `c${i}` });
  });

  it("pages with per_page/page and a Link header naming next and last", async () => {
    const first = await octokit.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 3 });
    expect(first.data.map((c) => c.body)).toEqual(["c0", "c1", "c2"]);
    const link = first.headers.link ?? "";
    expect(link).toContain(`<${server.url}/repos/octo-org/octo-repo/issues/1/comments?per_page=3&page=2>; rel="next"`);
    expect(link).toContain(`<${server.url}/repos/octo-org/octo-repo/issues/1/comments?per_page=3&page=3>; rel="last"`);
    expect(link).not.toContain('rel="prev"');

    const last = await octokit.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 3, page: 3 });
    expect(last.data.map((c) => c.body)).toEqual(["c6"]);
    expect(last.headers.link).toContain('rel="prev"');
    expect(last.headers.link).toContain('rel="first"');
    expect(last.headers.link).not.toContain('rel="next"');
  });

  it("lets octokit.paginate walk every page", async () => {
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: 1, per_page: 2 });
    expect(all.map((c) => c.body)).toEqual(["c0", "c1", "c2", "c3", "c4", "c5", "c6"]);
    expect(server.calls.filter((c) => c.operation === "issues/list-comments")).toHaveLength(4);
  });

  it("defaults to 30 per page and caps per_page at 100", async () => {
    for (let i = 7; i < 130; i++) server.state.comments.push({ issue_number: 1, body: `c${i}` });
    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 1 })).data).toHaveLength(30);
    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 500 })).data).toHaveLength(100);
  });
});

describe("pulls", () => {
  it("gets a seeded pull request with GitHub's fields filled in, and 404 for an unknown number", async () => {
    server.state.pulls.push({ number: 12, title: "Tune prompt", head: { ref: "tune", sha: "c".repeat(40) } });
    const pull = await octokit.rest.pulls.get({ ...repo, pull_number: 12 });
    expect(pull.data).toMatchObject({
      number: 12,
      title: "Tune prompt",
      state: "open",
      head: { ref: "tune", sha: "c".repeat(40), label: "octo-org:tune" },
      base: { ref: "main" },
      html_url: "https://github.com/octo-org/octo-repo/pull/12",
    });
    expect(await statusOf(octokit.rest.pulls.get({ ...repo, pull_number: 13 }))).toBe(404);
  });

  it("lists open pull requests by default and filters by head and base", async () => {
    server.state.pulls.push(
      { number: 1, head: { ref: "a" } },
      { number: 2, head: { ref: "b" }, state: "closed" },
      { number: 3, head: { ref: "c" }, base: { ref: "release" } },
    );
    expect((await octokit.rest.pulls.list(repo)).data.map((p) => p.number).sort()).toEqual([1, 3]);
    expect((await octokit.rest.pulls.list({ ...repo, state: "all" })).data).toHaveLength(3);
    expect((await octokit.rest.pulls.list({ ...repo, head: "octo-org:a" })).data.map((p) => p.number)).toEqual([1]);
    expect((await octokit.rest.pulls.list({ ...repo, base: "release" })).data.map((p) => p.number)).toEqual([3]);
  });
});

describe("issues", () => {
  it("creates an issue numbered after existing issues and pulls, and lists it by label", async () => {
    server.state.pulls.push({ number: 4 });
    const issue = await octokit.rest.issues.create({
      ...repo,
      title: "Drift alert: accuracy",
      body: "details",
      labels: ["llmops-alert", "drift"],
    });
    expect(issue.status).toBe(201);
    expect(issue.data.number).toBe(5);
    expect(issue.data.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["llmops-alert", "drift"]);
    expect(issue.data.html_url).toBe("https://github.com/octo-org/octo-repo/issues/5");

    const alerts = await octokit.rest.issues.listForRepo({ ...repo, labels: "llmops-alert" });
    expect(alerts.data.map((i) => i.number)).toEqual([5]);
    const everything = await octokit.rest.issues.listForRepo(repo);
    expect(everything.data.map((i) => i.number).sort()).toEqual([4, 5]);
    expect(everything.data.find((i) => i.number === 4)?.pull_request).toBeDefined();
    expect((await octokit.rest.issues.listForRepo({ ...repo, state: "closed" })).data).toHaveLength(0);
  });
});

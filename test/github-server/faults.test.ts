// Fault injection (failNext) and the record of every call.
import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, repo, type Server, startWithOctokit } from "./setup.ts";

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit());
  server.state.pulls.push({ number: 1 });
});
afterEach(() => server.close());

// Sends what octokit's types would refuse: the point is to see the server refuse it too.
function untyped(route: string, params: Record<string, unknown>) {
  return octokit.request(route, params);
}

describe("failNext", () => {
  it("fails the next matching request once with GitHub's 403 body, then behaves normally", async () => {
    server.failNext("POST", /\/issues\/\d+\/comments$/, 403);
    const { status, data } = await failure(octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "x" }));
    expect(status).toBe(403);
    expect(data).toEqual({
      message: "Resource not accessible by integration",
      documentation_url: "https://docs.github.com/rest",
      status: "403",
    });
    expect(server.state.comments).toHaveLength(0);
    expect((await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "x" })).status).toBe(201);
  });

  it("only fails requests with the given method and path", async () => {
    server.failNext("POST", /\/check-runs$/, 500, "boom");
    expect((await octokit.rest.issues.listComments({ ...repo, issue_number: 1 })).status).toBe(200);
    expect((await octokit.rest.checks.listForRef({ ...repo, ref: "main" })).status).toBe(200);
    const { status, data } = await failure(octokit.rest.checks.create({ ...repo, name: "eval", head_sha: "a".repeat(40) }));
    expect(status).toBe(500);
    expect(data.message).toBe("boom");
  });

  it("queues several faults in order and can set headers", async () => {
    server.failNext("GET", /\/pulls\/1$/, 404);
    server.failNext("GET", /\/pulls\/1$/, 403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "retry-after": "1" });
    expect((await failure(octokit.rest.pulls.get({ ...repo, pull_number: 1 }))).status).toBe(404);
    const limited = await failure(octokit.rest.pulls.get({ ...repo, pull_number: 1 }));
    expect(limited.status).toBe(403);
    expect(limited.headers["x-ratelimit-remaining"]).toBe("0");
    expect((await octokit.rest.pulls.get({ ...repo, pull_number: 1 })).status).toBe(200);
  });
});

describe("calls", () => {
  it("records method, path, query, parsed body, status and operation of every request", async () => {
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "hello" });
    await octokit.rest.issues.listComments({ ...repo, issue_number: 1, per_page: 5 });
    await failure(octokit.request("GET /repos/{owner}/{repo}/nothing-here", repo));
    expect(server.calls).toEqual([
      {
        method: "POST",
        path: "/repos/octo-org/octo-repo/issues/1/comments",
        query: {},
        body: { body: "hello" },
        status: 201,
        operation: "issues/create-comment",
      },
      {
        method: "GET",
        path: "/repos/octo-org/octo-repo/issues/1/comments",
        query: { per_page: "5" },
        body: undefined,
        status: 200,
        operation: "issues/list-comments",
      },
      {
        method: "GET",
        path: "/repos/octo-org/octo-repo/nothing-here",
        query: {},
        body: undefined,
        status: 404,
        unexpected: "no operation in GitHub's REST description matches GET /repos/octo-org/octo-repo/nothing-here",
      },
    ]);
    expect(server.takeUnexpectedCalls()).toEqual([server.calls[2]]);
  });

  it("records refused requests too", async () => {
    await failure(untyped("POST /repos/{owner}/{repo}/check-runs", { ...repo, name: 1 }));
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]).toMatchObject({ status: 422, operation: "checks/create", body: { name: 1 } });
    expect(server.takeUnexpectedCalls()).toEqual([server.calls[0]]);
  });
});

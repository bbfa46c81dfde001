// Requests are checked against GitHub's REST description: unknown routes, missing auth, bad path,
// query and body values are refused the way api.github.com refuses them, and recorded as unexpected
// (each test here takes the refusals it caused off the record, saying what they were).
import { startGitHubServer } from "@llmops/test/github-server";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, quiet, repo, type Server, startWithOctokit } from "./setup.ts";

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit());
});
afterEach(() => server.close());

// Sends what octokit's types would refuse: the point is to see the server refuse it too.
function untyped(route: string, params: Record<string, unknown>) {
  return octokit.request(route, params);
}

/** The refused requests since the last look, as "status operation-or-path", taken off the record. */
function refused(): string[] {
  return server.takeUnexpectedCalls().map((c) => `${c.status} ${c.operation ?? c.path}`);
}

async function raw(path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", "token test-token");
  const res = await fetch(`${server.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe("routing", () => {
  it("answers GitHub's 404 for a path no operation has", async () => {
    const res = await raw("/repos/octo-org/octo-repo/check-run");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
    expect(refused()).toEqual(["404 /repos/octo-org/octo-repo/check-run"]);
  });

  it("answers 404 for a method the path does not support", async () => {
    const res = await raw("/repos/octo-org/octo-repo/check-runs", { method: "GET" });
    expect(res.status).toBe(404);
    expect(refused()).toEqual(["404 /repos/octo-org/octo-repo/check-runs"]);
  });

  it("answers 404 for a trailing slash, as GitHub does", async () => {
    expect((await raw("/repos/octo-org/octo-repo/")).status).toBe(404);
    expect((await raw("/repos/octo-org/octo-repo")).status).toBe(200);
    expect(refused()).toEqual(["404 /repos/octo-org/octo-repo/"]);
  });

  it("answers 404 when a numeric path parameter is not a number", async () => {
    const res = await raw("/repos/octo-org/octo-repo/issues/comments/abc");
    expect(res.status).toBe(404);
    expect(refused()).toEqual(["404 /repos/octo-org/octo-repo/issues/comments/abc"]);
  });

  it("answers 404 for another repository", async () => {
    const { status } = await failure(octokit.rest.repos.get({ owner: "octo-org", repo: "other" }));
    expect(status).toBe(404);
    expect((await octokit.rest.repos.get({ owner: "OCTO-ORG", repo: "Octo-Repo" })).data.full_name).toBe("octo-org/octo-repo");
    expect(server.takeUnexpectedCalls().map((c) => c.unexpected)).toEqual([
      "octo-org/other is not the repository this server holds (octo-org/octo-repo)",
    ]);
  });

  it("prefers literal segments: issues/comments/{id} is a comment, not issue number 'comments'", async () => {
    server.state.pulls.push({ number: 1 });
    const created = await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: "x" });
    const got = await octokit.rest.issues.getComment({ ...repo, comment_id: created.data.id });
    expect(got.data.body).toBe("x");
  });

  it("takes a multi-segment ref whole", async () => {
    server.state.refs.push({ ref: "refs/heads/feature/deep/name", sha: "b".repeat(40) });
    const res = await raw("/repos/octo-org/octo-repo/git/ref/heads/feature/deep/name");
    expect(res.status).toBe(200);
    expect(res.body.ref).toBe("refs/heads/feature/deep/name");
    const viaOctokit = await octokit.rest.git.getRef({ ...repo, ref: "heads/feature/deep/name" });
    expect((viaOctokit.data.object as { sha: string }).sha).toBe("b".repeat(40));
  });
});

describe("authentication", () => {
  it("answers 401 Requires authentication without an Authorization header", async () => {
    const res = await fetch(`${server.url}/repos/octo-org/octo-repo`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: "Requires authentication", status: "401" });
    const anonymous = new Octokit({ baseUrl: server.url, log: quiet });
    expect((await failure(anonymous.rest.repos.get(repo))).status).toBe(401);
    expect(server.takeUnexpectedCalls().map((c) => c.unexpected)).toEqual(["no Authorization header", "no Authorization header"]);
  });

  it("accepts both `token X` and `Bearer X`", async () => {
    expect((await raw("/rate_limit", { headers: { authorization: "token abc" } })).status).toBe(200);
    expect((await raw("/rate_limit", { headers: { authorization: "Bearer abc" } })).status).toBe(200);
    expect((await raw("/rate_limit", { headers: { authorization: "Basic abc" } })).status).toBe(401);
    expect(refused()).toEqual(["401 rate-limit/get"]);
  });

  it("answers 401 Bad credentials for a token other than the configured one", async () => {
    const strict = await startGitHubServer({ token: "right" });
    try {
      const wrong = new Octokit({ auth: "wrong", baseUrl: strict.url, log: quiet });
      const { status, data } = await failure(wrong.rest.users.getAuthenticated());
      expect(status).toBe(401);
      expect(data.message).toBe("Bad credentials");
      const right = new Octokit({ auth: "right", baseUrl: strict.url, log: quiet });
      expect((await right.rest.users.getAuthenticated()).data.login).toBe("github-actions[bot]");
    } finally {
      await strict.close();
    }
  });
});

describe("request bodies", () => {
  const sha = "a".repeat(40);

  it("refuses an enum value GitHub does not accept with 422 Invalid request", async () => {
    const { status, data } = await failure(
      octokit.rest.checks.create({ ...repo, name: "eval", head_sha: sha, conclusion: "bogus" as "success" }),
    );
    expect(status).toBe(422);
    expect(data.message).toMatch(/^Invalid request\.\n\nFor 'properties\/conclusion', "bogus" is not a member of \[/);
    expect(data.documentation_url).toBe("https://docs.github.com/rest/reference/checks#create-a-check-run");
    expect(data.status).toBe("422");
    expect(server.state.checkRuns).toHaveLength(0);
    expect(refused()).toEqual(["422 checks/create"]);
  });

  it("refuses a key where the schema has additionalProperties: false", async () => {
    const { status, data } = await failure(
      untyped("POST /repos/{owner}/{repo}/issues", {
        ...repo,
        title: "t",
        issue_field_values: [{ field_id: 1, value: "x", colour: "red" }],
      }),
    );
    expect(status).toBe(422);
    expect(data.message).toBe('Invalid request.\n\n"colour" is not a permitted key.');
    expect(server.state.issues).toHaveLength(0);
    expect(server.takeUnexpectedCalls().map((c) => c.unexpected)).toEqual(['issues/create: "colour" is not a permitted key.']);
  });

  it("accepts unknown keys where the schema allows them, as GitHub does", async () => {
    const res = await octokit.request("POST /repos/{owner}/{repo}/issues", { ...repo, title: "t", not_in_schema: 1 });
    expect(res.status).toBe(201);
  });

  it("names a missing required field", async () => {
    const { status, data } = await failure(untyped("POST /repos/{owner}/{repo}/check-runs", { ...repo, name: "eval" }));
    expect(status).toBe(422);
    expect(data.message).toBe(`Invalid request.\n\n"head_sha" wasn't supplied.`);
    expect(refused()).toEqual(["422 checks/create"]);
  });

  it("names a wrongly typed field, with nil for null", async () => {
    server.state.pulls.push({ number: 1 });
    const typed = await failure(
      untyped("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: 1, body: 5 }),
    );
    expect(typed.status).toBe(422);
    expect(typed.data.message).toBe("Invalid request.\n\nFor 'properties/body', 5 is not a string.");
    const nil = await failure(
      untyped("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: 1, body: null }),
    );
    expect(nil.data.message).toBe("Invalid request.\n\nFor 'properties/body', nil is not a string.");
    expect(refused()).toEqual(["422 issues/create-comment", "422 issues/create-comment"]);
  });

  it("treats OpenAPI `nullable` as allowing null", async () => {
    const res = await octokit.request("POST /repos/{owner}/{repo}/statuses/{sha}", { ...repo, sha, state: "success", target_url: null });
    expect(res.status).toBe(201);
  });

  it("checks nested schemas (annotation level)", async () => {
    const { status, data } = await failure(
      octokit.rest.checks.create({
        ...repo,
        name: "eval",
        head_sha: sha,
        output: {
          title: "t",
          summary: "s",
          annotations: [{ path: "a.ts", start_line: 1, end_line: 1, annotation_level: "error" as "failure", message: "m" }],
        },
      }),
    );
    expect(status).toBe(422);
    expect(data.message).toContain("annotation_level");
    expect(data.message).toContain('"error" is not a member of ["notice","warning","failure"]');
    expect(refused()).toEqual(["422 checks/create"]);
  });

  it("refuses a missing body where one is required", async () => {
    const res = await raw("/repos/octo-org/octo-repo/check-runs", { method: "POST" });
    expect(res.status).toBe(422);
    expect(res.body.message).toBe("Invalid request.\n\nFor 'links/0/schema', nil is not an object.");
    expect(refused()).toEqual(["422 checks/create"]);
  });

  it("answers 400 Problems parsing JSON for a body that is not JSON", async () => {
    const res = await raw("/repos/octo-org/octo-repo/check-runs", {
      method: "POST",
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("Problems parsing JSON");
    expect(server.takeUnexpectedCalls()).toMatchObject([
      { status: 400, body: "{nope", unexpected: "checks/create: the request body is not JSON" },
    ]);
  });

  it("accepts a lenient date-time and refuses text that is no time at all", async () => {
    expect((await octokit.rest.checks.create({ ...repo, name: "a", head_sha: sha, started_at: "2024-05-06T07:08:09.123Z" })).status).toBe(
      201,
    );
    const { status } = await failure(octokit.rest.checks.create({ ...repo, name: "a", head_sha: sha, started_at: "yesterday" }));
    expect(status).toBe(422);
    expect(refused()).toEqual(["422 checks/create"]);
  });
});

describe("query parameters", () => {
  it("coerces typed query values and refuses ones that do not match", async () => {
    server.state.pulls.push({ number: 1 });
    expect((await raw("/repos/octo-org/octo-repo/pulls?per_page=5&state=all")).status).toBe(200);
    const bad = await raw("/repos/octo-org/octo-repo/pulls?per_page=many");
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(`Invalid request.\n\nFor 'properties/per_page', "many" is not an integer.`);
    const badEnum = await raw("/repos/octo-org/octo-repo/pulls?state=merged");
    expect(badEnum.status).toBe(422);
    expect(badEnum.body.message).toContain(`"merged" is not a member of ["open","closed","all"]`);
    expect(refused()).toEqual(["422 pulls/list", "422 pulls/list"]);
  });

  // Stricter than GitHub, which ignores them: a misspelt parameter would go unnoticed there.
  it("refuses query parameters the operation does not declare, naming the ones it does", async () => {
    const res = await raw("/repos/octo-org/octo-repo/pulls?state=open&per-page=5");
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      'Invalid request.\n\nUnknown query parameter "per-page": pulls/list takes state, head, base, sort, direction, per_page, page.',
    );
    const none = await raw("/repos/octo-org/octo-repo?page=1");
    expect(none.status).toBe(422);
    expect(none.body.message).toBe('Invalid request.\n\nUnknown query parameter "page": repos/get takes none.');
    expect(server.takeUnexpectedCalls().map((c) => c.unexpected)).toEqual([
      'pulls/list: Unknown query parameter "per-page": pulls/list takes state, head, base, sort, direction, per_page, page.',
      'repos/get: Unknown query parameter "page": repos/get takes none.',
    ]);
    expect((await raw("/repos/octo-org/octo-repo/pulls?state=open&per_page=5")).status).toBe(200);
  });
});

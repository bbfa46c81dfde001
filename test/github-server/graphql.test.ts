// The GraphQL endpoint answers who the token is (`viewer { login databaseId }`), the way octokit.graphql
// asks; any other query is a GraphQL error and an unexpected call, so the test that sent it fails.
import { startGitHubServer } from "@llmops/test/github-server";
import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, quiet, type Server, startWithOctokit } from "./setup.ts";

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit());
});
afterEach(() => server.close());

async function post(body: string, headers: Record<string, string> = { authorization: "bearer t" }) {
  const res = await fetch(`${server.url}/graphql`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe("viewer", () => {
  it("is github-actions[bot] for the default (GITHUB_TOKEN-like) token, through octokit.graphql at {baseUrl}/graphql", async () => {
    expect(await octokit.graphql("query { viewer { login } }")).toEqual({ viewer: { login: "github-actions[bot]" } });
    expect(await octokit.graphql("query { viewer { login databaseId } }")).toEqual({
      viewer: { login: "github-actions[bot]", databaseId: 41898282 },
    });
    expect(server.calls).toMatchObject([
      { method: "POST", path: "/graphql", status: 200, operation: "graphql", body: { query: "query { viewer { login } }" } },
      { method: "POST", path: "/graphql", status: 200, operation: "graphql" },
    ]);
    expect(server.calls.every((c) => c.unexpected === undefined)).toBe(true);
  });

  it("is the same identity GET /user answers for the server's login", async () => {
    const custom = await startGitHubServer({ login: "llmops-bot" });
    try {
      const client = new Octokit({ auth: "pat", baseUrl: custom.url, log: quiet });
      const { data: me } = await client.rest.users.getAuthenticated();
      expect(await client.graphql("{ viewer { databaseId login } }")).toEqual({ viewer: { databaseId: me.id, login: "llmops-bot" } });
    } finally {
      await custom.close();
    }
  });

  it("accepts an operation name, commas, comments and layout, and answers the fields in the order asked", async () => {
    const query = `# who am I
      query Me {
        viewer { databaseId, login }
      }`;
    const res = await post(JSON.stringify({ query, operationName: "Me", variables: {} }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { viewer: { databaseId: 41898282, login: "github-actions[bot]" } } });
    expect(Object.keys((res.body.data as { viewer: object }).viewer)).toEqual(["databaseId", "login"]);
    expect(res.headers.get("x-ratelimit-resource")).toBe("graphql");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });
});

describe("anything else", () => {
  it("answers another query with a GraphQL error, which octokit throws, and records it as unexpected", async () => {
    const error = (await octokit
      .graphql(`query { repository(owner: "octo-org", name: "octo-repo") { id } }`)
      .catch((e: unknown) => e)) as Error & { name: string; errors: { message: string }[] };
    expect(error.name).toBe("GraphqlResponseError");
    expect(error.errors[0]!.message).toMatch(/^Unsupported query: the GitHub test server answers only/);
    const [call] = server.takeUnexpectedCalls();
    expect(call).toMatchObject({ status: 200, operation: "graphql" });
    expect(call!.unexpected).toMatch(/^graphql: the GitHub test server answers only .*, not `query \{ repository\(owner: "octo-org"/);
  });

  it.each([
    ["a field the viewer query does not answer", "{ viewer { login name } }"],
    ["a second selection", "{ viewer { login } rateLimit { remaining } }"],
    ["a mutation", "mutation { viewer { login } }"],
    ["variables", "query ($x: Int) { viewer { login } }"],
    ["an empty selection", "{ viewer { } }"],
    ["a syntax error", "{ viewer { login }"],
  ])("refuses %s", async (_, query) => {
    const res = await post(JSON.stringify({ query }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ errors: [{ message: expect.stringMatching(/^Unsupported query/) }] });
    expect(server.takeUnexpectedCalls()).toHaveLength(1);
  });

  it("refuses a body without a query string, an operationName the query lacks, and a body that is not JSON", async () => {
    expect((await post(JSON.stringify({ variables: {} }))).body).toEqual({
      errors: [{ message: "A query attribute must be specified and must be a string." }],
    });
    expect((await post(JSON.stringify({ query: "{ viewer { login } }", operationName: "Other" }))).body).toEqual({
      errors: [{ message: 'No operation named "Other"' }],
    });
    const notJson = await post("{nope");
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ message: "Problems parsing JSON" });
    expect(server.takeUnexpectedCalls().map((c) => [c.status, c.unexpected])).toEqual([
      [200, "graphql: the request body has no `query` string"],
      [200, 'graphql: operationName "Other" names no operation of the query'],
      [400, "graphql: the request body is not JSON"],
    ]);
  });

  it("requires a token, and the configured one when the server has one", async () => {
    const anonymous = await post(JSON.stringify({ query: "{ viewer { login } }" }), {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ message: "This endpoint requires you to be authenticated." });
    expect(server.takeUnexpectedCalls().map((c) => c.unexpected)).toEqual(["no Authorization header"]);

    const strict = await startGitHubServer({ token: "right" });
    try {
      const wrong = new Octokit({ auth: "wrong", baseUrl: strict.url, log: quiet });
      const { status, message } = await failure(wrong.graphql("{ viewer { login } }"));
      expect(status).toBe(401);
      expect(message).toBe("Bad credentials");
      const right = new Octokit({ auth: "right", baseUrl: strict.url, log: quiet });
      expect(await right.graphql("{ viewer { login } }")).toEqual({ viewer: { login: "github-actions[bot]" } });
    } finally {
      await strict.close();
    }
  });

  it("is only POST: GET /graphql matches nothing", async () => {
    const res = await fetch(`${server.url}/graphql?query=%7Bviewer%7Blogin%7D%7D`, { headers: { authorization: "token t" } });
    expect(res.status).toBe(404);
    expect(server.takeUnexpectedCalls().map((c) => c.unexpected)).toEqual([
      "no operation in GitHub's REST description matches GET /graphql",
    ]);
  });

  it("takes injected faults like any other request", async () => {
    server.failNext("POST", /^\/graphql$/, 502);
    expect((await failure(octokit.graphql("{ viewer { login } }"))).status).toBe(502);
    expect(await octokit.graphql("{ viewer { login } }")).toEqual({ viewer: { login: "github-actions[bot]" } });
  });
});

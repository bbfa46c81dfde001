// A request GitHub's REST description does not allow fails the test that made it, even when the
// code under test swallowed the 404 or 422: every server a test starts checks its record when the
// test finishes (or, for a server no test started, when it is closed).
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { useGitHubServer } from "@llmops/test/github-server/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

async function send(server: GitHubServer, path: string, init: RequestInit = {}): Promise<number> {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: "token t", ...(init.headers ?? {}) } });
  await res.text();
  return res.status;
}

describe("the record of unexpected calls", () => {
  let server: GitHubServer;
  // Started outside any test, so nothing checks it automatically and each test looks for itself.
  beforeAll(async () => {
    server = await startGitHubServer();
  });
  afterAll(() => server.close());

  it("names a path no operation has, with the reason, and assertNoUnexpectedCalls fails on it", async () => {
    expect(await send(server, "/repos/octo-org/octo-repo/check-run?x=1")).toBe(404);
    expect(server.unexpectedCalls).toEqual([
      expect.objectContaining({
        method: "GET",
        path: "/repos/octo-org/octo-repo/check-run",
        status: 404,
        unexpected: "no operation in GitHub's REST description matches GET /repos/octo-org/octo-repo/check-run",
      }),
    ]);
    expect(() => server.assertNoUnexpectedCalls()).toThrow(
      /1 request GitHub's REST description does not allow:\n {2}GET \/repos\/octo-org\/octo-repo\/check-run\?x=1 -> 404: no operation/,
    );
    // Reported once: the same call does not fail a later check again.
    expect(() => server.assertNoUnexpectedCalls()).not.toThrow();
  });

  it("records refused bodies, query values and unknown query parameters as unexpected, and not a 404 for a missing resource", async () => {
    expect(await send(server, "/repos/octo-org/octo-repo/check-runs", { method: "POST", body: JSON.stringify({ name: 1 }) })).toBe(422);
    expect(await send(server, "/repos/octo-org/octo-repo/pulls?per_page=many")).toBe(422);
    expect(await send(server, "/repos/octo-org/octo-repo/pulls?stat=open")).toBe(422);
    expect(await send(server, "/repos/octo-org/octo-repo/pulls/99")).toBe(404);
    expect(server.takeUnexpectedCalls().map((c) => [c.status, c.operation, c.unexpected])).toEqual([
      [422, "checks/create", expect.stringContaining(`"head_sha" wasn't supplied.`)],
      [422, "pulls/list", expect.stringContaining(`"many" is not an integer`)],
      [422, "pulls/list", expect.stringContaining(`Unknown query parameter "stat"`)],
    ]);
    expect(() => server.assertNoUnexpectedCalls()).not.toThrow();
  });

  it("counts a request refused by an injected fault that is itself malformed", async () => {
    server.failNext("GET", /check-run$/, 503);
    expect(await send(server, "/repos/octo-org/octo-repo/check-run")).toBe(503);
    expect(server.takeUnexpectedCalls()).toMatchObject([{ status: 503, unexpected: expect.stringMatching(/^no operation/) }]);
  });
});

describe("close()", () => {
  it("rejects, after closing, when a server no test started saw unexpected calls", async () => {
    // The check is left to close() when the server starts outside a running test (as in beforeAll).
    const server = await startGitHubServer({ checkAfterTest: false });
    await send(server, "/nowhere");
    await expect(server.close()).rejects.toThrow(/GET \/nowhere -> 404/);
    await expect(fetch(`${server.url}/rate_limit`)).rejects.toThrow();
  });
});

describe("useGitHubServer", () => {
  const github = useGitHubServer({ owner: "acme", repo: "models" });

  it("gives each test a fresh server for the options", async () => {
    expect(await send(github.server, "/repos/acme/models")).toBe(200);
    expect(github.server.calls).toHaveLength(1);
  });
});

describe("tests that swallow a refused request fail", () => {
  const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
  type Report = {
    testResults: {
      name: string;
      status: string;
      message: string;
      assertionResults: { title: string; status: string; failureMessages: string[] }[];
    }[];
  };
  let report: Report;

  // The fixture files are real test files run by a separate vitest: the only way to see a test fail.
  beforeAll(async () => {
    const out = await mkdtemp(join(tmpdir(), "llmops-strict-"));
    try {
      const vitest = fileURLToPath(import.meta.resolve("vitest/package.json")).replace(/package\.json$/, "vitest.mjs");
      const outputFile = join(out, "report.json");
      await new Promise<void>((resolve) => {
        execFile(
          process.execPath,
          [vitest, "run", "--config", join(fixtures, "vitest.config.ts"), "--reporter=json", `--outputFile=${outputFile}`],
          { cwd: fixtures, env: { ...process.env, VITEST: undefined, VITEST_WORKER_ID: undefined, VITEST_POOL_ID: undefined } },
          () => resolve(),
        );
      });
      report = JSON.parse(await readFile(outputFile, "utf8")) as Report;
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("fails exactly the tests marked FAILS, each naming the refused request", () => {
    const file = report.testResults.find((f) => f.name.endsWith("per-test.fixture.ts"));
    const results = file?.assertionResults ?? [];
    expect(results.length).toBe(8);
    for (const test of results) {
      expect(test.status, test.title).toBe(test.title.startsWith("FAILS") ? "failed" : "passed");
      if (test.status === "failed") expect(test.failureMessages.join("\n"), test.title).toMatch(/REST description does not allow/);
    }
    const messages = (title: string) => results.find((t) => t.title.startsWith(title))?.failureMessages.join("\n");
    expect(messages("FAILS: a swallowed 404")).toContain("GET /repos/octo-org/octo-repo/check-run -> 404");
    expect(messages("FAILS: a swallowed 422")).toContain("POST /repos/octo-org/octo-repo/check-runs -> 422");
    expect(messages("FAILS: a query parameter")).toContain('Unknown query parameter "stat"');
    expect(messages("FAILS: a swallowed GraphQL error")).toContain("POST /graphql -> 200: graphql: the GitHub test server answers only");
  });

  it("fails a file whose shared server saw an unexpected call when it is closed in afterAll", () => {
    const file = report.testResults.find((f) => f.name.endsWith("shared.fixture.ts"));
    expect(file?.status).toBe("failed");
    expect(file?.message).toContain("GET /repos/octo-org/octo-repo/check-run -> 404");
  });
});

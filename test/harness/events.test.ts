import { get } from "node:http";
import { describe, expect, it } from "vitest";
import { runAction } from "../src/harness.ts";
import { actionsRoot, readDump, script } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are probed field by field
type Payload = Record<string, any>;

async function probe(options: Parameters<typeof runAction>[1]) {
  const result = await runAction("main-only", {
    actionsRoot,
    ...options,
    env: { ...script({ main: [["dump", "env.json"]] }), ...(options?.env ?? {}) },
  });
  const { env } = readDump(result.workspace, "env.json");
  return { env, payload: result.payload as Payload, result };
}

/** The error code of a plain HTTP request to `url` (@actions/http-client's way), not left to time out. */
function connectionError(url: URL): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: 10_000 }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const common = {
  GITHUB_REPOSITORY: "octo-org/octo-repo",
  GITHUB_REPOSITORY_OWNER: "octo-org",
  GITHUB_SERVER_URL: "https://github.com",
  // Never api.github.com: a test that points no action at a local server must not reach GitHub.
  GITHUB_API_URL: "http://127.0.0.1:9",
  GITHUB_GRAPHQL_URL: "http://127.0.0.1:9/graphql",
  GITHUB_RUN_ATTEMPT: "1",
};

describe("event payloads and context variables", () => {
  it("push (the default): ref and after from the payload", async () => {
    const { env, payload } = await probe({});
    expect(payload.ref).toBe("refs/heads/main");
    expect(payload.head_commit.id).toBe(payload.after);
    expect(env).toMatchObject({
      ...common,
      GITHUB_EVENT_NAME: "push",
      GITHUB_REF: "refs/heads/main",
      GITHUB_REF_NAME: "main",
      GITHUB_REF_TYPE: "branch",
      GITHUB_SHA: payload.after,
      GITHUB_HEAD_REF: "",
      GITHUB_BASE_REF: "",
      GITHUB_ACTOR: payload.sender.login,
    });
    expect(env.GITHUB_RUN_ID).toMatch(/^\d+$/);
    expect(env.GITHUB_RUN_NUMBER).toMatch(/^\d+$/);
    for (const name of ["GITHUB_WORKFLOW", "GITHUB_JOB", "GITHUB_ACTION"]) expect(env[name], name).toBeTruthy();
  });

  it("the action reads the payload from GITHUB_EVENT_PATH", async () => {
    const { result } = await probe({ event: "pull_request", payload: { number: 9 } });
    const seen = readDump(result.workspace, "env.json").event;
    expect(seen).toEqual(result.payload);
    expect(seen?.number).toBe(9);
  });

  it("pull_request opened: merge ref and sha, head and base refs, fork flag off", async () => {
    const { env, payload } = await probe({ event: "pull_request" });
    expect(payload.action).toBe("opened");
    expect(payload.pull_request.head.repo.fork).toBe(false);
    expect(payload.pull_request.head.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(payload.pull_request.base.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(env).toMatchObject({
      ...common,
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_REF: `refs/pull/${payload.number}/merge`,
      GITHUB_REF_NAME: `${payload.number}/merge`,
      GITHUB_SHA: payload.pull_request.merge_commit_sha,
      GITHUB_HEAD_REF: payload.pull_request.head.ref,
      GITHUB_BASE_REF: "main",
    });
  });

  it("pull_request synchronize with overrides: number, head sha and a fork", async () => {
    const { env, payload } = await probe({
      event: "pull_request",
      payload: {
        action: "synchronize",
        number: 42,
        pull_request: { number: 42, head: { ref: "feature/x", sha: "1".repeat(40), repo: { fork: true, full_name: "someone/octo-repo" } } },
      },
    });
    expect(payload.action).toBe("synchronize");
    expect(payload.before).toMatch(/^[0-9a-f]{40}$/);
    expect(payload.pull_request.head.repo).toMatchObject({ fork: true, full_name: "someone/octo-repo", name: "octo-repo" });
    expect(payload.pull_request.base.repo.full_name).toBe("octo-org/octo-repo");
    expect(env).toMatchObject({ GITHUB_REF: "refs/pull/42/merge", GITHUB_HEAD_REF: "feature/x", GITHUB_BASE_REF: "main" });
  });

  it("workflow_dispatch: inputs and the dispatched ref", async () => {
    const { env, payload } = await probe({ event: "workflow_dispatch", payload: { inputs: { environment: "production" } } });
    expect(payload.inputs).toEqual({ environment: "production", dry_run: "false" });
    expect(env).toMatchObject({
      ...common,
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_REF: "refs/heads/main",
      GITHUB_REF_NAME: "main",
    });
    expect(env.GITHUB_SHA).toMatch(/^[0-9a-f]{40}$/);
  });

  it("workflow_run completed: the finished run with its pull requests; the job runs on the default branch", async () => {
    const { env, payload } = await probe({ event: "workflow_run", payload: { workflow_run: { conclusion: "failure" } } });
    const run = payload.workflow_run;
    expect(payload.action).toBe("completed");
    expect(run).toMatchObject({ event: "pull_request", status: "completed", conclusion: "failure" });
    expect(typeof run.id).toBe("number");
    expect(run.head_sha).toBe(run.pull_requests[0].head.sha);
    expect(run.pull_requests[0].number).toBeGreaterThan(0);
    expect(env).toMatchObject({ ...common, GITHUB_EVENT_NAME: "workflow_run", GITHUB_REF: "refs/heads/main" });
  });

  it("moves every event to another repository consistently", async () => {
    const { env, payload } = await probe({ event: "pull_request", repository: "acme/models" });
    expect(env).toMatchObject({ GITHUB_REPOSITORY: "acme/models", GITHUB_REPOSITORY_OWNER: "acme" });
    expect(payload.repository).toMatchObject({ full_name: "acme/models", name: "models", owner: { login: "acme" } });
    expect(payload.pull_request.base.repo.full_name).toBe("acme/models");
    expect(JSON.stringify(payload)).not.toContain("octo-org/octo-repo");
  });

  it("gives an unroutable GitHub API URL by default, so a request to it fails at once", async () => {
    const { env } = await probe({});
    for (const name of ["GITHUB_API_URL", "GITHUB_GRAPHQL_URL"]) {
      const url = new URL(env[name] ?? "");
      expect(url.hostname, name).toBe("127.0.0.1");
      expect(env[name], name).not.toMatch(/github\.com/);
      // fetch (octokit) refuses port 9 outright ("bad port"); other clients are refused by the host.
      await expect(fetch(url), name).rejects.toThrow("fetch failed");
      expect(await connectionError(url), name).toBe("ECONNREFUSED");
    }
  });

  it("lets env override context variables such as GITHUB_API_URL", async () => {
    const { env } = await probe({ env: { GITHUB_API_URL: "http://127.0.0.1:8/api" } });
    expect(env.GITHUB_API_URL).toBe("http://127.0.0.1:8/api");
  });

  it("uses the event's default payload for an action without its own fixture", async () => {
    const { payload } = await probe({ event: "pull_request", payload: { action: "labeled" } });
    expect(payload.action).toBe("labeled");
    expect(payload.pull_request.number).toBe(payload.number);
  });
});

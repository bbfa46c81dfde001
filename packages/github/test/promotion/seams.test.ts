import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultBranchFromEvent, githubPromotionSeams } from "../../src/promotion/index.ts";
import { owner, repo, useServer } from "./setup.ts";

const h = useServer();
const seams = (env: NodeJS.ProcessEnv, token: string | undefined) =>
  githubPromotionSeams({ token, env, logger: silentLogger, baseUrl: h.server.url, pace: false, retries: 0 });

describe("githubPromotionSeams", () => {
  it("builds every seam from the workflow's environment, each talking to the configured API", async () => {
    h.server.state.workflowRuns.push({ id: 5 });
    h.server.state.approvals.push({ run_id: 5, state: "approved", user: "alice", environments: ["production"] });
    const s = githubPromotionSeams({
      token: "t0ken",
      env: { GITHUB_REPOSITORY: `${owner}/${repo}`, GITHUB_RUN_ID: "5", DEPLOY_TOKEN: "d3ploy" },
      logger: silentLogger,
      baseUrl: h.server.url,
      defaultBranch: "main",
      pace: false,
      retries: 0,
    });
    expect(s).toMatchObject({ repository: `${owner}/${repo}`, defaultBranch: "main" });
    expect(await s.approvals?.forCurrentRun()).toEqual([{ login: "alice", state: "approved", environments: ["production"] }]);
    const handle = await s.deployments?.create({
      environment: "staging",
      ref: "main",
      description: "d",
      payload: {},
      productionEnvironment: false,
      transientEnvironment: false,
    });
    expect(handle?.id).toEqual(expect.any(Number));
    expect((await s.alerts?.raise("staging", { title: "t", body: "b", labels: [] }))?.number).toBe(1);
    const files = s.repoFiles?.("DEPLOY_TOKEN");
    expect(await files?.defaultBranch(`${owner}/${repo}`)).toBe("main");
    expect(s.repoFiles?.("DEPLOY_TOKEN")).toBe(files);
    expect(s.repoFiles?.("MISSING_TOKEN")).toBeUndefined();
  });

  it("has no deployments, alerts or approvals without a token or a repository", () => {
    const none = seams({ GITHUB_REPOSITORY: `${owner}/${repo}`, GITHUB_RUN_ID: "5" }, undefined);
    expect(none.deployments ?? none.alerts ?? none.approvals).toBeUndefined();
    expect(none.repository).toBe(`${owner}/${repo}`);
    const outside = seams({}, "t0ken");
    expect(outside.deployments ?? outside.alerts ?? outside.approvals ?? outside.repository).toBeUndefined();
    expect(outside.repoFiles).toBeDefined();
    const noRun = seams({ GITHUB_REPOSITORY: `${owner}/${repo}` }, "t0ken");
    expect(noRun.deployments).toBeDefined();
    expect(noRun.approvals).toBeUndefined();
  });

  it("refuses a malformed GITHUB_REPOSITORY or GITHUB_RUN_ID", () => {
    expect(() => seams({ GITHUB_REPOSITORY: "nope" }, "t0ken")).toThrow(InputError);
    expect(() => seams({ GITHUB_REPOSITORY: `${owner}/${repo}`, GITHUB_RUN_ID: "12a" }, "t0ken")).toThrow(
      "GITHUB_RUN_ID must be a workflow run id",
    );
  });
});

describe("defaultBranchFromEvent", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "llmops-event-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads repository.default_branch from the event payload, and nothing from a missing or odd one", async () => {
    const event = join(dir, "event.json");
    await writeFile(event, JSON.stringify({ repository: { default_branch: "trunk", full_name: "o/r" } }));
    expect(defaultBranchFromEvent({ GITHUB_EVENT_PATH: event })).toBe("trunk");
    await writeFile(event, "{not json");
    expect(defaultBranchFromEvent({ GITHUB_EVENT_PATH: event })).toBeUndefined();
    expect(defaultBranchFromEvent({ GITHUB_EVENT_PATH: join(dir, "missing.json") })).toBeUndefined();
    expect(defaultBranchFromEvent({})).toBeUndefined();
  });
});

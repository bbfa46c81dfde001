// actions/promote run as the runner runs it (the bundled dist, the harness in test/), against the
// local GitHub REST server checked by GitHub's OpenAPI description, a real OCI layout store, a
// Triton-style model repository and a real HTTP model endpoint for the smoke suite.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROMOTION_ARTIFACT_TYPE, type RunSummary, readLocatedYaml, silentLogger } from "@llmops/core";
import { recordEvalEvidence } from "@llmops/eval";
import { inputName } from "@llmops/github/action-inputs";
import { openStore, type Store } from "@llmops/store";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { leakedSecrets, runAction } from "@llmops/test/harness";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { promoteInputsSchema, readPromoteInputs } from "../src/promote.ts";

const TOKEN = "ghs_promoteStepToken789";
const NAME = "acme/sentiment";

let github: GitHubServer;
let workspace: string;
let store: Store;
let endpoint: Server;
/** What the fake model endpoint answers: the right label, or a 500 like a server that cannot load the version. */
let healthy = true;

beforeEach(async () => {
  github = await startGitHubServer();
  workspace = await mkdtemp(join(tmpdir(), "llmops-promote-action-"));
  store = openStore(join(workspace, "store"), { logger: silentLogger, cwd: workspace, env: {} });
  healthy = true;
  await mkdir(join(workspace, "serving")); // the model repository the serving fleet reads
  endpoint = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      if (!healthy) {
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":"cannot load version"}');
        return;
      }
      const text = (JSON.parse(body) as { text: string }).text;
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ label: text.includes("love") ? "positive" : "negative" }));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
  await writeFile(
    join(workspace, "llmops.yaml"),
    `store: ./store
artifacts:
  ${NAME}: { kind: model, path: model }
suites:
  - name: sentiment
    provider: { type: replay, file: replay.jsonl }
    prompt: "{{text}}"
    cases: [{ vars: { text: x }, expected: y }]
    scorers: [{ name: correct, type: equals }]
  - name: smoke
    provider: { type: http, url: "${url}/v1/predict", body: { text: "{{prompt}}" }, responsePath: label }
    prompt: "{{text}}"
    cases:
      - { vars: { text: "I love it" }, expected: positive }
      - { vars: { text: "Broke in a day" }, expected: negative }
    scorers: [{ name: correct, type: equals }]
environments:
  production:
    url: ${url}
    requires:
      evidence: [{ suite: sentiment, maxAgeDays: 14 }]
    targets:
      - { type: model-repository, root: serving, model: sentiment }
    smoke:
      suite: smoke
      provider: { type: http, url: "{{environment.url}}/v1/predict", body: { text: "{{prompt}}" }, responsePath: label }
notify:
  issue: true
`,
  );
});

afterEach(async () => {
  await github.close();
  endpoint.close();
  await rm(workspace, { recursive: true, force: true });
});

/** A model version with a passing `sentiment` run recorded by a push to main, as eval --record does on the default branch. */
async function evaluatedVersion(weights: string, options: { ref?: string } = {}): Promise<string> {
  await mkdir(join(workspace, "model"), { recursive: true });
  await writeFile(join(workspace, "model", "weights.bin"), weights);
  const made = await store.version({ path: "model", name: NAME, kind: "model" });
  const version = await store.resolve(made.ref);
  const now = new Date().toISOString();
  const summary: RunSummary = {
    schemaVersion: 1,
    suite: "sentiment",
    suiteDigest: `sha256:${"1".repeat(64)}`,
    model: { ref: `${NAME}@${version.digest}`, digest: version.digest },
    providers: ["replay"],
    startedAt: now,
    finishedAt: now,
    complete: true,
    cases: 1,
    errors: 0,
    metrics: [],
    slices: [],
    gates: [],
    passed: true,
    results: "results.jsonl",
    git: { ref: options.ref ?? "refs/heads/main", commit: "c0ffee" },
  };
  await recordEvalEvidence(store, version, summary, []);
  return version.digest;
}

function run(inputs: Record<string, string>) {
  return runAction("promote", {
    event: "workflow_dispatch",
    workspace,
    inputs: { "github-token": TOKEN, environment: "production", ...inputs },
    env: { GITHUB_API_URL: github.url, LLMOPS_GITHUB_PACE: "false" },
    timeoutMs: 60_000,
  });
}

describe("actions/promote without the runner", () => {
  it("reads exactly the inputs action.yml declares", async () => {
    const { value } = await readLocatedYaml(join(import.meta.dirname, "..", "action.yml"));
    const declared = Object.keys((value as { inputs: object }).inputs).sort();
    expect(Object.keys(promoteInputsSchema.shape).map(inputName).sort()).toEqual(declared);
  });

  it("names a bad input as action.yml does", () => {
    const raw = (values: Record<string, string>) => (name: string) =>
      ({
        environment: "production",
        mode: "promote",
        strategy: "direct",
        "dry-run": "false",
        force: "false",
        config: "llmops.yaml",
        ...values,
      })[name] ?? "";
    expect(() => readPromoteInputs(raw({ mode: "deploy" }))).toThrow("input mode: expected promote or rollback");
    expect(() => readPromoteInputs(raw({ "dry-run": "yes" }))).toThrow("input dry-run: expected true or false");
  });
});

describe("actions/promote in a workflow_dispatch job", () => {
  it("promotes an evaluated version: deployment, model repository, alias, record, smoke eval; outputs and summary", async () => {
    const digest = await evaluatedVersion("weights v1");
    const result = await run({ model: `${NAME}@${digest}` });

    expect(result.annotations.filter((a) => a.level === "error")).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ outcome: "promoted", digest, previous: "", serving: digest });
    expect(result.outputs["promotion-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readFile(join(workspace, "serving", "sentiment", "1", "weights.bin"), "utf8")).toBe("weights v1");
    expect(await readFile(join(workspace, "serving", "sentiment", "config.pbtxt"), "utf8")).toMatch(/versions:\s*\[?\s*1/);
    expect((await store.resolve(`${NAME}:production`)).digest).toBe(digest);
    const events = (await store.listEvidence(await store.resolve(`${NAME}@${digest}`), PROMOTION_ARTIFACT_TYPE)).map(
      (e) => e.annotations["dev.llmops.event"],
    );
    expect(events.sort()).toEqual(["promoted", "smoke-passed"]);

    const deployment = github.state.deployments[0]!;
    expect(deployment).toMatchObject({ environment: "production", production_environment: true });
    expect(deployment.payload).toMatchObject({ digest });
    const states = github.state.deploymentStatuses.filter((s) => s.deployment_id === deployment.id).map((s) => s.state);
    expect(states).toEqual(["in_progress", "success"]);
    expect(result.summary).toContain("production");
    expect(leakedSecrets(result, [TOKEN])).toEqual([]);
  });

  it("refuses a version whose only evidence comes from a pull-request run, and opens the alert issue", async () => {
    const digest = await evaluatedVersion("weights pr", { ref: "refs/pull/7/merge" });
    const result = await run({ model: `${NAME}@${digest}` });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.outcome).toBe("refused");
    expect(result.annotations.map((a) => a.message).join("\n")).toMatch(/sentiment/);
    expect(github.state.deployments).toHaveLength(0);
    expect(github.state.issues).toHaveLength(1);
    expect(github.state.issues[0]).toMatchObject({ state: "open" });
  });

  it("rolls back by itself when the live endpoint fails the smoke eval", async () => {
    const good = await evaluatedVersion("weights good");
    expect((await run({ model: `${NAME}@${good}` })).exitCode).toBe(0);
    const bad = await evaluatedVersion("weights broken packaging");
    healthy = false;
    const result = await run({ model: `${NAME}@${bad}` });

    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ outcome: "rolled-back", previous: good, serving: good });
    expect((await store.resolve(`${NAME}:production`)).digest).toBe(good);
    expect(await readFile(join(workspace, "serving", "sentiment", "config.pbtxt"), "utf8")).toMatch(/versions:\s*\[?\s*1\b/);
    const second = github.state.deployments[1]!;
    expect(github.state.deploymentStatuses.filter((s) => s.deployment_id === second.id).map((s) => s.state)).toContain("failure");
    expect(github.state.issues).toHaveLength(1);
    expect(github.state.issues[0]?.body).toContain("smoke");
    // Not just "gates failed": the endpoint's own answer, so people know why.
    expect(github.state.issues[0]?.body).toContain("cannot load version");
  });

  it("warns when dispatched from a branch other than the default, whose llmops.yaml then decides", async () => {
    const digest = await evaluatedVersion("weights v1");
    const result = await runAction("promote", {
      event: "workflow_dispatch",
      workspace,
      inputs: { "github-token": TOKEN, environment: "production", model: `${NAME}@${digest}`, "dry-run": "true" },
      env: { GITHUB_API_URL: github.url, LLMOPS_GITHUB_PACE: "false", GITHUB_REF: "refs/heads/loosen-gates" },
      timeoutMs: 60_000,
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.outcome).toBe("dry-run");
    const warnings = result.annotations.filter((a) => a.level === "warning").map((a) => a.message);
    expect(warnings.join("\n")).toContain("promoting from refs/heads/loosen-gates, not the default branch main");
  });

  it("names the missing permission when the token cannot create deployments", async () => {
    const digest = await evaluatedVersion("weights v1");
    github.failNext("POST", /\/deployments$/, 403);
    const result = await run({ model: `${NAME}@${digest}` });
    expect(result.exitCode).not.toBe(0);
    expect(result.annotations.map((a) => a.message).join("\n")).toContain("deployments: write");
    expect(await store.transport.listTags(store.repo(NAME))).not.toContain("production");
  });
});

describe("actions/promote with strategy: canary", () => {
  /** A traffic webhook receiver (the router) on 127.0.0.1; it records each split it was told. */
  async function trafficHook(): Promise<{ url: string; splits: number[]; close(): void }> {
    const splits: number[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        splits.push((JSON.parse(body) as { canaryPercent: number }).canaryPercent);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/traffic`, splits, close: () => server.close() };
  }

  it("starts a rollout with a model, advances it on each scheduled run, and aborts it in mode rollback", async () => {
    const hook = await trafficHook();
    try {
      const stable = await evaluatedVersion("weights stable");
      expect((await run({ model: `${NAME}@${stable}` })).exitCode).toBe(0);
      const candidate = await evaluatedVersion("weights candidate");
      const config = await readFile(join(workspace, "llmops.yaml"), "utf8");
      await writeFile(
        join(workspace, "llmops.yaml"),
        config.replace(
          "    smoke:\n",
          `    strategy:
      canary:
        steps: [20, 100]
        minRequests: 50
        router: { type: webhook, url: "${hook.url}", retries: 0 }
        metrics:
          - { name: thumbs_up, feedback: { file: feedback.jsonl, field: up }, noWorseThan: 0.1 }
    smoke:
`,
        ),
      );
      const feedback = (stableUp: number, canaryUp: number, n: number) =>
        [
          ...Array.from({ length: n }, (_, i) => JSON.stringify({ variant: "stable", up: i < stableUp ? 1 : 0 })),
          ...Array.from({ length: n }, (_, i) => JSON.stringify({ variant: "canary", up: i < canaryUp ? 1 : 0 })),
        ].join("\n");
      await writeFile(join(workspace, "feedback.jsonl"), "");

      const started = await run({ model: `${NAME}@${candidate}`, strategy: "canary" });
      expect(started.annotations.filter((a) => a.level === "error")).toEqual([]);
      expect(started.exitCode).toBe(0);
      expect(started.outputs).toMatchObject({ outcome: "started", digest: candidate, previous: stable, "canary-percent": "20" });
      expect(hook.splits).toEqual([20]);
      expect(started.summary).toContain("llmops canary start: production");

      // A scheduled run gives no model: it advances the rollout in progress.
      await writeFile(join(workspace, "feedback.jsonl"), feedback(5, 4, 10));
      const held = await run({ strategy: "canary" });
      expect(held.exitCode).toBe(0);
      expect(held.outputs).toMatchObject({ outcome: "held", decision: "hold", "canary-percent": "20" });

      await writeFile(join(workspace, "feedback.jsonl"), feedback(90, 89, 100));
      const advanced = await run({ strategy: "canary" });
      expect(advanced.outputs).toMatchObject({ outcome: "advanced", decision: "advance", "canary-percent": "100" });
      expect(hook.splits).toEqual([20, 100]);

      const aborted = await run({ strategy: "canary", mode: "rollback" });
      expect(aborted.exitCode).toBe(0);
      expect(aborted.outputs).toMatchObject({ outcome: "aborted", "canary-percent": "0" });
      expect(hook.splits).toEqual([20, 100, 0]);
      expect((await store.resolve(`${NAME}:production`)).digest).toBe(stable);
      const deployment = github.state.deployments.at(-1)!;
      expect(deployment.payload).toMatchObject({ digest: candidate, strategy: "canary" });
      const states = github.state.deploymentStatuses.filter((s) => s.deployment_id === deployment.id).map((s) => s.state);
      expect(states[0]).toBe("in_progress");
      expect(states.at(-1)).toBe("inactive");
      expect(leakedSecrets(aborted, [TOKEN])).toEqual([]);
    } finally {
      hook.close();
    }
  });
});

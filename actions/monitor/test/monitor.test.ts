// actions/monitor run as the runner runs it (the bundled dist, the harness in test/), against the
// local GitHub REST server checked by GitHub's OpenAPI description, a real OCI layout store and a
// real HTTP model endpoint: a scheduled monitoring job that opens the alert issue on drift, updates
// it on the next run, and closes it when production looks like the reference again.
import { join } from "node:path";
import { readLocatedYaml } from "@llmops/core";
import { inputName } from "@llmops/github/action-inputs";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { leakedSecrets, runAction } from "@llmops/test/harness";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MonitoredDeployment, monitoredDeployment, reviews } from "../../../packages/operate/test/monitor/workspace.ts";
import { monitorInputsSchema, readMonitorInputs } from "../src/monitor.ts";

const TOKEN = "ghs_monitorStepToken4242";

let github: GitHubServer;
let d: MonitoredDeployment;

beforeEach(async () => {
  github = await startGitHubServer();
  d = await monitoredDeployment();
});

afterEach(async () => {
  await github.close();
  await d.close();
});

function run(inputs: Record<string, string> = {}) {
  return runAction("monitor", {
    event: "workflow_dispatch",
    workspace: d.workspace,
    inputs: { "github-token": TOKEN, environment: "production", ...inputs },
    env: { GITHUB_API_URL: github.url, LLMOPS_GITHUB_PACE: "false" },
    timeoutMs: 120_000,
  });
}

const openIssues = () => github.state.issues.filter((i) => i.state !== "closed");
const commentsOn = (number: number) => github.state.comments.filter((c) => c.issue_number === number).map((c) => c.body);

describe("actions/monitor without the runner", () => {
  it("reads exactly the inputs action.yml declares", async () => {
    const { value } = await readLocatedYaml(join(import.meta.dirname, "..", "action.yml"));
    const declared = Object.keys((value as { inputs: object }).inputs).sort();
    expect(Object.keys(monitorInputsSchema.shape).map(inputName).sort()).toEqual(declared);
  });

  it("names a bad input as action.yml does", () => {
    const raw = (values: Record<string, string>) => (name: string) =>
      ({ config: "llmops.yaml", "fail-on-alert": "true", ...values })[name] ?? "";
    expect(() => readMonitorInputs(raw({ "fail-on-alert": "yes" }))).toThrow("input fail-on-alert: expected true or false");
    expect(() => readMonitorInputs(raw({ config: "" }))).toThrow(/input config/);
  });
});

describe("actions/monitor in a scheduled job", () => {
  it("opens the alert issue on drift, updates it while it lasts, closes it on recovery", async () => {
    await d.promote();

    // Day 1: production looks like the reference, the endpoint is healthy.
    await d.writeSample(reviews(400, 23));
    const quiet = await run();
    expect(quiet.annotations.filter((a) => a.level === "error")).toEqual([]);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.outputs).toMatchObject({ status: "ok", alerting: "false", issues: "" });
    expect(github.state.issues).toHaveLength(0);

    // Day 2: drifted traffic.
    await d.writeSample(reviews(400, 29, true));
    const drifted = await run();
    expect(drifted.exitCode).toBe(1);
    expect(drifted.outputs).toMatchObject({ status: "alerting", alerting: "true" });
    expect(drifted.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([
      "monitor alerting: production/sentiment",
    ]);
    expect(openIssues()).toHaveLength(1);
    const issue = openIssues()[0]!;
    expect(drifted.outputs.issues).toBe(`https://github.com/octo-org/octo-repo/issues/${issue.number}`);
    expect(issue.title).toBe("llmops monitor: production/sentiment: input drift");
    expect(issue.body).toMatch(/^<!-- llmops-alert:monitor=production\/sentiment -->\n/);
    expect(issue.body).toContain("### Data drift — drift");
    expect(issue.body).toContain("/actions/runs/");
    expect((issue.labels ?? []).map((l) => (typeof l === "string" ? l : l.name))).toEqual(["llmops", "monitor"]);
    expect(drifted.summary).toContain("production/sentiment: alerting");
    const result = JSON.parse(drifted.outputs.result!) as { environments: { monitors: { drift: { verdict: string } }[] }[] };
    expect(result.environments[0]!.monitors[0]!.drift.verdict).toBe("drift");

    // Day 3: still drifted, and the endpoint degraded too: the same issue, updated, never a second one.
    d.mode = "degraded";
    const worse = await run();
    expect(worse.exitCode).toBe(1);
    expect(github.state.issues).toHaveLength(1);
    expect(openIssues()[0]!.title).toBe("llmops monitor: production/sentiment: quality regression and input drift");
    expect(commentsOn(issue.number!)).toHaveLength(1);
    expect(commentsOn(issue.number!)[0]).toContain("significant regression");

    // Day 4: recovered.
    d.mode = "healthy";
    await d.writeSample(reviews(400, 37));
    const recovered = await run();
    expect(recovered.exitCode).toBe(0);
    expect(recovered.outputs).toMatchObject({ status: "ok", alerting: "false", issues: drifted.outputs.issues });
    expect(github.state.issues[0]).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(commentsOn(issue.number!).at(-1)).toMatch(/^Recovered: this monitoring run found no significant regression and no drift/);

    for (const r of [quiet, drifted, worse, recovered]) expect(leakedSecrets(r, [TOKEN])).toEqual([]);
  });

  it("reports an alert without failing the step when fail-on-alert is false, and fails it when the issue cannot be opened", async () => {
    await d.promote();
    await d.writeSample(reviews(300, 29, true));
    const reported = await run({ "fail-on-alert": "false" });
    expect(reported.exitCode).toBe(0);
    expect(reported.outputs.alerting).toBe("true");
    await github.close();
    github = await startGitHubServer();
    github.failNext("POST", /\/issues$/, 403);
    const refused = await run({ "fail-on-alert": "false" });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.map((a) => a.message).join("\n")).toContain("issues: write");
  });

  it("fails with one line on a config error", async () => {
    const result = await run({ environment: "qa" });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([
      'unknown environment "qa"; llmops.yaml has production, staging',
    ]);
  });
});

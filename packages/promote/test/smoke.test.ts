import { ConfigError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { promote } from "../src/promote.ts";
import { readPromotionRecords } from "../src/records.ts";
import { renderStatus } from "../src/render.ts";
import { status } from "../src/status.ts";
import {
  aliasOf,
  common,
  evalEvidence,
  fakeGitHub,
  fakeTargets,
  fixture,
  NAME,
  promotionEvents,
  startServer,
  writeConfig,
} from "./helpers.ts";

/** A model endpoint: POST /predict {text} → {label}; `answer` decides the label (or never answers). */
async function endpoint(answer: () => string | "hang") {
  return startServer((req, body, res) => {
    const label = answer();
    if (label === "hang") return; // never answers
    const text = JSON.parse(body.toString("utf8")).text;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ label, echo: text, path: req.url }));
  });
}

function config(options: { url: string; rollback?: "auto" | "manual"; timeoutMs?: number; provider?: string }): string {
  const provider =
    options.provider ??
    `{ type: http, url: "{{environment.url}}/predict", body: { text: "{{text}}", env: "{{environment.name}}" }, responsePath: label }`;
  return `store: store
artifacts:
  ${NAME}: { kind: model, path: model1 }
suites:
  - name: smoke
    provider: { type: replay, file: never-used.jsonl }
    prompt: "{{text}}"
    cases:
      - { id: good, vars: { text: great movie }, expected: positive }
    scorers: [{ type: equals }]
    gates: [{ metric: pass_rate, min: 1 }]
environments:
  production:
    url: ${options.url}
    targets:
      - { type: command, argv: [first] }
      - { type: command, argv: [second] }
    smoke:
      suite: smoke
      provider: ${provider}
      timeoutMs: ${options.timeoutMs ?? 20000}
    rollback: ${options.rollback ?? "auto"}
notify: { issue: true }
`;
}

async function ready(yaml: string) {
  const f = await fixture();
  await writeConfig(f.dir, yaml);
  await f.store.tag(`${NAME}@${f.v1.digest}`, "production");
  return f;
}

describe("smoke eval against the live endpoint", () => {
  it("passes: the suite runs through the smoke provider at {{environment.url}}, recorded as eval evidence and smoke-passed", async () => {
    const server = await endpoint(() => "positive");
    const f = await ready(config({ url: server.url }));
    const targets = fakeTargets();
    const github = fakeGitHub();
    const result = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(result).toMatchObject({ outcome: "promoted", exitCode: 0, serving: f.v2.digest });
    expect(result.smoke).toMatchObject({ suite: "smoke", passed: true, metrics: { pass_rate: 1 } });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url).toBe("/predict");
    expect(JSON.parse(server.requests[0]!.body.toString())).toEqual({ text: "great movie", env: "production" });
    expect(await promotionEvents(f.store, f.v2)).toEqual(["promoted", "smoke-passed"]);
    expect(await evalEvidence(f.store, f.v2)).toEqual(["smoke"]);
    const [latest] = await readPromotionRecords(f.store, f.v2, { logger: f.logger });
    expect(latest?.record.smoke?.evidenceDigest).toBe(result.smoke?.evidenceDigest);
    expect(github.calls.at(-2)).toBe("deployment success");
  });

  it("fails with rollback: auto: targets rolled back in reverse to v1, alias moved back, deployment failure, alert (exit 1)", async () => {
    const server = await endpoint(() => "negative");
    const f = await ready(config({ url: server.url }));
    const targets = fakeTargets();
    const github = fakeGitHub();
    const result = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(result).toMatchObject({ outcome: "rolled-back", exitCode: 1, serving: f.v1.digest });
    expect(result.smoke).toMatchObject({ passed: false, metrics: { pass_rate: 0 } });
    expect(targets.log).toEqual([
      "apply first v2",
      "apply second v2",
      `rollback second v1 (applied ${f.v2.digest.slice(7, 12)})`,
      `rollback first v1 (applied ${f.v2.digest.slice(7, 12)})`,
    ]);
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
    const [back] = await f.store.history(NAME, "production");
    expect(back).toMatchObject({ from: f.v2.digest, to: f.v1.digest });
    expect(await promotionEvents(f.store, f.v2)).toEqual(["promoted", "smoke-failed", "rolled-back"]);
    expect(github.calls.slice(-2)).toEqual(["deployment failure", "issue raise production"]);
    expect(github.raised[0]?.title).toBe("llmops: production rolled back");
    expect(github.raised[0]?.body).toContain("smoke eval smoke failed");
  });

  it("names the endpoint's own error in the alert, with URLs cut to their origin (a templated key in the query never shows)", async () => {
    const server = await startServer((_req, _body, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end('{"error":"version 2 has no serving.json"}');
    });
    const provider = `{ type: http, url: "{{environment.url}}/predict?key={{env.SMOKE_KEY}}", body: { text: "{{text}}" }, responsePath: label }`;
    const f = await ready(config({ url: server.url, provider }));
    const github = fakeGitHub();
    const result = await promote({
      ...common(f, fakeTargets(), github),
      env: { SMOKE_KEY: "sk-secret-query-value" },
      ref: `${NAME}:v2`,
      environment: "production",
    });
    expect(result.outcome).toBe("rolled-back");
    expect(result.smoke?.error).toMatch(/first error: .*500/);
    for (const text of [result.smoke?.error ?? "", result.message, github.raised[0]?.body ?? ""]) {
      expect(text).not.toContain("sk-secret-query-value");
      expect(text).not.toContain("/predict?key");
    }
  });

  it("an endpoint that never answers times out, counts as failed, and is rolled back", async () => {
    const server = await endpoint(() => "hang");
    const f = await ready(config({ url: server.url, timeoutMs: 1500 }));
    const targets = fakeTargets();
    const started = Date.now();
    const result = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.outcome).toBe("rolled-back");
    expect(result.smoke).toMatchObject({ passed: false, timedOut: true, error: "timed out after 1500 ms" });
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
    // An interrupted run is no evidence.
    expect(await evalEvidence(f.store, f.v2)).toEqual([]);
  });

  it("M1: a first promotion whose smoke eval fails is rolled-back (exit 1): targets undone, alias left; re-running applies them again", async () => {
    let healthy = false;
    const server = await endpoint(() => (healthy ? "positive" : "negative"));
    const f = await fixture();
    await writeConfig(f.dir, config({ url: server.url }));
    const targets = fakeTargets();
    const github = fakeGitHub();
    const first = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(first).toMatchObject({ outcome: "rolled-back", exitCode: 1, from: null, serving: f.v2.digest });
    expect(first.message).toContain(
      `targets undone; ${NAME}:production still names ${f.v2.digest.slice(0, 19)}… (a tag cannot be deleted), which nothing serves now`,
    );
    expect(targets.log).toEqual([
      "apply first v2",
      "apply second v2",
      "rollback second null (applied " + f.v2.digest.slice(7, 12) + ")",
      "rollback first null (applied " + f.v2.digest.slice(7, 12) + ")",
    ]);
    expect(await aliasOf(f.store, "production")).toBe(f.v2.digest);
    expect(github.raised[0]?.title).toBe("llmops: production rolled back");
    const shown = (await status({ store: f.store, cwd: f.dir, logger: f.logger, environment: "production" })).environments[0];
    expect(shown).toMatchObject({ digest: f.v2.digest, undone: true, lastEvent: { event: "rolled-back" } });
    expect(renderStatus({ schemaVersion: 1, environments: [shown!] })).toContain("  nothing serves it: its targets were undone");

    // Not "already serves; nothing to do": its targets run again and the smoke eval decides.
    healthy = true;
    targets.log.length = 0;
    const again = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(again).toMatchObject({ outcome: "promoted", exitCode: 0, serving: f.v2.digest, smoke: { passed: true } });
    expect(targets.log).toEqual(["apply first v2", "apply second v2"]);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["promoted", "smoke-failed", "rolled-back", "promoted", "smoke-passed"]);
    const now = (await status({ store: f.store, cwd: f.dir, logger: f.logger, environment: "production" })).environments[0];
    expect(now?.undone).toBeUndefined();
    // Now it serves: a third run has nothing to do.
    targets.log.length = 0;
    const third = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(third.message).toContain("already serves");
    expect(targets.log).toEqual([]);
  });

  it("M1: a re-run after the undone first promotion whose smoke fails again undoes apply, never 'rolls back' to itself", async () => {
    const server = await endpoint(() => "negative");
    const f = await fixture();
    await writeConfig(f.dir, config({ url: server.url }));
    const targets = fakeTargets();
    expect((await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" })).outcome).toBe("rolled-back");
    targets.log.length = 0;
    const again = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" });
    expect(again).toMatchObject({ outcome: "rolled-back", exitCode: 1 });
    expect(targets.log.filter((l) => l.startsWith("rollback"))).toEqual([
      `rollback second null (applied ${f.v2.digest.slice(7, 12)})`,
      `rollback first null (applied ${f.v2.digest.slice(7, 12)})`,
    ]);
  });

  it("fails with rollback: manual: smoke-failed recorded, left serving, deployment failure (exit 1)", async () => {
    const server = await endpoint(() => "negative");
    const f = await ready(config({ url: server.url, rollback: "manual" }));
    const targets = fakeTargets();
    const github = fakeGitHub();
    const result = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(result).toMatchObject({ outcome: "smoke-failed", exitCode: 1, serving: f.v2.digest });
    expect(targets.log).toEqual(["apply first v2", "apply second v2"]);
    expect(await aliasOf(f.store, "production")).toBe(f.v2.digest);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["promoted", "smoke-failed"]);
    expect(github.calls.slice(-2)).toEqual(["deployment failure", "issue raise production"]);
    expect(github.raised[0]?.title).toBe("llmops: smoke eval in production failed");
  });

  it("{{env.url}} with no such variable is a config error hinting {{environment.url}}, before anything is deployed", async () => {
    const f = await ready(
      config({ url: "http://127.0.0.1:9", provider: `{ type: http, url: "http://127.0.0.1:9/x", headers: { x-target: "{{env.url}}" } }` }),
    );
    const targets = fakeTargets();
    const error = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /llmops\.yaml:\d+:\d+: environments\.production\.smoke\.provider: .*write \{\{environment\.url\}\}/,
    );
    expect(targets.log).toEqual([]);
  });

  it("{{environment.url}} without an environment url is a config error", async () => {
    const f = await ready(config({ url: "http://127.0.0.1:9" }).replace(/ {4}url: http:\/\/127\.0\.0\.1:9\n/, ""));
    const error = await promote({ ...common(f, fakeTargets()), ref: `${NAME}:v2`, environment: "production" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("environment production has no url");
  });
});

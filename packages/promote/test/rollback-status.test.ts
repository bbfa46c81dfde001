import { InputError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { promote } from "../src/promote.ts";
import { renderStatus } from "../src/render.ts";
import { statusResultSchema } from "../src/result.ts";
import { rollback } from "../src/rollback.ts";
import { status } from "../src/status.ts";
import {
  aliasOf,
  common,
  fakeGitHub,
  fakeTargets,
  fixture,
  NAME,
  promotionEvents,
  recordRun,
  startServer,
  writeConfig,
} from "./helpers.ts";

function config(hookUrl: string, smokeUrl = "http://127.0.0.1:9"): string {
  return `artifacts:
  ${NAME}: { kind: model, path: model1 }
suites:
  - name: smoke
    provider: { type: http, url: "http://127.0.0.1:9/x", body: { text: "{{text}}" }, responsePath: label }
    prompt: "{{text}}"
    cases: [{ id: a, vars: { text: hi }, expected: positive }]
    scorers: [{ type: equals }]
environments:
  staging:
    alias: stage
  production:
    url: ${smokeUrl}
    requires: { evidence: [{ suite: qa }], promotedTo: [staging] }
    targets: [{ type: command, argv: [deploy] }]
    smoke: { suite: smoke, provider: { type: http, url: "{{environment.url}}/predict", body: { text: "{{text}}" }, responsePath: label } }
notify:
  issue: true
  webhook: { url: "${hookUrl}/hook" }
`;
}

/** v1 then v2 promoted through staging to production (smoke passing), by different people. */
async function history() {
  const f = await fixture();
  const hook = await startServer((_req, _body, res) => res.end("ok"));
  const model = await startServer((_req, _body, res) => res.end(JSON.stringify({ label: "positive" })));
  await writeConfig(f.dir, config(hook.url, model.url));
  const targets = fakeTargets();
  const github = fakeGitHub({ approvers: [{ login: "alice", state: "approved", environments: ["production"] }] });
  for (const v of [f.v1, f.v2]) {
    await recordRun(f.store, v, { suite: "qa", passed: true, ref: "refs/heads/main" });
    for (const environment of ["staging", "production"]) {
      const result = await promote({ ...common(f, targets, github), ref: `${NAME}@${v.digest}`, environment, actor: `bob-${v.version}` });
      expect(result.outcome).toBe("promoted");
    }
  }
  return { f, hook, targets, github };
}

describe("rollback", () => {
  it("moves the environment back to the version before, applying targets for it; records rolled-back; closes the alert", async () => {
    const { f, hook, targets, github } = await history();
    targets.log.length = 0;
    github.calls.length = 0;
    const result = await rollback({ ...common(f, targets, github), environment: "production" });
    expect(result).toMatchObject({
      command: "rollback",
      outcome: "rolled-back",
      exitCode: 0,
      from: f.v2.digest,
      serving: f.v1.digest,
      digest: f.v1.digest,
    });
    expect(targets.log).toEqual(["apply deploy v1"]);
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
    expect((await promotionEvents(f.store, f.v1)).at(-1)).toBe("rolled-back");
    expect(github.calls).toEqual([
      "deployment create production",
      "deployment in_progress",
      "deployment success",
      "issue resolve production",
    ]);
    expect(JSON.parse(hook.requests.at(-1)!.body.toString())).toMatchObject({ event: "rolled-back", digest: f.v1.digest });
    // Staging is untouched.
    expect(await aliasOf(f.store, "stage")).toBe(f.v2.digest);
  });

  it("--to must name a version that was in the environment, unless forced", async () => {
    const { f, targets } = await history();
    const error = await rollback({ ...common(f, targets), environment: "production", to: `${NAME}:v3` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `ref ${NAME}:v3: was never in production (${NAME}:production history); pass --force to deploy it anyway`,
    );
    const forced = await rollback({ ...common(f, targets), environment: "production", to: `${NAME}:v3`, force: true });
    expect(forced).toMatchObject({ outcome: "rolled-back", serving: f.v3.digest });
  });

  it("a failing target leaves the alias and exits 3", async () => {
    const { f, targets } = await history();
    targets.onApply.set("deploy", async () => {
      throw new Error("boom");
    });
    const result = await rollback({ ...common(f, targets), environment: "production" });
    expect(result).toMatchObject({ outcome: "failed", exitCode: 3 });
    expect(await aliasOf(f.store, "production")).toBe(f.v2.digest);
  });
});

describe("status", () => {
  it("says what each environment serves, since when, by whom, approved by whom, on which evidence, and the previous version", async () => {
    const { f } = await history();
    const result = await status({ store: f.store, cwd: f.dir, logger: f.logger });
    expect(statusResultSchema.parse(result)).toEqual(result);
    const [staging, production] = result.environments;
    expect(staging).toMatchObject({ environment: "staging", alias: "stage", digest: f.v2.digest, version: "v2", previous: f.v1.digest });
    expect(production).toMatchObject({
      environment: "production",
      name: NAME,
      alias: "production",
      digest: f.v2.digest,
      version: "v2",
      actor: "bob-v2",
      runUrl: "https://github.com/acme/app/actions/runs/99",
      approvers: [{ login: "alice", state: "approved" }],
      evidence: [{ suite: "qa", passed: true, ref: "refs/heads/main" }],
      lastEvent: { event: "smoke-passed" },
      previous: f.v1.digest,
      previousVersion: "v1",
    });
    const text = renderStatus(result);
    expect(text).toContain(`production  ${NAME}:production -> v2 ${f.v2.digest.slice(0, 19)}…`);
    expect(text).toContain("  approved by alice");
    expect(text).toMatch(/ {2}evidence qa: passed \d{4}-\d\d-\d\d refs\/heads\/main/);
    expect(text).toContain("  last event smoke-passed at ");
    expect(text).toContain(`  previous v1 ${f.v1.digest.slice(0, 19)}…`);
  });

  it("shows an automatic roll-back as the last event, and an environment with nothing promoted", async () => {
    const f = await fixture();
    const model = await startServer((_req, _body, res) => res.end(JSON.stringify({ label: "negative" })));
    const hook = await startServer((_req, _body, res) => res.end("ok"));
    await writeConfig(
      f.dir,
      config(hook.url, model.url).replace("requires: { evidence: [{ suite: qa }], promotedTo: [staging] }", "requires: {}"),
    );
    await f.store.tag(`${NAME}@${f.v1.digest}`, "production");
    const result = await promote({ ...common(f, fakeTargets()), ref: `${NAME}:v2`, environment: "production" });
    expect(result.outcome).toBe("rolled-back");
    const one = await status({ store: f.store, cwd: f.dir, logger: f.logger, environment: "production" });
    expect(one.environments).toHaveLength(1);
    // The version it was rolled back from is never "previous": rollback must not redeploy it.
    expect(one.environments[0]).toMatchObject({ digest: f.v1.digest, previous: null, lastEvent: { event: "rolled-back" } });
    expect(one.environments[0]?.lastEvent?.reason).toMatch(/^smoke eval smoke failed/);
    const all = await status({ store: f.store, cwd: f.dir, logger: f.logger });
    expect(renderStatus(all)).toContain(`staging  ${NAME}:stage  (nothing promoted yet)`);
  });

  it("after an automatic roll-back, rollback goes to the good version before, never to the broken one", async () => {
    const f = await fixture();
    let healthy = true;
    const model = await startServer((_req, _body, res) => res.end(JSON.stringify({ label: healthy ? "positive" : "negative" })));
    const hook = await startServer((_req, _body, res) => res.end("ok"));
    await writeConfig(
      f.dir,
      config(hook.url, model.url).replace("requires: { evidence: [{ suite: qa }], promotedTo: [staging] }", "requires: {}"),
    );
    await f.store.tag(`${NAME}@${f.v1.digest}`, "production");
    expect((await promote({ ...common(f, fakeTargets()), ref: `${NAME}:v2`, environment: "production" })).outcome).toBe("promoted");
    healthy = false;
    expect((await promote({ ...common(f, fakeTargets()), ref: `${NAME}:v3`, environment: "production" })).outcome).toBe("rolled-back");
    // The alias's latest move is v3 -> v2; the one before v2 that was never rolled back from is v1.
    const plan = await rollback({ ...common(f, fakeTargets()), environment: "production", dryRun: true });
    expect(plan).toMatchObject({ outcome: "dry-run", digest: f.v1.digest, from: f.v2.digest });
    const shown = await status({ store: f.store, cwd: f.dir, logger: f.logger, environment: "production" });
    expect(shown.environments[0]).toMatchObject({ digest: f.v2.digest, previous: f.v1.digest });
  });
});

import { loadConfig } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { promote } from "../src/promote.ts";
import { readPromotionRecords } from "../src/records.ts";
import { checkRequirements } from "../src/requirements.ts";
import { promotionResultSchema } from "../src/result.ts";
import { rollback } from "../src/rollback.ts";
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
import { FakeRepoFiles } from "./targets/fake-repo-files.ts";

const REPO = "acme/deploy";
const PATH = "staging/values.yaml";
const values = (digest: string) =>
  `# Sentiment server values\nmodel:\n  image: ghcr.io/acme/models/${NAME}@${digest}   # promoted by llmops\n`;

function config(smokeUrl: string): string {
  return `store: store
artifacts:
  ${NAME}: { kind: model, path: model1 }
suites:
  - name: smoke
    provider: { type: replay, file: never-used.jsonl }
    prompt: "{{text}}"
    cases: [{ id: a, vars: { text: hi }, expected: positive }]
    scorers: [{ type: equals }]
    gates: [{ metric: pass_rate, min: 1 }]
environments:
  staging:
    url: ${smokeUrl}
    targets:
      - { type: gitops, repository: ${REPO}, path: ${PATH}, preset: helm, field: model.image, reference: "ghcr.io/acme/models/{{name}}@{{digest}}", mode: pull-request }
    smoke:
      suite: smoke
      provider: { type: http, url: "{{environment.url}}/predict", body: { text: "{{text}}" }, responsePath: label }
  production:
    requires: { promotedTo: [staging] }
`;
}

async function setup() {
  const f = await fixture();
  const model = await startServer((_req, _body, res) => res.end(JSON.stringify({ label: "positive" })));
  await writeConfig(f.dir, config(model.url));
  // v1 serves staging, and the deployment repository points at it.
  await f.store.tag(`${NAME}@${f.v1.digest}`, "staging");
  const repo = new FakeRepoFiles(REPO, { [PATH]: values(f.v1.digest) });
  const github = { ...fakeGitHub(), repoFiles: (env: string) => (env === "GITHUB_TOKEN" ? repo : undefined) };
  const options = { ...common(f, fakeTargets(), github), targets: undefined };
  return { f, model, repo, github, options };
}

async function promotedToStaging(f: Awaited<ReturnType<typeof fixture>>) {
  const loaded = await loadConfig("llmops.yaml", { cwd: f.dir });
  const [check] = await checkRequirements({
    store: f.store,
    config: loaded.config,
    environment: "production",
    version: f.v2,
    logger: f.logger,
  });
  return check!;
}

describe("gitops pull-request mode: a promotion is proposed, then finished by running it again once merged", () => {
  it("first run: proposed (exit 0), PR named, alias unmoved, no smoke, deployment queued; merged: the re-run promotes with smoke", async () => {
    const { f, model, repo, github, options } = await setup();
    const first = await promote({ ...options, ref: `${NAME}:v2`, environment: "staging" });
    expect(promotionResultSchema.parse(first)).toEqual(first);
    expect(first).toMatchObject({ outcome: "proposed", exitCode: 0, from: f.v1.digest, serving: f.v1.digest });
    expect(first.message).toContain("merge https://github.com/acme/deploy/pull/1, then run this promotion again");
    expect(first.targets.map((t) => t.status)).toEqual(["pending"]);
    expect(first.smoke).toBeUndefined();
    expect(repo.pulls).toHaveLength(1);
    expect(repo.file("main", PATH)).toBe(values(f.v1.digest));
    expect(await aliasOf(f.store, "staging")).toBe(f.v1.digest);
    expect(model.requests).toHaveLength(0);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["proposed"]);
    expect(await evalEvidence(f.store, f.v2)).toEqual([]);
    expect(github.calls).toEqual(["deployment create staging", "deployment in_progress", "deployment queued"]);
    // Nothing is rolled back, no alert: a proposal is not a "no".
    expect(github.raised).toEqual([]);
    const [proposed] = await readPromotionRecords(f.store, f.v2, { environment: "staging", logger: f.logger });
    expect(proposed?.record).toMatchObject({
      event: "proposed",
      from: f.v1.digest,
      reason: "awaiting merge of https://github.com/acme/deploy/pull/1",
    });
    expect(proposed?.record.targets[0]).toMatchObject({ pending: true });
    // A proposal never counts as having been in staging.
    expect(await promotedToStaging(f)).toMatchObject({ met: false, detail: `${NAME}@${f.v2.digest.slice(0, 19)}… was never in staging` });
    // status names the proposal as the newest event; the alias still names v1.
    const shown = (await status({ store: f.store, cwd: f.dir, logger: f.logger, environment: "staging" })).environments[0];
    expect(shown).toMatchObject({ digest: f.v1.digest, lastEvent: { event: "proposed", subject: f.v2.digest, subjectVersion: "v2" } });

    // Unmerged, a re-run proposes again (the same PR) and still changes nothing.
    const again = await promote({ ...options, ref: `${NAME}:v2`, environment: "staging" });
    expect(again.outcome).toBe("proposed");
    expect(repo.pulls).toHaveLength(1);
    expect(await aliasOf(f.store, "staging")).toBe(f.v1.digest);

    // Someone merges the pull request.
    repo.branches.get("main")!.set(PATH, repo.file(repo.pulls[0]!.head, PATH)!);
    const commits = repo.commits.length;
    const second = await promote({ ...options, ref: `${NAME}:v2`, environment: "staging" });
    expect(second).toMatchObject({ outcome: "promoted", exitCode: 0, serving: f.v2.digest, smoke: { passed: true } });
    expect(second.targets.map((t) => t.status)).toEqual(["applied"]);
    expect(second.targets[0]?.summary).toBe(`${REPO}:${PATH} already at v2 on main`);
    expect(repo.commits).toHaveLength(commits);
    expect(await aliasOf(f.store, "staging")).toBe(f.v2.digest);
    expect(model.requests).toHaveLength(1);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["proposed", "proposed", "promoted", "smoke-passed"]);
    expect(await promotedToStaging(f)).toMatchObject({ met: true });
    const after = (await status({ store: f.store, cwd: f.dir, logger: f.logger, environment: "staging" })).environments[0];
    expect(after).toMatchObject({ digest: f.v2.digest, lastEvent: { event: "smoke-passed" } });
    expect(after?.lastEvent?.subject).toBeUndefined();
  });

  it("a first promotion proposed shows in status although nothing was promoted yet", async () => {
    const fresh = await fixture();
    await writeConfig(fresh.dir, config("http://127.0.0.1:9"));
    const repo = new FakeRepoFiles(REPO, { [PATH]: values(fresh.v1.digest) });
    const github = { ...fakeGitHub(), repoFiles: () => repo };
    const result = await promote({
      ...common(fresh, fakeTargets(), github),
      targets: undefined,
      ref: `${NAME}:v2`,
      environment: "staging",
    });
    expect(result).toMatchObject({ outcome: "proposed", from: null, serving: null });
    expect(await aliasOf(fresh.store, "staging")).toBeNull();
    const shown = (await status({ store: fresh.store, cwd: fresh.dir, logger: fresh.logger, environment: "staging" })).environments[0];
    expect(shown).toMatchObject({ digest: null, lastEvent: { event: "proposed", subject: fresh.v2.digest } });
  });

  it("rollback through a pull request is proposed too: the alias stays until it is merged", async () => {
    const { f, repo, options } = await setup();
    await promote({ ...options, ref: `${NAME}:v2`, environment: "staging" });
    repo.branches.get("main")!.set(PATH, repo.file(repo.pulls[0]!.head, PATH)!);
    expect((await promote({ ...options, ref: `${NAME}:v2`, environment: "staging" })).outcome).toBe("promoted");
    const back = await rollback({ ...options, environment: "staging" });
    expect(back).toMatchObject({ outcome: "proposed", exitCode: 0, serving: f.v2.digest });
    expect(await aliasOf(f.store, "staging")).toBe(f.v2.digest);
    expect(repo.pulls).toHaveLength(2);
    repo.branches.get("main")!.set(PATH, repo.file(repo.pulls[1]!.head, PATH)!);
    const done = await rollback({ ...options, environment: "staging" });
    expect(done).toMatchObject({ outcome: "rolled-back", exitCode: 0, serving: f.v1.digest });
    expect(await aliasOf(f.store, "staging")).toBe(f.v1.digest);
  });
});

import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { InputError, type TargetConfig, UsageError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { promote } from "../src/promote.ts";
import { readPromotionRecords } from "../src/records.ts";
import { describePromotion } from "../src/render.ts";
import { type PromotionResult, promotionResultSchema } from "../src/result.ts";
import { type Target, TargetError } from "../src/target.ts";
import { aliasOf, common, fakeGitHub, fakeTargets, fixture, NAME, promotionEvents, recordRun, writeConfig } from "./helpers.ts";

const CONFIG = `store: store
artifacts:
  ${NAME}: { kind: model, path: model1 }
suites:
  - name: sentiment
    provider: { type: replay, file: replay.jsonl }
    prompt: "{{text}}"
    cases: [{ id: a, vars: { text: hi }, expected: positive }]
environments:
  staging: {}
  production:
    url: https://sentiment.example.com
    requires:
      evidence: [{ suite: sentiment }]
    targets:
      - { type: command, argv: [first] }
      - { type: command, argv: [second] }
      - { type: command, argv: [third] }
notify: { issue: true }
`;

async function ready() {
  const f = await fixture();
  await writeConfig(f.dir, CONFIG);
  await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
  // v1 serves production already.
  await f.store.tag(`${NAME}@${f.v1.digest}`, "production");
  return f;
}

async function storeFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, "store", "blobs", "sha256"))).sort();
}

describe("promote", () => {
  it("checks, deploys, applies targets in order, moves the alias, records and closes the alert", async () => {
    const f = await ready();
    const targets = fakeTargets();
    const github = fakeGitHub({ approvers: [{ login: "alice", state: "approved", environments: ["production"] }] });
    const result = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(promotionResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({ outcome: "promoted", exitCode: 0, from: f.v1.digest, serving: f.v2.digest, version: "v2" });
    expect(targets.log).toEqual(["apply first v2", "apply second v2", "apply third v2"]);
    expect(await aliasOf(f.store, "production")).toBe(f.v2.digest);
    expect(github.calls).toEqual([
      "deployment create production",
      "deployment in_progress",
      "deployment success",
      "issue resolve production",
    ]);
    expect(github.requests[0]).toMatchObject({
      environment: "production",
      ref: "abc123",
      productionEnvironment: true,
      transientEnvironment: false,
      payload: { model: NAME, digest: f.v2.digest, evidence: [result.evidence[0]?.digest], promotionId: result.id },
    });
    expect(github.statuses.at(-1)).toMatchObject({
      environmentUrl: "https://sentiment.example.com",
      logUrl: "https://github.com/acme/app/actions/runs/99",
    });
    const [stored] = await readPromotionRecords(f.store, f.v2, { environment: "production", logger: f.logger });
    expect(stored?.record).toMatchObject({
      event: "promoted",
      id: result.id,
      from: f.v1.digest,
      to: f.v2.digest,
      approvers: [{ login: "alice", state: "approved" }],
      actor: "octocat",
      git: { commit: "abc123", ref: "refs/heads/main" },
      deployment: { id: 42 },
      evidence: [{ suite: "sentiment", passed: true, ref: "refs/heads/main" }],
    });
    expect(stored?.record.targets.map((t) => t.summary)).toEqual(["first serves v2", "second serves v2", "third serves v2"]);
    const history = await f.store.history(NAME, "production");
    expect(history[0]).toMatchObject({ from: f.v1.digest, to: f.v2.digest, actor: "octocat" });
    expect(describePromotion(result)).toContain("target 2 command: applied - second serves v2");
  });

  it("a dry run checks requirements and lists targets, but writes nothing and calls nothing", async () => {
    const f = await ready();
    const before = await storeFiles(f.dir);
    const targets = fakeTargets();
    const github = fakeGitHub();
    const result = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production", dryRun: true });
    expect(result).toMatchObject({ outcome: "dry-run", exitCode: 0, dryRun: true, records: [] });
    expect(result.targets.map((t) => `${t.status} ${t.summary}`)).toEqual([
      "planned command first",
      "planned command second",
      "planned command third",
    ]);
    expect(result.message).toContain("would promote");
    expect(targets.log).toEqual([]);
    expect(github.calls).toEqual([]);
    expect(await storeFiles(f.dir)).toEqual(before);
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
  });

  it("a target failing midway rolls back the applied ones in reverse, leaves the alias, fails the deployment (exit 3)", async () => {
    const f = await ready();
    const targets = fakeTargets();
    targets.onApply.set("third", async () => {
      throw new TargetError("command", "deploy.sh exited with 1");
    });
    const github = fakeGitHub();
    const result = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(result.outcome).toBe("failed");
    expect(result.exitCode).toBe(3);
    expect(result.message).toContain("target command: deploy.sh exited with 1");
    expect(targets.log).toEqual([
      "apply first v2",
      "apply second v2",
      "apply third v2",
      `rollback second v1 (applied ${f.v2.digest.slice(7, 12)})`,
      `rollback first v1 (applied ${f.v2.digest.slice(7, 12)})`,
    ]);
    expect(result.targets.map((t) => t.status)).toEqual(["rolled-back", "rolled-back", "failed"]);
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
    expect(github.calls).toEqual([
      "deployment create production",
      "deployment in_progress",
      "deployment failure",
      "issue raise production",
    ]);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["failed"]);
    expect(github.raised[0]?.title).toBe("llmops: promotion to production failed");
  });

  it("a target failing on bad input exits 2", async () => {
    const f = await ready();
    const targets = fakeTargets();
    targets.onApply.set("first", async () => {
      throw new TargetError("command", "cwd does not exist", { cause: new InputError("cwd ./nope: not found") });
    });
    const result = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" });
    expect(result).toMatchObject({ outcome: "failed", exitCode: 2 });
    expect(targets.log).toEqual(["apply first v2"]);
  });

  it("the alias moving while it runs is a conflict: targets re-pointed at what the alias names now, deployment failed, exit 1", async () => {
    const f = await ready();
    const targets = fakeTargets();
    // Someone else promotes v3 while our second target applies.
    targets.onApply.set("second", async () => {
      await f.store.tag(`${NAME}@${f.v3.digest}`, "production");
    });
    const github = fakeGitHub();
    const result = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(result.outcome).toBe("conflict");
    expect(result.exitCode).toBe(1);
    expect(result.message).toContain(
      `production moved from ${f.v1.digest} to ${f.v3.digest} while this promotion ran; targets re-pointed at ${NAME} v3 (`,
    );
    expect(result.message).not.toContain("nothing changed");
    expect(result.serving).toBe(f.v3.digest);
    // Not back to v1, which the alias no longer names: to v3, which it does.
    expect(targets.log.slice(3)).toEqual([
      `rollback third v3 (applied ${f.v2.digest.slice(7, 12)})`,
      `rollback second v3 (applied ${f.v2.digest.slice(7, 12)})`,
      `rollback first v3 (applied ${f.v2.digest.slice(7, 12)})`,
    ]);
    expect(await aliasOf(f.store, "production")).toBe(f.v3.digest);
    expect(github.calls).toContain("deployment failure");
    expect(github.statuses.at(-1)?.description).toBe("alias moved concurrently");
  });

  it("a first promotion (no alias yet) that loses the race to another first promotion is a conflict too", async () => {
    const f = await fixture();
    await writeConfig(f.dir, CONFIG);
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
    const targets = fakeTargets();
    targets.onApply.set("third", async () => {
      await f.store.tag(`${NAME}@${f.v3.digest}`, "production");
    });
    const result = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" });
    expect(result).toMatchObject({ outcome: "conflict", exitCode: 1 });
    expect(result.message).toContain(`production moved from nothing to ${f.v3.digest}`);
    expect(await aliasOf(f.store, "production")).toBe(f.v3.digest);
    expect(targets.log.filter((l) => l.startsWith("rollback"))).toHaveLength(3);
    expect(targets.log.at(-1)).toMatch(/^rollback first v3/);
  });

  it("H1: two racing promotions from v1: the loser re-points its targets at the winner, so what is served is what the alias names", async () => {
    const f = await ready();
    await recordRun(f.store, f.v3, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
    // One serving system behind every target: the version it serves is the last one applied or rolled back to.
    let served: string | null = f.v1.digest;
    let racer: Promise<PromotionResult> | undefined;
    const factory = (config: TargetConfig): Target => ({
      type: config.type,
      async apply(version) {
        if (version.digest === f.v2.digest && !racer) {
          // While promotion A (v2) applies, promotion B (v3) runs from start to end and wins the alias.
          racer = promote({ ...common(f, fakeTargets()), targets: factory, ref: `${NAME}:v3`, environment: "production" });
          expect((await racer).outcome).toBe("promoted");
        }
        served = version.digest;
        return { type: config.type, summary: `serves ${version.digest}`, details: { digest: version.digest } };
      },
      async rollback(previous) {
        served = previous?.digest ?? null;
        return { type: config.type, summary: `serves ${previous?.digest ?? "nothing"}`, details: {} };
      },
    });
    const a = await promote({ ...common(f, fakeTargets()), targets: factory, ref: `${NAME}:v2`, environment: "production" });
    expect(a.outcome).toBe("conflict");
    expect(await aliasOf(f.store, "production")).toBe(f.v3.digest);
    expect(served).toBe(f.v3.digest);
    expect(a.message).toContain(`production moved from ${f.v1.digest} to ${f.v3.digest} while this promotion ran; targets re-pointed at`);
    expect(a.serving).toBe(f.v3.digest);
  });

  it("an unknown environment is a usage error naming the known ones; a ref of another artifact is an input error", async () => {
    const f = await ready();
    const targets = fakeTargets();
    const unknown = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "prod" }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(UsageError);
    expect((unknown as Error).message).toBe('unknown environment "prod"; llmops.yaml has staging, production');
    const other = await promote({ ...common(f, targets), ref: "acme/other:v1", environment: "production" }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(InputError);
    expect((other as InputError).exitCode).toBe(2);
    expect((other as Error).message).toBe(`ref acme/other:v1: is artifact acme/other, but environment production serves ${NAME}`);
  });

  it("promoting the version already serving does nothing", async () => {
    const f = await ready();
    expect((await promote({ ...common(f, fakeTargets()), ref: `${NAME}:v2`, environment: "production" })).outcome).toBe("promoted");
    const targets = fakeTargets();
    const result = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" });
    expect(result).toMatchObject({ outcome: "promoted", exitCode: 0, records: [] });
    expect(result.message).toContain("already serves");
    expect(targets.log).toEqual([]);
  });

  it("an alias only tagged by hand, with no promotion record, gets its targets applied", async () => {
    const f = await ready();
    await f.store.tag(`${NAME}@${f.v2.digest}`, "production");
    const targets = fakeTargets();
    const result = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" });
    expect(result).toMatchObject({ outcome: "promoted", exitCode: 0, serving: f.v2.digest });
    expect(targets.log).toEqual(["apply first v2", "apply second v2", "apply third v2"]);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["promoted"]);
  });
});

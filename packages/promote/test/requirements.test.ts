import { loadConfig } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { promote } from "../src/promote.ts";
import { writePromotionRecord } from "../src/records.ts";
import { checkRequirements, refCounts } from "../src/requirements.ts";
import { rollback } from "../src/rollback.ts";
import { aliasOf, common, daysAgo, fakeGitHub, fakeTargets, fixture, NAME, promotionEvents, recordRun, writeConfig } from "./helpers.ts";

const SUITES = `suites:
  - name: sentiment
    provider: { type: replay, file: replay.jsonl }
    prompt: "{{text}}"
    cases: [{ id: a, vars: { text: hi }, expected: positive }]
`;

function config(requires: string): string {
  return `store: store
artifacts:
  ${NAME}: { kind: model, path: model1 }
${SUITES}environments:
  staging: {}
  production:
    requires:
${requires}
`;
}

async function check(f: Awaited<ReturnType<typeof fixture>>, defaultBranch?: string) {
  const loaded = await loadConfig("llmops.yaml", { cwd: f.dir });
  return checkRequirements({
    store: f.store,
    config: loaded.config,
    environment: "production",
    version: f.v2,
    ...(defaultBranch ? { defaultBranch } : {}),
    logger: f.logger,
  });
}

describe("evidence requirements", () => {
  it("are met by a passing run of the suite on this digest from a non-PR ref, and name the run", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment, maxAgeDays: 7 }]"));
    const digest = await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
    const [c] = await check(f);
    expect(c).toMatchObject({ kind: "evidence", name: "sentiment", met: true, evidence: { digest, passed: true, ref: "refs/heads/main" } });
  });

  it("the latest counting run decides: a newer failure is unmet, with date and ref", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main", finishedAt: "2026-01-10T00:00:00.000Z" });
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: false, ref: "refs/heads/main", finishedAt: "2026-01-20T00:00:00.000Z" });
    const [c] = await check(f);
    expect(c?.met).toBe(false);
    expect(c?.detail).toBe(`latest run on ${f.v2.digest.slice(0, 19)}… failed (2026-01-20, refs/heads/main)`);
  });

  it("an incomplete run does not pass; evidence on another version does not count", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment }]"));
    await recordRun(f.store, f.v1, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
    expect((await check(f))[0]?.detail).toMatch(/^no run recorded on sha256:\w+… by a non-pull-request ref$/);
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main", complete: false });
    expect((await check(f))[0]?.detail).toMatch(/was incomplete/);
  });

  it("a run whose summary pins another digest is ignored", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main", model: f.v1.digest });
    expect((await check(f))[0]?.met).toBe(false);
  });

  it("too old a run is unmet", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment, maxAgeDays: 7 }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main", finishedAt: daysAgo(10) });
    const [c] = await check(f);
    expect(c?.met).toBe(false);
    expect(c?.detail).toMatch(/is 10 days old \(.*refs\/heads\/main\); at most 7 allowed$/);
  });

  it("a pull request's run never counts", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/pull/12/merge" });
    const [c] = await check(f);
    expect(c?.met).toBe(false);
    expect(c?.detail).toMatch(/by a non-pull-request ref \(only from refs\/pull\/12\/merge\)$/);
  });

  it("with a default branch known only its runs count; the requirement's branch wins over it", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/feature" });
    expect((await check(f))[0]?.met).toBe(true);
    expect((await check(f, "main"))[0]?.detail).toMatch(/by refs\/heads\/main \(only from refs\/heads\/feature\)$/);
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment, branch: feature }]"));
    expect((await check(f, "main"))[0]?.met).toBe(true);
  });

  it("a run with no ref counts only when no branch is required", async () => {
    expect(refCounts(undefined, undefined)).toBe(true);
    expect(refCounts(undefined, "main")).toBe(false);
    expect(refCounts("refs/pull/1/merge", undefined)).toBe(false);
    expect(refCounts("refs/tags/v1", undefined)).toBe(true);
    expect(refCounts("refs/heads/main", "main")).toBe(true);
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true });
    expect((await check(f))[0]?.met).toBe(true);
    expect((await check(f, "main"))[0]?.met).toBe(false);
  });

  it("a suite with no run at all is unmet", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: other }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
    expect((await check(f))[0]).toMatchObject({ met: false, name: "other" });
  });

  it("passed: false accepts a failed run that exists", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment, passed: false }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: false, ref: "refs/heads/main" });
    expect((await check(f))[0]?.met).toBe(true);
  });
});

describe("promotedTo requirements", () => {
  it("read the other environment's alias history, and a failed smoke eval there un-meets it", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      promotedTo: [staging]"));
    expect((await check(f))[0]).toMatchObject({ met: false, detail: `${NAME}@${f.v2.digest.slice(0, 19)}… was never in staging` });
    await f.store.tag(`${NAME}@${f.v2.digest}`, "staging");
    await f.store.tag(`${NAME}@${f.v1.digest}`, "staging");
    expect((await check(f))[0]?.met).toBe(true);
    await writePromotionRecord(f.store, f.v2, {
      schemaVersion: 1,
      event: "smoke-failed",
      id: "p1",
      environment: "staging",
      name: NAME,
      alias: "staging",
      from: null,
      to: f.v2.digest,
      at: new Date().toISOString(),
    });
    expect((await check(f))[0]?.detail).toMatch(/failed its smoke eval in staging/);
  });
});

describe("promotedTo and roll-backs: one rule with rollback (served-before.ts judgeVersions)", () => {
  it("M2: v1, v2 to staging, `llmops rollback` of staging: v2 to production is refused; promoted to staging again, it is met", async () => {
    const f = await fixture();
    await writeConfig(f.dir, `${config("      promotedTo: [staging]")}    targets: [{ type: command, argv: [deploy] }]\n`);
    const targets = fakeTargets();
    for (const v of [f.v1, f.v2]) {
      expect((await promote({ ...common(f, targets), ref: `${NAME}@${v.digest}`, environment: "staging" })).outcome).toBe("promoted");
    }
    expect((await check(f))[0]?.met).toBe(true);
    const back = await rollback({ ...common(f, targets), environment: "staging" });
    expect(back).toMatchObject({ outcome: "rolled-back", serving: f.v1.digest });
    // The rollback record lives on v1 (the version gone back to), yet it un-meets v2's requirement.
    expect((await check(f))[0]).toMatchObject({
      met: false,
      detail: expect.stringMatching(/was rolled back from staging \(\d{4}-\d\d-\d\d\)$/),
    });
    const refused = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production" });
    expect(refused).toMatchObject({ outcome: "refused", exitCode: 1 });
    expect(refused.message).toContain("promotedTo staging: ");
    expect(await aliasOf(f.store, "production")).toBeNull();
    // Promoted to staging again (a newer record), it counts again.
    expect((await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "staging" })).outcome).toBe("promoted");
    expect((await check(f))[0]?.met).toBe(true);
  });
});

describe("L2: a run that says it finished in the future", () => {
  it("does not count (it would sort newest forever and pass maxAgeDays): the older run decides, the detail says why", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment, maxAgeDays: 7 }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: false, ref: "refs/heads/main", finishedAt: daysAgo(1) });
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main", finishedAt: "2099-01-01T00:00:00.000Z" });
    const [c] = await check(f);
    expect(c?.met).toBe(false);
    expect(c?.detail).toMatch(
      /failed \(\d{4}-\d\d-\d\d, refs\/heads\/main; ignored 1 run whose finishedAt is in the future or not a time \(2099-01-01T00:00:00\.000Z\)\)$/,
    );
  });

  it("alone it leaves the requirement unmet; within five minutes of now (clock skew) it counts", async () => {
    const f = await fixture();
    await writeConfig(f.dir, config("      evidence: [{ suite: sentiment }]"));
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main", finishedAt: "2099-01-01T00:00:00.000Z" });
    const [c] = await check(f);
    expect(c).toMatchObject({ met: false });
    expect(c?.detail).toMatch(/^no run recorded on .* by a non-pull-request ref; ignored 1 run whose finishedAt is in the future/);
    const f2 = await fixture();
    await writeConfig(f2.dir, config("      evidence: [{ suite: sentiment }]"));
    await recordRun(f2.store, f2.v2, {
      suite: "sentiment",
      passed: true,
      ref: "refs/heads/main",
      finishedAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect((await check(f2))[0]?.met).toBe(true);
  });
});

describe("promote refuses on unmet requirements", () => {
  it("exit 1, one message naming each requirement, a refused record, an alert; nothing deployed", async () => {
    const f = await fixture();
    await writeConfig(
      f.dir,
      `${config("      evidence: [{ suite: sentiment }]\n      promotedTo: [staging]")}    targets: [{ type: command, argv: [deploy] }]\nnotify: { issue: true }\n`,
    );
    await recordRun(f.store, f.v2, { suite: "sentiment", passed: false, ref: "refs/heads/main", finishedAt: "2026-01-20T00:00:00.000Z" });
    const targets = fakeTargets();
    const github = fakeGitHub();
    const result = await promote({ ...common(f, targets, github), ref: `${NAME}:v2`, environment: "production" });
    expect(result.outcome).toBe("refused");
    expect(result.exitCode).toBe(1);
    expect(result.message).toBe(
      `promotion of ${NAME} v2 (${f.v2.digest.slice(0, 19)}…) to production refused: ` +
        `evidence sentiment: latest run on ${f.v2.digest.slice(0, 19)}… failed (2026-01-20, refs/heads/main); ` +
        `promotedTo staging: ${NAME}@${f.v2.digest.slice(0, 19)}… was never in staging`,
    );
    expect(targets.log).toEqual([]);
    expect(github.requests).toEqual([]);
    expect(await aliasOf(f.store, "production")).toBeNull();
    expect(await promotionEvents(f.store, f.v2)).toEqual(["refused"]);
    expect(github.calls).toEqual(["issue raise production"]);
    expect(github.raised[0]?.title).toBe("llmops: promotion to production refused");
  });
});

import { describe, expect, it } from "vitest";
import { promote } from "../src/promote.ts";
import { readPromotionRecords } from "../src/records.ts";
import { describePromotion } from "../src/render.ts";
import { rollback } from "../src/rollback.ts";
import { aliasOf, common, fakeGitHub, fakeTargets, fixture, NAME, promotionEvents, startServer, writeConfig } from "./helpers.ts";

const CONFIG = `store: store
artifacts:
  ${NAME}: { kind: model, path: model1 }
suites:
  - name: smoke
    provider: { type: replay, file: never-used.jsonl }
    prompt: "{{text}}"
    cases: [{ id: a, vars: { text: hi }, expected: positive }]
    scorers: [{ type: equals }]
environments:
  production:
    targets:
      - { type: command, argv: [first] }
      - { type: command, argv: [second] }
      - { type: command, argv: [third] }
notify: { issue: true }
`;

async function ready(yaml = CONFIG) {
  const f = await fixture();
  await writeConfig(f.dir, yaml);
  await f.store.tag(`${NAME}@${f.v1.digest}`, "production");
  return f;
}

/** Resolves when `signal` aborts: a target that waits for its work and honours the signal. */
const untilAborted = (signal: AbortSignal | undefined) =>
  new Promise<never>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));

describe("M4: an abort of the caller's signal", () => {
  it("while a target applies: the applied ones are undone, deployment error, a failed record 'interrupted', interrupted: true", async () => {
    const f = await ready();
    const targets = fakeTargets();
    const controller = new AbortController();
    targets.onApply.set("second", async (_version, context) => {
      setTimeout(() => controller.abort(new Error("interrupted by SIGTERM")), 20);
      await untilAborted(context.signal);
    });
    const github = fakeGitHub();
    const result = await promote({
      ...common(f, targets, github),
      ref: `${NAME}:v2`,
      environment: "production",
      signal: controller.signal,
    });
    expect(result).toMatchObject({ outcome: "failed", exitCode: 3, interrupted: true, serving: f.v1.digest });
    expect(result.message).toBe(`promotion of ${NAME} v2 (${f.v2.digest.slice(0, 19)}…) to production failed: interrupted by SIGTERM`);
    expect(targets.log).toEqual(["apply first v2", "apply second v2", `rollback first v1 (applied ${f.v2.digest.slice(7, 12)})`]);
    expect(result.targets.map((t) => t.status)).toEqual(["rolled-back", "failed", "not-run"]);
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
    expect(github.calls).toEqual(["deployment create production", "deployment in_progress", "deployment error", "issue raise production"]);
    expect(github.statuses.at(-1)?.description).toBe("interrupted");
    const [stored] = await readPromotionRecords(f.store, f.v2, { environment: "production", logger: f.logger });
    expect(stored?.record).toMatchObject({ event: "failed", reason: "interrupted by SIGTERM" });
    expect(describePromotion(result)).toContain("interrupted: what was applied was undone");
  });

  it("a target that finishes despite the abort is undone too; later targets never start", async () => {
    const f = await ready();
    const targets = fakeTargets();
    const controller = new AbortController();
    targets.onApply.set("second", async () => controller.abort());
    const result = await promote({ ...common(f, targets), ref: `${NAME}:v2`, environment: "production", signal: controller.signal });
    expect(result).toMatchObject({ outcome: "failed", interrupted: true });
    expect(result.message).toMatch(/failed: interrupted$/);
    expect(targets.log).toEqual([
      "apply first v2",
      "apply second v2",
      `rollback second v1 (applied ${f.v2.digest.slice(7, 12)})`,
      `rollback first v1 (applied ${f.v2.digest.slice(7, 12)})`,
    ]);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["failed"]);
  });

  it("rollbacks after an abort get no aborted signal: they must finish", async () => {
    const f = await ready();
    const seen: (boolean | undefined)[] = [];
    const base = fakeTargets();
    const controller = new AbortController();
    const factory: typeof base.factory = (config) => {
      const target = base.factory(config);
      return {
        ...target,
        type: target.type,
        apply: target.apply.bind(target),
        rollback: async (previous, applied, context) => {
          seen.push(context.signal?.aborted);
          return target.rollback(previous, applied, context);
        },
      };
    };
    base.onApply.set("first", async () => controller.abort());
    await promote({ ...common(f, base), targets: factory, ref: `${NAME}:v2`, environment: "production", signal: controller.signal });
    expect(seen).toEqual([undefined]);
  });

  it("during the smoke eval (alias already moved): targets and alias go back, outcome failed, interrupted", async () => {
    const server = await startServer(() => undefined); // never answers
    const yaml = CONFIG.replace(
      "    targets:",
      `    url: ${server.url}\n    smoke: { suite: smoke, provider: { type: http, url: "{{environment.url}}/predict", body: { text: "{{text}}" }, responsePath: label } }\n    targets:`,
    );
    const f = await ready(yaml);
    const targets = fakeTargets();
    const controller = new AbortController();
    const github = fakeGitHub();
    const timer = setInterval(() => {
      if (server.requests.length > 0) controller.abort(new Error("interrupted by SIGINT"));
    }, 20);
    const started = Date.now();
    const result = await promote({
      ...common(f, targets, github),
      ref: `${NAME}:v2`,
      environment: "production",
      signal: controller.signal,
    });
    clearInterval(timer);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ outcome: "failed", exitCode: 3, interrupted: true, serving: f.v1.digest });
    expect(result.message).toContain("interrupted during the smoke eval; rolled back to");
    expect(targets.log.filter((l) => l.startsWith("rollback"))).toHaveLength(3);
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
    expect(github.calls.slice(-2)).toEqual(["deployment error", "issue raise production"]);
    // The version was rolled back from: it never counts as served there (the rule rollback and promotedTo share).
    expect(await promotionEvents(f.store, f.v2)).toEqual(["promoted", "rolled-back"]);
  });

  it("llmops rollback is undone the same way", async () => {
    const f = await ready();
    await f.store.tag(`${NAME}@${f.v2.digest}`, "production");
    const targets = fakeTargets();
    const controller = new AbortController();
    targets.onApply.set("first", async () => controller.abort());
    const result = await rollback({ ...common(f, targets), environment: "production", to: `${NAME}:v1`, signal: controller.signal });
    expect(result).toMatchObject({ outcome: "failed", interrupted: true, serving: f.v2.digest });
    expect(targets.log).toEqual(["apply first v1", `rollback first v2 (applied ${f.v1.digest.slice(7, 12)})`]);
    expect(await aliasOf(f.store, "production")).toBe(f.v2.digest);
  });
});

import { UsageError } from "@llmops/core";
import { judgeSequential } from "@llmops/eval";
import { describe, expect, it } from "vitest";
import { type CanaryResult, canaryResultSchema } from "../../src/canary/result.ts";
import { canaryAbort, canaryAdvance, canaryAnalyze, canaryStart, canaryStartOrAdvance } from "../../src/canary/rollout.ts";
import { promote } from "../../src/promote.ts";
import { readPromotionRecords } from "../../src/records.ts";
import { renderStatus } from "../../src/render.ts";
import { status } from "../../src/status.ts";
import { aliasOf, common, fakeGitHub, fakeTargets, fixture, NAME, promotionEvents, recordRun, writeConfig } from "../helpers.ts";
import { fakeRouter, fakeSources, proportion, reading } from "./fakes.ts";

const CONFIG = `store: store
artifacts:
  ${NAME}: { kind: model, path: model1 }
suites:
  - name: sentiment
    provider: { type: replay, file: replay.jsonl }
    prompt: "{{text}}"
    cases: [{ id: a, vars: { text: hi }, expected: positive }]
environments:
  production:
    requires:
      evidence: [{ suite: sentiment }]
    targets:
      - { type: command, argv: [stable-slot] }
    strategy:
      canary:
        steps: [10, 50, 100]
        minRequests: 100
        maxDuration: 2h
        router: { type: haproxy, socket: admin.sock, backend: model, stable: blue, canary: green }
        prometheus: http://127.0.0.1:9090
        metrics:
          - { name: error_rate, prometheus: { events: errors, total: requests }, max: 0.05, guardrail: true }
          - { name: thumbs_up, feedback: { file: feedback.jsonl, field: rating }, noWorseThan: 0.05 }
        targets:
          - { type: command, argv: [canary-slot] }
notify: { issue: true }
`;

async function ready() {
  const f = await fixture();
  await writeConfig(f.dir, CONFIG);
  await recordRun(f.store, f.v2, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
  await f.store.tag(`${NAME}@${f.v1.digest}`, "production");
  const targets = fakeTargets();
  const github = fakeGitHub();
  const router = fakeRouter();
  const sources = fakeSources();
  let now = new Date("2026-12-01T10:00:00Z");
  const options = {
    ...common(f, targets, github),
    environment: "production",
    routers: router.factory,
    metricSources: sources.factory,
    now: () => now,
  };
  const later = (minutes: number) => {
    now = new Date(now.getTime() + minutes * 60_000);
  };
  /** Both metrics healthy and equal; `served` requests per slot this far. */
  const healthy = (stable: number, canary: number) => {
    router.requests = { stable, canary };
    sources.readings.set(
      "error_rate",
      reading(proportion(Math.round(stable * 0.01), stable), proportion(Math.round(canary * 0.01), canary)),
    );
    sources.readings.set("thumbs_up", reading(proportion(Math.round(stable * 0.9), stable), proportion(Math.round(canary * 0.9), canary)));
  };
  return { f, targets, github, router, sources, options, later, healthy };
}

function valid(result: CanaryResult): CanaryResult {
  expect(canaryResultSchema.parse(result)).toEqual(result);
  return result;
}

describe("canary start", () => {
  it("deploys the candidate to the canary slot, gives it the first step, tags <alias>-canary and records it", async () => {
    const { f, targets, github, router, options } = await ready();
    const result = valid(await canaryStart({ ...options, ref: `${NAME}:v2` }));
    expect(result).toMatchObject({ outcome: "started", exitCode: 0, step: 0, percent: 10, steps: [10, 50, 100] });
    expect(result.stable?.digest).toBe(f.v1.digest);
    expect(router.percent).toBe(10);
    expect(targets.log).toEqual(["apply canary-slot v2"]);
    expect(await aliasOf(f.store, "production-canary")).toBe(f.v2.digest);
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["canary-started"]);
    expect(github.calls).toEqual(["deployment create production", "deployment in_progress", "deployment in_progress"]);
    expect(github.requests[0]?.payload).toMatchObject({ strategy: "canary", digest: f.v2.digest });
  });

  it("refuses a candidate without its evidence, records and alerts", async () => {
    const { f, github, router, options } = await ready();
    const result = valid(await canaryStart({ ...options, ref: `${NAME}:v3` }));
    expect(result).toMatchObject({ outcome: "refused", exitCode: 1 });
    expect(result.message).toContain("sentiment");
    expect(router.log).toEqual([]);
    expect(await promotionEvents(f.store, f.v3)).toEqual(["refused"]);
    expect(github.raised).toHaveLength(1);
  });

  it("needs a stable version and a canary strategy (exit 2)", async () => {
    const { f, options } = await ready();
    await writeConfig(f.dir, CONFIG.replace("  production:\n", "  staging: {}\n  production:\n"));
    await expect(canaryStart({ ...options, environment: "staging", ref: `${NAME}:v2` })).rejects.toThrow(/staging has no strategy.canary/);
    await writeConfig(f.dir, CONFIG.replace(/alias: production|production:/, "production:\n    alias: prod"));
    await expect(canaryStart({ ...options, ref: `${NAME}:v2` })).rejects.toBeInstanceOf(UsageError);
  });

  it("refuses a second rollout while one is in progress, and promote refuses too", async () => {
    const { f, options } = await ready();
    await recordRun(f.store, f.v3, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    const second = valid(await canaryStart({ ...options, ref: `${NAME}:v3` }));
    expect(second).toMatchObject({ outcome: "conflict", exitCode: 1 });
    expect(second.message).toContain("in progress");
    const direct = await promote({ ...options, ref: `${NAME}:v3` });
    expect(direct).toMatchObject({ outcome: "conflict", exitCode: 1 });
    expect(await aliasOf(f.store, "production-canary")).toBe(f.v2.digest);
  });
});

describe("canary advance", () => {
  it("holds on too few requests, advances step by step, then completes: targets, alias, router back to the stable slot", async () => {
    const { f, targets, github, router, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(50, 5);
    later(5);
    const held = valid(await canaryAdvance(options));
    expect(held).toMatchObject({ outcome: "held", exitCode: 0, decision: "hold", percent: 10 });
    expect(held.reasons.join()).toMatch(/too few requests this step: canary 5\/100, stable 50\/100/);

    healthy(1000, 120);
    later(5);
    const advanced = valid(await canaryAdvance(options));
    expect(advanced).toMatchObject({ outcome: "advanced", decision: "advance", step: 1, percent: 50 });
    expect(advanced.metrics.map((m) => [m.name, m.judgement.status])).toEqual([
      ["error_rate", expect.stringMatching(/pass|inconclusive/)],
      ["thumbs_up", expect.stringMatching(/pass|inconclusive/)],
    ]);
    expect(router.percent).toBe(50);

    // The next step counts its requests from the advance on: 1000/120 are the baseline now.
    healthy(1050, 170);
    later(5);
    expect(valid(await canaryAdvance(options))).toMatchObject({ outcome: "held", percent: 50 });
    healthy(1200, 400);
    later(5);
    expect(valid(await canaryAdvance(options))).toMatchObject({ outcome: "advanced", percent: 100, step: 2 });

    // At 100% the stable slot gets no traffic: only the canary's requests count.
    healthy(1200, 600);
    later(5);
    const done = valid(await canaryAdvance(options));
    expect(done).toMatchObject({ outcome: "completed", exitCode: 0, decision: "complete", percent: 0 });
    expect(targets.log).toEqual(["apply canary-slot v2", "apply stable-slot v2"]);
    expect(await aliasOf(f.store, "production")).toBe(f.v2.digest);
    expect(router.log).toEqual(["set 10", "set 50", "set 100", "set 0"]);
    expect(await promotionEvents(f.store, f.v2)).toEqual([
      "canary-started",
      "canary-analyzed",
      "canary-analyzed",
      "canary-analyzed",
      "canary-analyzed",
      "promoted",
    ]);
    expect(github.statuses.at(-1)?.state).toBe("success");
    expect(github.resolved).toHaveLength(1);
    // Every record of the rollout shares its id.
    const records = await readPromotionRecords(f.store, f.v2, { environment: "production", logger: f.logger });
    expect(new Set(records.map((r) => r.record.id)).size).toBe(1);
    await expect(canaryAdvance(options)).rejects.toThrow(
      /no canary rollout is in progress in production \(the last one, of .* ended: complete\)/,
    );
    const shown = await status({ store: f.store, cwd: f.dir, logger: f.logger, environment: "production" });
    expect(shown.environments[0]).toMatchObject({ digest: f.v2.digest, rollout: { state: { decision: "complete" } } });
    expect(renderStatus(shown)).toContain("ended (complete)");
  });

  it("rolls back at once when a guardrail fails, before the step has its requests: traffic to stable, slot undone, alerted", async () => {
    const { f, targets, github, router, sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(900, 90);
    sources.readings.set("error_rate", reading(proportion(9, 900), proportion(40, 90)));
    later(3);
    const result = valid(await canaryAdvance(options));
    expect(result).toMatchObject({ outcome: "rolled-back", exitCode: 1, decision: "rollback", percent: 0 });
    expect(result.reasons[0]).toMatch(/^error_rate failed: /);
    expect(router.percent).toBe(0);
    expect(targets.log).toEqual(["apply canary-slot v2", expect.stringMatching(/^rollback canary-slot null/)]);
    expect(await aliasOf(f.store, "production")).toBe(f.v1.digest);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["canary-started", "rolled-back"]);
    expect(github.raised[0]?.title).toBe("llmops: production rolled back");
    expect(github.statuses.at(-1)?.state).toBe("failure");
    // The candidate counts as rolled back from in the environment's history.
    const [rolled] = await readPromotionRecords(f.store, f.v2, { environment: "production", events: ["rolled-back"], logger: f.logger });
    expect(rolled?.record).toMatchObject({ from: f.v2.digest, to: f.v1.digest, canary: { decision: "rollback", percent: 0 } });
  });

  it("a non-guardrail metric that looks worse holds until the step has its requests, then rolls back", async () => {
    const { router, sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(900, 60);
    sources.readings.set("thumbs_up", reading(proportion(810, 900), proportion(20, 60)));
    later(3);
    const held = valid(await canaryAdvance(options));
    expect(held.outcome).toBe("held");
    expect(held.reasons.join()).toContain("thumbs_up looks worse");
    healthy(2000, 200);
    sources.readings.set("thumbs_up", reading(proportion(1800, 2000), proportion(80, 200)));
    later(3);
    expect(valid(await canaryAdvance(options))).toMatchObject({ outcome: "rolled-back", exitCode: 1 });
    expect(router.percent).toBe(0);
  });

  it("holds, never advances, when a metric has no data or its source is unreachable", async () => {
    const { router, sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(5000, 500);
    sources.readings.delete("error_rate");
    later(10);
    const held = valid(await canaryAdvance(options));
    expect(held).toMatchObject({ outcome: "held", percent: 10 });
    expect(held.reasons.join()).toMatch(
      /no data for error_rate \(metric error_rate: Prometheus at .* unreachable.*never advance on missing data/,
    );
    // A comparison needs both slots: thumbs_up (noWorseThan) without stable's numbers holds.
    healthy(5000, 500);
    sources.readings.set("thumbs_up", reading(null, proportion(450, 500)));
    later(10);
    const still = valid(await canaryAdvance(options));
    expect(still.outcome).toBe("held");
    expect(still.reasons.join()).toContain("no data for thumbs_up");
    expect(router.percent).toBe(10);
  });

  it("rolls back a rollout that runs past maxDuration", async () => {
    const { router, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(10, 1);
    later(121);
    const result = valid(await canaryAdvance(options));
    expect(result).toMatchObject({ outcome: "rolled-back", exitCode: 1 });
    expect(result.reasons[0]).toMatch(/ran out of time: 2h 1m since the start, maxDuration 2h/);
    expect(router.percent).toBe(0);
  });

  it("resumes: a router left elsewhere than the record says is set back to the record first", async () => {
    const { router, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    router.percent = 50; // a runner died after moving the router, before recording the step
    healthy(20, 2);
    later(1);
    const result = valid(await canaryAdvance(options));
    expect(result).toMatchObject({ outcome: "held", percent: 10 });
    expect(router.log).toEqual(["set 10", "set 10"]);
  });

  it("a router that fails leaves traffic where it was, records a hold and exits 3", async () => {
    const { f, router, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(1000, 200);
    router.broken = true;
    later(5);
    const failed = valid(await canaryAdvance(options));
    expect(failed).toMatchObject({ outcome: "failed", exitCode: 3 });
    expect(failed.message).toMatch(
      /router haproxy: runtime API socket .*: no such file; traffic left as it was \(the rollout's record says 10%\)/,
    );
    router.broken = false;
    later(1);
    expect(valid(await canaryAdvance(options))).toMatchObject({ outcome: "advanced", percent: 50 });
    expect(await promotionEvents(f.store, f.v2)).toEqual(["canary-started", "canary-analyzed"]);
  });

  it("two runners on one rollout: the one whose state is stale changes nothing", async () => {
    const { f, router, sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(1000, 200);
    later(5);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const good = sources.readings.get("error_rate")!;
    sources.readings.set("error_rate", async (context) => {
      calls += 1;
      if (calls === 1) await gate; // the first runner's analysis is slow
      return typeof good === "function" ? good(context) : good;
    });
    const slow = canaryAdvance(options);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fast = valid(await canaryAdvance(options));
    expect(fast.outcome).toBe("advanced");
    release();
    const lost = valid(await slow);
    expect(lost).toMatchObject({ outcome: "conflict", exitCode: 1 });
    expect(lost.message).toMatch(
      /another runner decided on the rollout in production while this one analysed it: .*advance, 50%.*nothing changed here/,
    );
    expect(router.log).toEqual(["set 10", "set 50"]);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["canary-started", "canary-analyzed"]);
  });

  it("analyze says what advance would do and changes nothing", async () => {
    const { f, router, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(1000, 200);
    later(5);
    const result = valid(await canaryAnalyze(options));
    expect(result).toMatchObject({ outcome: "analyzed", exitCode: 0, decision: "advance", percent: 10 });
    expect(router.log).toEqual(["set 10"]);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["canary-started"]);
  });
});

describe("canary abort and start-or-advance", () => {
  it("abort sends all traffic to stable, undoes the canary slot and ends the rollout (exit 0)", async () => {
    const { f, targets, router, options } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    const result = valid(await canaryAbort({ ...options, reason: "pager went off" }));
    expect(result).toMatchObject({ outcome: "aborted", exitCode: 0, percent: 0 });
    expect(result.reasons).toEqual(["aborted: pager went off"]);
    expect(router.percent).toBe(0);
    expect(targets.log.at(-1)).toMatch(/^rollback canary-slot null/);
    // Aborting again only makes sure the traffic is with stable.
    expect(valid(await canaryAbort(options)).message).toContain("had already ended (abort)");
    await expect(canaryAdvance(options)).rejects.toThrow(/no canary rollout is in progress/);
    // A new rollout may start once the last one ended.
    expect(valid(await canaryStart({ ...options, ref: `${NAME}:v2` })).outcome).toBe("started");
    expect(await aliasOf(f.store, "production-canary")).toBe(f.v2.digest);
  });

  it("a rollback whose router call failed is recorded first; abort then finishes sending traffic to stable", async () => {
    const { f, router, sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(900, 90);
    sources.readings.set("error_rate", reading(proportion(9, 900), proportion(40, 90)));
    later(3);
    const realSet = router.factory({} as never).setCanaryPercent;
    let calls = 0;
    const r = router.factory({} as never);
    r.setCanaryPercent = async () => {
      calls += 1;
      throw new Error(`socket gone (${calls})`);
    };
    const failed = valid(await canaryAdvance(options));
    expect(failed).toMatchObject({ outcome: "failed", exitCode: 3, decision: "rollback", percent: 0 });
    expect(failed.message).toContain("traffic may still reach the canary slot");
    expect(router.percent).toBe(10);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["canary-started", "rolled-back"]);
    r.setCanaryPercent = realSet;
    const finished = valid(await canaryAbort(options));
    expect(finished).toMatchObject({ outcome: "aborted", exitCode: 0 });
    expect(finished.message).toContain("had already ended (rollback); all traffic sent to stable again");
    expect(router.percent).toBe(0);
  });

  it("start-or-advance starts when nothing is in progress and advances otherwise", async () => {
    const { options, later, healthy } = await ready();
    // A scheduled run between rollouts is idle, not a failure.
    expect(valid(await canaryStartOrAdvance(options))).toMatchObject({ outcome: "idle", exitCode: 0 });
    expect((await canaryStartOrAdvance({ ...options, ref: `${NAME}:v2` })).outcome).toBe("started");
    healthy(1000, 200);
    later(5);
    expect((await canaryStartOrAdvance({ ...options, ref: `${NAME}:v2` })).outcome).toBe("advanced");
  });
});

describe("canary safety under crashes, races and lost writes", () => {
  it("a runner with a stale state never raises traffic another runner lowered by rolling back", async () => {
    const { router, sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(1000, 200);
    later(5);
    expect((await canaryAdvance(options)).outcome).toBe("advanced"); // 50%
    // Runner B reads the 50% state, then waits in its analysis; runner A rolls back meanwhile.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const good = sources.readings.get("error_rate")!;
    let calls = 0;
    sources.readings.set("error_rate", async (context) => {
      calls += 1;
      if (calls === 1) await gate;
      return typeof good === "function" ? good(context) : good;
    });
    const b = canaryAdvance(options);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await canaryAbort(options)).outcome).toBe("aborted");
    release();
    const stale = valid(await b);
    expect(stale.outcome).toBe("conflict");
    expect(router.percent).toBe(0);
    expect(router.log.at(-1)).toBe("set 0");
  });

  it("traffic lowered by hand is held there, never raised back", async () => {
    const { f, router, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(1000, 200);
    later(5);
    expect((await canaryAdvance(options)).outcome).toBe("advanced");
    router.percent = 0; // an operator pulled the canary during an incident
    healthy(1500, 700);
    later(5);
    const held = valid(await canaryAdvance(options));
    expect(held).toMatchObject({ outcome: "held", decision: "hold" });
    expect(held.message).toContain("the router gives the candidate 0%, less than the rollout's 50%");
    expect(router.percent).toBe(0);
    expect(router.log).toEqual(["set 10", "set 50"]);
    expect(await promotionEvents(f.store, f.v2)).toEqual(["canary-started", "canary-analyzed", "canary-analyzed"]);
  });

  it("a start whose record cannot be written routes nothing and undoes the canary slot", async () => {
    const { f, targets, router, options } = await ready();
    const attach = f.store.attachEvidence.bind(f.store);
    f.store.attachEvidence = async (subject, evidence) => {
      if (evidence.annotations?.["dev.llmops.event"] === "canary-started") throw new Error("registry answered 503");
      return attach(subject, evidence);
    };
    const result = valid(await canaryStart({ ...options, ref: `${NAME}:v2` }));
    expect(result).toMatchObject({ outcome: "failed", exitCode: 3 });
    expect(result.message).toContain("recording it failed: registry answered 503; no traffic was routed to it");
    expect(router.log).toEqual([]);
    expect(targets.log).toEqual(["apply canary-slot v2", expect.stringMatching(/^rollback canary-slot null/)]);
  });

  it("a start recorded but never routed (the runner died) holds at 0%; abort then start retries it", async () => {
    const { router, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    router.percent = 0;
    router.log.length = 0;
    healthy(0, 0);
    later(1);
    expect(valid(await canaryAdvance(options))).toMatchObject({ outcome: "held", percent: 10 });
    expect(router.log).toEqual([]);
    expect((await canaryAbort(options)).outcome).toBe("aborted");
    expect((await canaryStart({ ...options, ref: `${NAME}:v2` })).outcome).toBe("started");
    expect(router.percent).toBe(10);
  });

  it("a rollback whose record cannot be written still sends all traffic to stable (exit 3), and is never undone", async () => {
    const { f, router, sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(900, 90);
    sources.readings.set("error_rate", reading(proportion(9, 900), proportion(40, 90)));
    const attach = f.store.attachEvidence.bind(f.store);
    f.store.attachEvidence = async (subject, evidence) => {
      if (evidence.annotations?.["dev.llmops.event"] === "rolled-back") throw new Error("registry answered 503");
      return attach(subject, evidence);
    };
    later(3);
    const failed = valid(await canaryAdvance(options));
    expect(failed).toMatchObject({ outcome: "failed", exitCode: 3 });
    expect(failed.message).toContain("the rollback was not recorded: registry answered 503");
    expect(router.percent).toBe(0);
    // The record still says 10%: the next run holds at 0% rather than raising it.
    f.store.attachEvidence = attach;
    later(1);
    expect(valid(await canaryAdvance(options)).outcome).toBe("held");
    expect(router.percent).toBe(0);
  });

  it("a completion whose runner died after moving the alias completes on the next run", async () => {
    const { f, router, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    for (const [stable, canary] of [
      [1000, 200],
      [1200, 500],
    ] as const) {
      healthy(stable, canary);
      later(5);
      expect((await canaryAdvance(options)).outcome).toBe("advanced");
    }
    await f.store.tag(`${NAME}@${f.v2.digest}`, "production", { expect: f.v1.digest });
    healthy(1200, 800);
    later(5);
    expect(valid(await canaryAdvance(options))).toMatchObject({ outcome: "completed", exitCode: 0 });
    expect(router.percent).toBe(0);
  });

  it("a metric whose numbers the rule cannot take is no data, and the timeout still rolls back", async () => {
    const { router, sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(1000, 200);
    sources.readings.set("error_rate", reading(proportion(9, 900), { kind: "mean", n: 200, mean: 0.1, variance: 0.01 }));
    later(5);
    const held = valid(await canaryAdvance(options));
    expect(held.outcome).toBe("held");
    expect(held.reasons.join()).toMatch(/no data for error_rate \(.*proportion.*mean/);
    later(200);
    expect(valid(await canaryAdvance(options)).outcome).toBe("rolled-back");
    expect(router.percent).toBe(0);
  });

  it("judges each step on its own data: the sources are asked from the step's start", async () => {
    const { sources, options, later, healthy } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    healthy(1000, 200);
    later(5);
    await canaryAdvance(options);
    const advancedAt = new Date("2026-12-01T10:05:00Z").getTime();
    healthy(1100, 300);
    later(5);
    await canaryAdvance(options);
    expect(sources.contexts.at(-1)?.since.getTime()).toBe(advancedAt);
  });

  it("rollback (the command) refuses while a rollout is in progress", async () => {
    const { options } = await ready();
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    const { rollback } = await import("../../src/rollback.ts");
    await expect(rollback({ ...options, to: `${NAME}:v3`, force: true })).rejects.toThrow(
      /a canary rollout of acme\/sentiment v2 is in progress in production \(10% of traffic\).*before rolling back/,
    );
  });

  it("a new candidate waits for the rollout in progress (start-or-advance with another ref: conflict)", async () => {
    const { f, options } = await ready();
    await recordRun(f.store, f.v3, { suite: "sentiment", passed: true, ref: "refs/heads/main" });
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    const other = valid(await canaryStartOrAdvance({ ...options, ref: `${NAME}:v3` }));
    expect(other).toMatchObject({ outcome: "conflict", exitCode: 1 });
    expect(other.message).toContain("can start once it has ended");
  });

  it("a base rate that drifts between steps is not taken for a worse candidate (each step on its own data)", async () => {
    const { f, router, sources, options, later } = await ready();
    await writeConfig(f.dir, CONFIG.replace("max: 0.05, guardrail: true", "noWorseThan: 0, direction: lower"));
    await canaryStart({ ...options, ref: `${NAME}:v2` });
    const startedAt = new Date("2026-12-01T10:00:00Z").getTime();
    // Both slots equal within each step; errors quadruple at the second step (an evening peak).
    const first = { stable: proportion(225, 45000), canary: proportion(25, 5000) };
    const second = { stable: proportion(400, 20000), canary: proportion(400, 20000) };
    sources.readings.set("error_rate", (context) => {
      const step = context.since.getTime() === startedAt ? first : second;
      return reading(step.stable, step.canary);
    });
    sources.readings.set("thumbs_up", (context) => {
      const n = context.since.getTime() === startedAt ? [45000, 5000] : [20000, 20000];
      return reading(proportion(Math.round(n[0]! * 0.9), n[0]!), proportion(Math.round(n[1]! * 0.9), n[1]!));
    });
    router.requests = { stable: 45000, canary: 5000 };
    later(5);
    expect((await canaryAdvance(options)).outcome).toBe("advanced");
    router.requests = { stable: 65000, canary: 25000 };
    later(5);
    expect(valid(await canaryAdvance(options)).outcome).toBe("advanced");
    // Pooled over both steps, the candidate's traffic came mostly at the peak: it would look worse.
    const pooled = judgeSequential(proportion(625, 65000), proportion(425, 25000), {
      direction: "lower",
      noWorseThan: 0,
      alpha: 0.05 / 6,
      optimizeAt: 200,
    });
    expect(pooled.status).toBe("fail");
  });
});

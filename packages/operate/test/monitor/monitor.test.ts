// llmops monitor end to end on a real OCI layout store and a real HTTP model endpoint on
// 127.0.0.1 (workspace.ts): the monitoring suite against the live endpoint, healthy or degraded,
// compared with the promotion's evidence; drift of a production sample like the reference, or
// drifted, against the reference dataset version.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, InputError, silentLogger, UsageError } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeMonitor, type MonitorOptions, monitor, monitorResultSchema, monitorSummaryMarkdown } from "../../src/monitor/index.ts";
import { DATASET, jsonl, MODEL, type MonitoredDeployment, monitoredDeployment, PROMOTION_ID, reviews } from "./workspace.ts";

let d: MonitoredDeployment;

beforeEach(async () => {
  d = await monitoredDeployment();
});

afterEach(async () => {
  await d.close();
});

function run(options: Partial<MonitorOptions> = {}) {
  return monitor({ store: d.store, cwd: d.workspace, env: {}, logger: silentLogger, environment: "production", ...options });
}

describe("llmops monitor", () => {
  it("finds nothing wrong with a healthy endpoint and a sample like the reference", async () => {
    const evidence = await d.promote();
    // A newer dataset version moves :latest; the monitoring run must stay on the evidence's one.
    await writeFile(join(d.workspace, "data", "eval.jsonl"), jsonl([{ id: "new", vars: { text: "x" }, expected: "positive" }]));
    await d.store.version({ path: "data", name: DATASET, kind: "dataset", aliases: ["latest"] });
    await d.writeSample(reviews(400, 23));

    const result = await run();
    expect(() => monitorResultSchema.parse(result)).not.toThrow();
    expect(result.exitCode).toBe(0);
    const env = result.environments[0]!;
    expect(env).toMatchObject({ environment: "production", artifact: MODEL, alias: "production", url: d.url });
    const outcome = env.monitors[0]!;
    expect(outcome.key).toBe("sentiment");
    expect(outcome.quality).toMatchObject({ verdict: "ok", matched: 120, added: 0, removed: 0, regressions: [], failedGates: [] });
    expect(outcome.quality?.baseline).toMatchObject({ evidence, source: "promotion", promotion: PROMOTION_ID });
    expect(outcome.quality?.baseline?.dataset?.ref).toBe(`${DATASET}:latest`);
    expect(d.calls).toBe(120);
    expect(outcome.drift?.verdict).toBe("ok");
    expect(outcome.drift?.features.map((f) => [f.field, f.verdict])).toEqual([
      ["text", "ok"],
      ["channel", "ok"],
      ["rating", "ok"],
    ]);
    expect(outcome.drift?.reference).toMatchObject({ records: 120, digest: expect.stringMatching(/^sha256:/) });
    // No issue tracker: nothing to resolve, nothing skipped.
    expect(outcome.alert).toEqual({ status: "ok", reasons: [], notifications: [] });
    expect(describeMonitor(result)).toContain("production: serving acme/sentiment v1\n  sentiment: ok\n");
  });

  it("alerts on a significant quality regression of the live endpoint", async () => {
    await d.promote();
    await d.writeSample(reviews(400, 23));
    d.mode = "degraded";
    const result = await run();
    expect(result.exitCode).toBe(1);
    expect(result.alerting).toBe(true);
    const outcome = result.environments[0]!.monitors[0]!;
    expect(outcome.quality?.verdict).toBe("regression");
    expect(outcome.quality?.regressions).toEqual(expect.arrayContaining(["correct", "pass_rate"]));
    // Paired on the same 120 cases: McNemar for the pass rate, the paired bootstrap for the scorer's mean.
    const passRate = outcome.quality!.metrics.find((m) => m.name === "pass_rate")!;
    expect(passRate).toMatchObject({ test: "mcnemar-exact", n: 120, verdict: "significant regression", watched: true, baseline: 1 });
    expect(passRate.head).toBeLessThan(0.7);
    expect(outcome.quality!.metrics.find((m) => m.name === "correct")).toMatchObject({
      test: "paired-bootstrap",
      verdict: "significant regression",
    });
    expect(outcome.quality!.metrics.find((m) => m.name === "latency_ms")?.watched).toBe(false);
    expect(outcome.alert.status).toBe("alerting");
    expect(outcome.alert.reasons.join("\n")).toMatch(/quality: correct .* significant regression/);
    // The alert issue has no tracker here: said, not silently dropped.
    expect(outcome.alert.notifications).toEqual([{ channel: "issue", action: "skipped", error: expect.any(String) }]);
    expect(monitorSummaryMarkdown(result)).toContain("| pass\\_rate | 1 | 0.5083 | -0.4917 | 1.4e-17 | significant regression |");
  });

  it("alerts on drifted production inputs: text length, vocabulary, language mix, a new channel, ratings", async () => {
    await d.promote();
    await d.writeSample(reviews(400, 29, true));
    const result = await run();
    expect(result.exitCode).toBe(1);
    const drift = result.environments[0]!.monitors[0]!.drift!;
    expect(drift.verdict).toBe("drift");
    const [text, channel, rating] = drift.features;
    expect(text?.verdict).toBe("drift");
    expect(text?.tests.filter((t) => t.exceeded).map((t) => `${t.test}:${t.of}`)).toEqual(
      expect.arrayContaining(["psi:length", "ks:length", "oov:vocabulary", "chi-square:language", "psi:language"]),
    );
    expect(text?.shares?.find((s) => s.value === "de")?.sample).toBeGreaterThan(0.3);
    expect(channel).toMatchObject({ verdict: "drift" });
    expect(channel?.shares?.[0]).toMatchObject({ value: "voice", reference: 0 });
    expect(rating).toMatchObject({ verdict: "drift" });
    expect(result.environments[0]!.monitors[0]!.quality?.verdict).toBe("ok");
    expect(result.environments[0]!.monitors[0]!.alert.reasons.filter((r) => r.startsWith("drift in "))).toHaveLength(5);
  });

  it("takes the sample from a dataset version with --sample, and runs drift-only monitors without a serving version", async () => {
    await d.promote();
    await rm(join(d.workspace, "data"), { recursive: true });
    await mkdir(join(d.workspace, "data"));
    await writeFile(join(d.workspace, "data", "traffic.jsonl"), jsonl(reviews(300, 31, true)));
    const traffic = (await d.store.version({ path: "data", name: "acme/traffic", kind: "dataset" })).ref;
    const result = await run({ environment: "staging", sample: traffic });
    const outcome = result.environments[0]!.monitors[0]!;
    expect(result.environments[0]!.serving).toBeNull();
    expect(outcome.key).toBe("drift");
    expect(outcome.quality).toBeUndefined();
    expect(outcome.drift?.sample.source).toMatch(/^acme\/traffic@sha256:[0-9a-f]{12}…\/traffic\.jsonl$/);
    expect(outcome.drift?.verdict).toBe("drift");
    expect(result.exitCode).toBe(1);
  });

  it("is inconclusive, not ok, when nothing serves the environment yet", async () => {
    const rows = reviews(60, 11).map(({ id, expected, ...vars }) => ({ id, vars, expected }));
    await writeFile(join(d.workspace, "data", "eval.jsonl"), jsonl(rows));
    await d.store.version({ path: "data", name: DATASET, kind: "dataset", aliases: ["latest"] });
    await d.writeSample(reviews(200, 23));
    const result = await run();
    const outcome = result.environments[0]!.monitors[0]!;
    expect(outcome.quality).toMatchObject({ verdict: "skipped", reason: "nothing serves production" });
    expect(outcome.alert.status).toBe("inconclusive");
    expect(result.exitCode).toBe(0);
  });

  it("changes no alert when the run is stopped half-way", async () => {
    await d.promote();
    await d.writeSample(reviews(200, 29, true));
    const controller = new AbortController();
    controller.abort(new Error("interrupted by SIGTERM"));
    const result = await run({ signal: controller.signal });
    expect(result.environments[0]!.monitors[0]!.alert).toEqual({
      status: "inconclusive",
      reasons: ["the monitoring run was interrupted"],
      notifications: [],
    });
    expect(result.exitCode).toBe(0);
  });

  it("names bad input in one line: an unknown environment, a missing sample, a monitor suite that does not exist", async () => {
    await expect(run({ environment: "prod" })).rejects.toThrow(
      new UsageError('unknown environment "prod"; llmops.yaml has production, staging'),
    );
    await d.promote();
    await expect(run()).rejects.toThrow(new InputError("sample samples/today.jsonl: does not exist"));
    await expect(run({ sample: "nope.jsonl" })).rejects.toThrow(/sample nope\.jsonl: is neither a file nor a dataset ref/);
    const yaml = await readFile(join(d.workspace, "llmops.yaml"), "utf8");
    await writeFile(join(d.workspace, "llmops.yaml"), yaml.replace("      suite: sentiment\n", "      suite: sentimen\n"));
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(
      /llmops\.yaml:\d+:\d+: environments\.production\.monitor\.suite: expected a suite of this file; "sentimen" is not one/,
    );
  });

  it("refuses {{env.url}} with no such variable at config time, hinting {{environment.url}}, as the smoke eval does", async () => {
    await d.promote();
    await d.writeSample(reviews(200, 23));
    const yaml = await readFile(join(d.workspace, "llmops.yaml"), "utf8");
    const slipped = 'body: { text: "{{prompt}}" }, headers: { x-upstream: "{{env.url}}" }, responsePath: label }';
    const edited = yaml.replace(/(provider: \{ type: http, url: "\{\{environment\.url\}\}\/v1\/predict", )body: .*\}\n/, `$1${slipped}\n`);
    expect(edited).toContain("{{env.url}}");
    await writeFile(join(d.workspace, "llmops.yaml"), edited);
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    // At the provider's own line.
    expect((error as ConfigError).location?.line).toBe(edited.split("\n").findIndex((l) => l.includes("{{env.url}}")) + 1);
    expect((error as ConfigError).message).toMatch(
      /llmops\.yaml:\d+:\d+: environments\.production\.monitor\.provider: \{\{env\.url\}\} is the process environment variable url, which is not set; for the environment's url write \{\{environment\.url\}\}$/,
    );
    expect(d.calls).toBe(0);
    // Set, it is the user's own variable: the monitor runs.
    const result = await run({ env: { url: "https://upstream.example.com" } });
    expect(result.environments[0]!.monitors[0]!.quality?.verdict).toBe("ok");
  });
});

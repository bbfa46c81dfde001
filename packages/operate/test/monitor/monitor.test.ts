// llmops monitor end to end on a real OCI layout store and a real HTTP model endpoint on
// 127.0.0.1: the promoted version's evidence recorded by an eval run, a promotion record naming it,
// the monitoring suite run against the live endpoint (healthy or degraded), and drift of a
// production sample (like the reference, or drifted) against the reference dataset version.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, canonicalJson, InputError, PROMOTION_ARTIFACT_TYPE, silentLogger, UsageError } from "@llmops/core";
import { evaluate } from "@llmops/eval";
import { openStore, type Store } from "@llmops/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MonitorOptions, monitor, monitorResultSchema } from "../../src/monitor/index.ts";

const MODEL = "acme/sentiment";
const DATASET = "acme/reviews";

let workspace: string;
let store: Store;
let endpoint: Server;
let url: string;
/** healthy: the right label; degraded: always "negative", as a model that lost its positive class. */
let mode: "healthy" | "degraded" = "healthy";
let calls = 0;

/** A deterministic stream of numbers in [0, 1) (Park–Miller), so every run sees the same data. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

const POSITIVE = ["love", "great", "works well", "happy with it", "excellent value"];
const NEGATIVE = ["broke", "terrible", "stopped working", "disappointed", "waste of money"];
const FILLER = ["the battery", "this phone", "the screen", "shipping", "the price", "customer support", "the case"];
const GERMAN = ["der Akku ist leider schnell leer und das Display ist zu dunkel", "ich bin mit dem Kauf nicht zufrieden, es war sehr teuer"];

interface Row {
  id: string;
  text: string;
  channel: string;
  rating: number;
  expected?: string;
}

/** Reviews like the reference's, or drifted: longer, partly German, a new channel, other ratings. */
function reviews(n: number, seed: number, drifted = false): Row[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const positive = next() < 0.5;
    let text = `${pick(FILLER)} ${positive ? pick(POSITIVE) : pick(NEGATIVE)}`;
    if (drifted) text = next() < 0.4 ? pick(GERMAN) : `${text} and ${pick(FILLER)} ${pick(FILLER)} ${positive ? pick(POSITIVE) : pick(NEGATIVE)}`;
    const channel = drifted && next() < 0.5 ? "voice" : next() < 0.7 ? "web" : "mobile";
    const rating = drifted ? 1 + Math.floor(next() * 2) : 1 + Math.floor(next() * 5);
    return { id: `r${seed}-${i}`, text, channel, rating, expected: positive ? "positive" : "negative" };
  });
}

const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), "llmops-monitor-"));
  store = openStore(join(workspace, "store"), { logger: silentLogger, cwd: workspace, env: {} });
  mode = "healthy";
  calls = 0;
  endpoint = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      calls++;
      const text = (JSON.parse(body) as { text: string }).text;
      const positive = POSITIVE.some((w) => text.includes(w));
      const label = mode === "degraded" ? "negative" : positive ? "positive" : "negative";
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ label }));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
  await mkdir(join(workspace, "model"));
  await mkdir(join(workspace, "data"));
  await mkdir(join(workspace, "samples"));
  await writeFile(
    join(workspace, "llmops.yaml"),
    `store: ./store
artifacts:
  ${MODEL}: { kind: model, path: model }
  ${DATASET}: { kind: dataset, path: data }
suites:
  - name: sentiment
    provider: { type: http, url: "${url}/v1/predict", body: { text: "{{prompt}}" }, responsePath: label }
    prompt: "{{text}}"
    casesFrom: { dataset: "${DATASET}:latest", file: eval.jsonl }
    scorers: [{ name: correct, type: equals }]
    retries: 0
environments:
  production:
    url: ${url}
    monitor:
      suite: sentiment
      provider: { type: http, url: "{{environment.url}}/v1/predict", body: { text: "{{prompt}}" }, responsePath: label }
      sample: samples/today.jsonl
      reference: { dataset: "${DATASET}:v1", file: eval.jsonl }
      features:
        - { field: text, type: text }
        - { field: channel, type: categorical }
        - { field: rating, type: numeric, bins: 5 }
      alert: { issue: { labels: [llmops, monitor] } }
  staging:
    url: ${url}
    monitor:
      features: [{ field: text, type: text }]
      sample: samples/today.jsonl
      reference: { dataset: "${DATASET}:v1" }
`,
  );
});

afterEach(async () => {
  endpoint.close();
  await rm(workspace, { recursive: true, force: true });
});

/** Dataset v1 (the eval set and the drift reference), a model version evaluated on it, promoted to production. */
async function promotedVersion(): Promise<string> {
  const rows = reviews(120, 11);
  await writeFile(
    join(workspace, "data", "eval.jsonl"),
    jsonl(rows.map(({ id, expected, ...vars }) => ({ id, vars, expected }))),
  );
  await store.version({ path: "data", name: DATASET, kind: "dataset", aliases: ["latest"] });
  await writeFile(join(workspace, "model", "weights.bin"), "weights v1");
  const model = await store.resolve((await store.version({ path: "model", name: MODEL, kind: "model" })).ref);
  // The evidence a promotion requires: an eval run recorded on the exact digest.
  const run = await evaluate({
    cwd: workspace,
    env: {},
    logger: silentLogger,
    suites: ["sentiment"],
    model: `${MODEL}@${model.digest}`,
    record: true,
    openStore: () => store,
    out: join(workspace, ".llmops", "results"),
    cache: false,
  });
  const evidence = run.suites[0]!.evidenceDigest!;
  await store.tag(`${MODEL}@${model.digest}`, "production");
  // The record promote writes (its schema lives in @llmops/promote; these are its fields).
  const at = new Date().toISOString();
  const record = {
    schemaVersion: 1,
    event: "promoted",
    id: "8d7c2a4e-0000-4000-8000-000000000001",
    environment: "production",
    name: MODEL,
    alias: "production",
    from: null,
    to: model.digest,
    evidence: [{ suite: "sentiment", digest: evidence, passed: true, finishedAt: at }],
    approvers: [],
    git: {},
    at,
    targets: [],
  };
  await store.attachEvidence(model, {
    artifactType: PROMOTION_ARTIFACT_TYPE,
    files: [{ title: "promotion.json", mediaType: "application/json", data: new TextEncoder().encode(canonicalJson(record)) }],
    annotations: {
      "org.opencontainers.image.created": at,
      "dev.llmops.environment": "production",
      "dev.llmops.event": "promoted",
      "dev.llmops.promotion": record.id,
    },
  });
  return evidence;
}

async function writeSample(rows: Row[]): Promise<void> {
  await writeFile(join(workspace, "samples", "today.jsonl"), jsonl(rows.map(({ expected: _, ...r }) => r)));
}

function run(options: Partial<MonitorOptions> = {}) {
  return monitor({ store, cwd: workspace, env: {}, logger: silentLogger, environment: "production", ...options });
}

describe("llmops monitor", () => {
  it("finds nothing wrong with a healthy endpoint and a sample like the reference", async () => {
    const evidence = await promotedVersion();
    // A newer dataset version moves :latest; the monitoring run must stay on the evidence's one.
    await writeFile(join(workspace, "data", "eval.jsonl"), jsonl([{ id: "new", vars: { text: "x" }, expected: "positive" }]));
    await store.version({ path: "data", name: DATASET, kind: "dataset", aliases: ["latest"] });
    await writeSample(reviews(400, 23));
    calls = 0;

    const result = await run();
    expect(() => monitorResultSchema.parse(result)).not.toThrow();
    expect(result.exitCode).toBe(0);
    const env = result.environments[0]!;
    expect(env).toMatchObject({ environment: "production", artifact: MODEL, alias: "production", url });
    const outcome = env.monitors[0]!;
    expect(outcome.key).toBe("sentiment");
    expect(outcome.quality).toMatchObject({ verdict: "ok", matched: 120, added: 0, removed: 0, regressions: [], failedGates: [] });
    expect(outcome.quality?.baseline).toMatchObject({ evidence, source: "promotion", promotion: "8d7c2a4e-0000-4000-8000-000000000001" });
    expect(outcome.quality?.baseline?.dataset?.ref).toBe(`${DATASET}:latest`);
    expect(calls).toBe(120);
    expect(outcome.drift?.verdict).toBe("ok");
    expect(outcome.drift?.features.map((f) => [f.field, f.verdict])).toEqual([
      ["text", "ok"],
      ["channel", "ok"],
      ["rating", "ok"],
    ]);
    expect(outcome.drift?.reference).toMatchObject({ records: 120, digest: expect.stringMatching(/^sha256:/) });
    // No issue tracker: nothing to resolve, nothing skipped.
    expect(outcome.alert).toEqual({ status: "ok", reasons: [], notifications: [] });
  });

  it("alerts on a significant quality regression of the live endpoint", async () => {
    await promotedVersion();
    await writeSample(reviews(400, 23));
    mode = "degraded";
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
    expect(outcome.quality!.metrics.find((m) => m.name === "correct")).toMatchObject({ test: "paired-bootstrap", verdict: "significant regression" });
    expect(outcome.quality!.metrics.find((m) => m.name === "latency_ms")?.watched).toBe(false);
    expect(outcome.alert.status).toBe("alerting");
    expect(outcome.alert.reasons.join("\n")).toMatch(/quality: correct .* significant regression/);
    // The alert issue has no tracker here: said, not silently dropped.
    expect(outcome.alert.notifications).toEqual([{ channel: "issue", action: "skipped", error: expect.any(String) }]);
  });

  it("alerts on drifted production inputs: text length, vocabulary, language mix, a new channel, ratings", async () => {
    await promotedVersion();
    await writeSample(reviews(400, 29, true));
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
  });

  it("takes the sample from a dataset version with --sample, and runs drift-only monitors without a serving version", async () => {
    await promotedVersion();
    await rm(join(workspace, "data"), { recursive: true });
    await mkdir(join(workspace, "data"));
    await writeFile(join(workspace, "data", "traffic.jsonl"), jsonl(reviews(300, 31, true)));
    const traffic = (await store.version({ path: "data", name: "acme/traffic", kind: "dataset" })).ref;
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
    await writeFile(join(workspace, "data", "eval.jsonl"), jsonl(reviews(60, 11).map(({ id, expected, ...vars }) => ({ id, vars, expected }))));
    await store.version({ path: "data", name: DATASET, kind: "dataset", aliases: ["latest"] });
    await writeSample(reviews(200, 23));
    const result = await run();
    const outcome = result.environments[0]!.monitors[0]!;
    expect(outcome.quality).toMatchObject({ verdict: "skipped", reason: "nothing serves production" });
    expect(outcome.alert.status).toBe("inconclusive");
    expect(result.exitCode).toBe(0);
  });

  it("names bad input in one line: an unknown environment, a missing sample, a monitor suite that does not exist", async () => {
    await expect(run({ environment: "prod" })).rejects.toThrow(new UsageError('unknown environment "prod"; llmops.yaml has production, staging'));
    await promotedVersion();
    await expect(run()).rejects.toThrow(new InputError("sample samples/today.jsonl: does not exist"));
    await expect(run({ sample: "nope.jsonl" })).rejects.toThrow(/sample nope\.jsonl: is neither a file nor a dataset ref/);
    const { readFile } = await import("node:fs/promises");
    const yaml = await readFile(join(workspace, "llmops.yaml"), "utf8");
    await writeFile(join(workspace, "llmops.yaml"), yaml.replace("      suite: sentiment\n", "      suite: sentimen\n"));
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/llmops\.yaml:\d+:\d+: environments\.production\.monitor\.suite: expected a suite of this file; "sentimen" is not one/);
  });
});

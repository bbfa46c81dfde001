// A monitored deployment for the monitor's end-to-end tests (this package's and actions/monitor's):
// a real OCI layout store, a real HTTP model endpoint on 127.0.0.1 that answers right or, degraded,
// wrong, a dataset version of reviews (the eval set and the drift reference), a model version with
// an eval run recorded on it and a promotion record naming that run, and production samples like
// the reference or drifted.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ANNOTATION_CREATED,
  ANNOTATION_ENVIRONMENT,
  ANNOTATION_EVENT,
  ANNOTATION_PROMOTION,
  canonicalJson,
  PROMOTION_ARTIFACT_TYPE,
  PROMOTION_FILE,
  type PromotionRecordInput,
  promotionRecordSchema,
  silentLogger,
} from "@llmops/core";
import { evaluate } from "@llmops/eval";
import { openStore, type Store } from "@llmops/store";

export const MODEL = "acme/sentiment";
export const DATASET = "acme/reviews";
export const PROMOTION_ID = "8d7c2a4e-0000-4000-8000-000000000001";

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
const GERMAN = [
  "der Akku ist leider schnell leer und das Display ist zu dunkel",
  "ich bin mit dem Kauf nicht zufrieden, es war sehr teuer",
];

export interface Review {
  id: string;
  text: string;
  channel: string;
  rating: number;
  expected: string;
}

/** Reviews like the reference's, or drifted: longer, partly German, a new channel, lower ratings. */
export function reviews(n: number, seed: number, drifted = false): Review[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const positive = next() < 0.5;
    let text = `${pick(FILLER)} ${positive ? pick(POSITIVE) : pick(NEGATIVE)}`;
    if (drifted)
      text = next() < 0.4 ? pick(GERMAN) : `${text} and ${pick(FILLER)} ${pick(FILLER)} ${positive ? pick(POSITIVE) : pick(NEGATIVE)}`;
    const channel = drifted && next() < 0.5 ? "voice" : next() < 0.7 ? "web" : "mobile";
    const rating = drifted ? 1 + Math.floor(next() * 2) : 1 + Math.floor(next() * 5);
    return { id: `r${seed}-${i}`, text, channel, rating, expected: positive ? "positive" : "negative" };
  });
}

export const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;

export interface MonitoredDeployment {
  workspace: string;
  store: Store;
  /** The endpoint's base URL (the environment's `url`). */
  url: string;
  /** healthy: the right label; degraded: always "negative", as a model that lost its positive class. */
  mode: "healthy" | "degraded";
  /** Requests the endpoint answered. */
  calls: number;
  /** Dataset v1, a model version evaluated on it (evidence recorded) and promoted to production; returns the evidence digest. */
  promote(): Promise<string>;
  /** Writes `samples/today.jsonl` (production inputs: no labels). */
  writeSample(rows: Review[]): Promise<void>;
  close(): Promise<void>;
}

/** The llmops.yaml of the deployment: `production` watches suite `sentiment` and three features; `staging` only drift. */
export function monitorConfig(url: string): string {
  return `store: ./store
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
`;
}

export async function monitoredDeployment(): Promise<MonitoredDeployment> {
  const workspace = await mkdtemp(join(tmpdir(), "llmops-monitor-"));
  const store = openStore(join(workspace, "store"), { logger: silentLogger, cwd: workspace, env: {} });
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      deployment.calls++;
      const text = (JSON.parse(body) as { text: string }).text;
      const positive = POSITIVE.some((w) => text.includes(w));
      const label = deployment.mode === "degraded" ? "negative" : positive ? "positive" : "negative";
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ label }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const dir of ["model", "data", "samples"]) await mkdir(join(workspace, dir));
  await writeFile(join(workspace, "llmops.yaml"), monitorConfig(url));

  const deployment: MonitoredDeployment = {
    workspace,
    store,
    url,
    mode: "healthy",
    calls: 0,
    async promote() {
      const rows = reviews(120, 11);
      await writeFile(join(workspace, "data", "eval.jsonl"), jsonl(rows.map(({ id, expected, ...vars }) => ({ id, vars, expected }))));
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
      // The record promote writes, parsed with the contract promote writes it by (@llmops/core's):
      // a field the contract changes fails here, not silently in the monitor's reader.
      const at = new Date().toISOString();
      const record = promotionRecordSchema.parse({
        schemaVersion: 1,
        event: "promoted",
        id: PROMOTION_ID,
        environment: "production",
        name: MODEL,
        alias: "production",
        from: null,
        to: model.digest,
        evidence: [{ suite: "sentiment", digest: evidence, passed: true, finishedAt: at }],
        at,
      } satisfies PromotionRecordInput);
      await store.attachEvidence(model, {
        artifactType: PROMOTION_ARTIFACT_TYPE,
        files: [{ title: PROMOTION_FILE, mediaType: "application/json", data: new TextEncoder().encode(canonicalJson(record)) }],
        annotations: {
          [ANNOTATION_CREATED]: at,
          [ANNOTATION_ENVIRONMENT]: record.environment,
          [ANNOTATION_EVENT]: record.event,
          [ANNOTATION_PROMOTION]: record.id,
        },
      });
      deployment.calls = 0;
      return evidence;
    },
    async writeSample(rows) {
      await writeFile(join(workspace, "samples", "today.jsonl"), jsonl(rows.map(({ expected: _, ...r }) => r)));
    },
    async close() {
      server.close();
      await rm(workspace, { recursive: true, force: true });
    },
  };
  return deployment;
}

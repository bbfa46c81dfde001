// A canary rollout end to end on real components: HAProxy (Debian's haproxy) in front of two of the
// demo's model servers, its runtime API over a unix socket as the router, its built-in Prometheus
// exporter scraped by a real Prometheus whose counters the analysis reads, and a bounded load
// generator for live traffic. `llmops canary` runs through the CLI against a layout store.
// A good candidate climbs 10 → 50 → 100% (the observed split checked at each step) and is promoted;
// a candidate that answers errors is rolled back by the first analysis after its errors show.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "@llmops/cli";
import { wilsonInterval } from "@llmops/eval";
import { startHaproxy, type TestHaproxy } from "@llmops/test/haproxy";
import { generateLoad, type LoadResult } from "@llmops/test/load-generator";
import { queryPrometheus, startPrometheus, type TestPrometheus } from "@llmops/test/prometheus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { train } from "../../examples/demo/model/naive-bayes.ts";
import { startModelServer } from "../../examples/demo/serve.ts";

let ws: string;
let haproxy: TestHaproxy;
let prometheus: TestPrometheus;
const servers: { close(): void }[] = [];

const TEXTS = ["I love it", "terrible, broke in a day", "great value", "would not buy again"];

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), "llmops-canary-e2e-"));
  await mkdir(join(ws, "serving", "blue", "sentiment"), { recursive: true });
  await mkdir(join(ws, "serving", "green", "sentiment"), { recursive: true });
  const blue = await startModelServer({ repository: join(ws, "serving", "blue"), model: "sentiment", name: "blue" });
  const green = await startModelServer({ repository: join(ws, "serving", "green"), model: "sentiment", name: "green" });
  servers.push(blue, green);
  haproxy = await startHaproxy({
    servers: [
      { name: "blue", address: new URL(blue.url).host, weight: 100 },
      { name: "green", address: new URL(green.url).host, weight: 0 },
    ],
  });
  prometheus = await startPrometheus({ scrapeTargets: [haproxy.metricsTarget], scrapeIntervalMs: 500 });

  const model = train(
    [
      { text: "I love it, great", label: "positive" },
      { text: "terrible, broke, would not buy", label: "negative" },
    ],
    { ngrams: 1, alpha: 1 },
  );
  for (const [dir, signature] of [
    ["v1", true],
    ["v2", true],
    ["v3", false], // no serving.json: the server answers 500 for it, as the demo's broken packaging does
  ] as const) {
    await mkdir(join(ws, "models", dir), { recursive: true });
    await writeFile(join(ws, "models", dir, "model.json"), JSON.stringify({ ...model, alpha: dir === "v2" ? 0.5 : 1 }));
    if (signature) await writeFile(join(ws, "models", dir, "serving.json"), '{"input":"text"}');
    await writeFile(join(ws, "models", dir, "notes.txt"), dir);
  }
  const counter = (code: string) =>
    `sum(haproxy_server_http_responses_total{proxy="model",server="{{variant}}"${code ? `,code="${code}"` : ""}})`;
  await writeFile(
    join(ws, "llmops.yaml"),
    `store: store
artifacts:
  sentiment: { kind: model, path: models/v1 }
environments:
  production:
    targets: [{ type: model-repository, root: serving/blue, model: sentiment }]
    strategy:
      canary:
        steps: [10, 50, 100]
        minRequests: 150
        maxDuration: 30m
        router: { type: haproxy, socket: ${haproxy.socket}, backend: model, stable: blue, canary: green }
        prometheus: ${prometheus.url}
        metrics:
          - name: error_rate
            prometheus: { events: '${counter("5xx")}', total: '${counter("")}' }
            max: 0.02
            guardrail: true
        targets: [{ type: model-repository, root: serving/green, model: sentiment }]
`,
  );
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([haproxy?.stop(), prometheus?.stop()]);
  for (const server of servers) server.close();
  if (ws) await rm(ws, { recursive: true, force: true });
});

async function llmops(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = await main(args, { stdout, stderr, cwd: ws, env: { LLMOPS_CACHE_DIR: join(ws, ".cache") } });
  return { code, stdout: out, stderr: err, json: () => JSON.parse(out) as Record<string, unknown> };
}

let sent = { blue: 0, green: 0 };

/** Live traffic through HAProxy; waits until Prometheus has scraped all of it, so an analysis sees it. */
async function traffic(requests: number): Promise<LoadResult> {
  let i = 0;
  const load = await generateLoad({
    url: `${haproxy.url}/v1/predict`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: TEXTS[i++ % TEXTS.length] }),
    requests,
    concurrency: 8,
  });
  sent = { blue: sent.blue + (load.byBackend.blue?.total ?? 0), green: sent.green + (load.byBackend.green?.total ?? 0) };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen = await queryPrometheus(prometheus.url, 'sum by (server) (haproxy_server_http_responses_total{proxy="model"})');
    const count = (server: string) => Number(seen.find((s) => s.labels.server === server)?.value ?? 0);
    if (count("blue") >= sent.blue && count("green") >= sent.green) break;
    if (Date.now() > deadline) throw new Error(`Prometheus did not catch up: ${JSON.stringify(seen)} vs ${JSON.stringify(sent)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return load;
}

/** The share of requests the canary slot answered is what its weight says, within a 99.9% Wilson interval. */
function expectSplit(load: LoadResult, percent: number): void {
  const green = load.byBackend.green?.total ?? 0;
  const total = load.sent;
  const { low, high } = wilsonInterval(green, total, 0.999);
  expect(load.byBackend.unknown?.total ?? 0, JSON.stringify(load.byBackend)).toBe(0);
  expect(low, `${green}/${total} to green at ${percent}%`).toBeLessThanOrEqual(percent / 100);
  expect(high, `${green}/${total} to green at ${percent}%`).toBeGreaterThanOrEqual(percent / 100);
}

async function advance(expected: string) {
  const result = await llmops(["canary", "advance", "production", "--json"]);
  expect(result.json().outcome, `${result.stdout}\n${result.stderr}`).toBe(expected);
  return result;
}

describe("canary rollout through HAProxy, judged on Prometheus' counters", () => {
  it("a good candidate climbs every step and is promoted; a candidate answering errors is rolled back at the next analysis", async () => {
    for (const v of ["v1", "v2", "v3"]) {
      const made = await llmops(["version", `models/${v}`, "--name", "sentiment", "--kind", "model", "--json"]);
      expect(made.code, made.stderr).toBe(0);
    }
    const first = await llmops(["promote", "sentiment:v1", "--to", "production", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expectSplit(await traffic(200), 0);

    const started = await llmops(["canary", "start", "production", "sentiment:v2", "--json"]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.json()).toMatchObject({ outcome: "started", percent: 10 });
    expect(started.json().router).toBe("haproxy model: blue 90 / green 10");

    expectSplit(await traffic(400), 10);
    const held = await advance("held");
    expect((held.json().reasons as string[]).join()).toMatch(/too few requests this step: canary \d+\/150/);
    expectSplit(await traffic(1600), 10);
    const to50 = await advance("advanced");
    expect(to50.json()).toMatchObject({ percent: 50, step: 1 });
    const metric = (to50.json().metrics as { name: string; judgement: { status: string; treatment: { n: number } } }[])[0];
    expect(metric?.name).toBe("error_rate");
    expect(metric?.judgement.treatment.n).toBe(sent.green);

    expectSplit(await traffic(400), 50);
    expect((await advance("advanced")).json()).toMatchObject({ percent: 100, step: 2 });
    expectSplit(await traffic(300), 100);
    const done = await advance("completed");
    expect(done.code).toBe(0);
    expect(done.json()).toMatchObject({ percent: 0, decision: "complete" });
    // The stable slot now serves v2: all traffic back to it.
    expectSplit(await traffic(100), 0);
    const status = await llmops(["status", "production", "--json"]);
    const production = (status.json().environments as { version: string; rollout: { state: { decision: string } } }[])[0];
    expect(production).toMatchObject({ version: "v2", rollout: { state: { decision: "complete" } } });

    // v3 answers 500 for every request (its packaging lost serving.json).
    const bad = await llmops(["canary", "start", "production", "sentiment:v3", "--json"]);
    expect(bad.json().outcome, bad.stderr).toBe("started");
    const load = await traffic(400);
    expect(load.byBackend.green?.byStatus["500"] ?? 0).toBeGreaterThan(20);
    const rolled = await advance("rolled-back");
    expect(rolled.code).toBe(1);
    expect((rolled.json().reasons as string[])[0]).toMatch(/^error_rate failed: /);
    expect(rolled.json().router).toBe("haproxy model: blue 100 / green 0");
    expectSplit(await traffic(200), 0);
    const after = await llmops(["status", "production"]);
    expect(after.stdout).toContain("ended (rollback)");
    expect(after.stdout).toMatch(/production\s+sentiment:production -> v2/);
  }, 120_000);
});

import { createServer } from "node:net";
import { type CanaryMetricConfig, canaryMetricSchema, type RecordingLogger, recordingLogger } from "@llmops/core";
import { startHaproxy, type TestHaproxy } from "@llmops/test/haproxy";
import { generateLoad, type LoadResult, type NamedServer, startNamedServer } from "@llmops/test/load-generator";
import { startPrometheus, type TestPrometheus, waitForQuery } from "@llmops/test/prometheus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MetricSourceContext, MetricSourceError } from "../../src/canary/metric-source.ts";
import { createPrometheusSource } from "../../src/canary/metrics/prometheus.ts";

/**
 * Real HAProxy in front of two servers, `green` (the candidate) failing a fifth of its requests
 * with 503, scraped by a real Prometheus through HAProxy's own exporter; the load generator's
 * counts are the truth the source's readings are checked against.
 */

const RESPONSES = 'haproxy_server_http_responses_total{proxy="model",server="{{variant}}"}';
const ERRORS = 'haproxy_server_http_responses_total{proxy="model",server="{{variant}}",code="5xx"}';

let blue: NamedServer;
let green: NamedServer;
let haproxy: TestHaproxy;
let prometheus: TestPrometheus;
/** The main load: sent after `since`, all of it scraped before `now`. */
let load: LoadResult;
let since: Date;
let now: Date;

/** Waits until Prometheus has scraped exactly `counts` responses per server. */
async function scraped(counts: Record<string, number>): Promise<void> {
  await waitForQuery(prometheus.url, 'sum by (server) (haproxy_server_http_responses_total{proxy="model"})', {
    until: (samples) => Object.entries(counts).every(([server, n]) => samples.find((s) => s.labels.server === server)?.value === n),
  });
}

beforeAll(async () => {
  blue = await startNamedServer({ name: "blue" });
  green = await startNamedServer({ name: "green", failureRate: 0.2 });
  haproxy = await startHaproxy({
    servers: [
      { name: "blue", address: blue.address, weight: 50 },
      { name: "green", address: green.address, weight: 50 },
    ],
  });
  prometheus = await startPrometheus({ scrapeTargets: [haproxy.metricsTarget], scrapeIntervalMs: 500 });
  // Traffic before the rollout "started": the source must not count it.
  await generateLoad({ url: haproxy.url, requests: 400, concurrency: 8 });
  await scraped({ blue: blue.counts().total, green: green.counts().total });
  since = new Date();
  // A scrape that started before `since` but read HAProxy after the next requests would put them
  // in the baseline: wait for a scrape stamped after `since` (a target's scrapes run one at a time).
  await waitForQuery(prometheus.url, 'timestamp(up{job="llmops-test"})', { until: (s) => (s[0]?.value ?? 0) > since.getTime() / 1000 });
  load = await generateLoad({ url: haproxy.url, requests: 2000, concurrency: 16 });
  await scraped({ blue: blue.counts().total, green: green.counts().total });
  now = new Date();
});

afterAll(async () => {
  // Each one even when another fails, so no process outlives the file.
  await Promise.allSettled([prometheus?.stop(), haproxy?.stop(), blue?.close(), green?.close()]);
});

function metric(prometheusSource: unknown): CanaryMetricConfig {
  return canaryMetricSchema.parse({ name: "errors", prometheus: prometheusSource, max: 0.05 });
}

function context(overrides: Partial<MetricSourceContext> = {}): MetricSourceContext & { logger: RecordingLogger } {
  return {
    since,
    now,
    variants: {
      stable: { name: "blue", digest: `sha256:${"a".repeat(64)}` },
      canary: { name: "green", digest: `sha256:${"b".repeat(64)}` },
    },
    prometheusUrl: prometheus.url,
    configDir: "/",
    ...overrides,
    logger: recordingLogger(),
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  return outcome;
}

const served = (server: string) => load.byBackend[server] ?? { total: 0, byStatus: {} };

describe("prometheus metric source against HAProxy's exporter", () => {
  it("counts each server's 5xx responses since the rollout started, exactly as the clients saw them", async () => {
    expect(served("green").byStatus["503"]).toBeGreaterThan(0);
    const reading = await createPrometheusSource(metric({ events: `sum(${ERRORS})`, total: `sum(${RESPONSES})` })).read(context());
    expect(reading.stable).toEqual({ kind: "proportion", n: served("blue").total, successes: 0 });
    expect(reading.canary).toEqual({ kind: "proportion", n: served("green").total, successes: served("green").byStatus["503"] });
    expect(reading.sources).toEqual([
      'sum(haproxy_server_http_responses_total{proxy="model",server="blue",code="5xx"})',
      'sum(haproxy_server_http_responses_total{proxy="model",server="blue"})',
      'sum(haproxy_server_http_responses_total{proxy="model",server="green",code="5xx"})',
      'sum(haproxy_server_http_responses_total{proxy="model",server="green"})',
    ]);
  });

  it("takes {{since}} as the rollout's age in seconds for range queries (increase() extrapolates: close, not exact)", async () => {
    const reading = await createPrometheusSource(
      metric({ events: `sum(increase(${ERRORS}[{{since}}]))`, total: `sum(increase(${RESPONSES}[{{since}}]))` }),
    ).read(context());
    const seconds = Math.ceil((now.getTime() - since.getTime()) / 1000);
    expect(reading.sources[0]).toBe(
      `sum(increase(haproxy_server_http_responses_total{proxy="model",server="blue",code="5xx"}[${seconds}s]))`,
    );
    expect(reading.stable).toMatchObject({ kind: "proportion", successes: 0 });
    const canary = reading.canary;
    if (canary?.kind !== "proportion") throw new Error(`expected a proportion, got ${JSON.stringify(canary)}`);
    expect(canary.n).toBeGreaterThan(0);
    expect(canary.successes).toBeLessThanOrEqual(canary.n);
    // green fails every fifth request, so any stretch of its traffic has a 5xx share of 0.2.
    expect(Math.abs(canary.successes / canary.n - 0.2)).toBeLessThan(0.02);
  });

  it("reads a string query as one value per variant at now", async () => {
    const ratio = `sum(increase(${ERRORS}[{{since}}])) / sum(increase(${RESPONSES}[{{since}}]))`;
    const reading = await createPrometheusSource(metric(ratio)).read(context());
    expect(reading.stable).toEqual({ kind: "value", value: 0 });
    expect(reading.canary?.kind).toBe("value");
    expect(Math.abs((reading.canary as { value: number }).value - 0.2)).toBeLessThan(0.02);
    const weights = await createPrometheusSource(metric('sum(haproxy_server_weight{proxy="model",server="{{variant}}"})')).read(context());
    expect([weights.stable, weights.canary]).toEqual([
      { kind: "value", value: 50 },
      { kind: "value", value: 50 },
    ]);
  });

  it("counts from the reset when a counter went down (a restarted server)", async () => {
    // A "counter" that is 1000 at since and 100 at now, evaluated by Prometheus itself.
    const cut = (since.getTime() / 1000 + 0.0005).toFixed(4);
    const reading = await createPrometheusSource(
      metric({ events: "vector(10)", total: `vector(1000 - 900 * (time() > bool ${cut}))` }),
    ).read(context());
    expect(reading.stable).toEqual({ kind: "proportion", n: 100, successes: 0 });
  });

  it("gives null where a query has no data, and for NaN", async () => {
    const empty = await createPrometheusSource(metric('sum(llmops_no_such_metric{server="{{variant}}"})')).read(context());
    expect([empty.stable, empty.canary]).toEqual([null, null]);
    const counts = await createPrometheusSource(
      metric({ events: `sum(${ERRORS})`, total: 'sum(llmops_no_such_metric{server="{{variant}}"})' }),
    ).read(context());
    expect([counts.stable, counts.canary]).toEqual([null, null]);
    const nan = await createPrometheusSource(metric(`0 * sum(${RESPONSES}) / 0`)).read(context());
    expect([nan.stable, nan.canary]).toEqual([null, null]);
  });
});

describe("prometheus metric source errors", () => {
  it("passes on Prometheus' own error for a bad query", async () => {
    const error = await rejection(createPrometheusSource(metric(`sum(rate(${RESPONSES}[`)).read(context()));
    expect(error).toBeInstanceOf(MetricSourceError);
    expect(error.message).toMatch(
      /^metric errors: Prometheus rejected sum\(rate\(haproxy_server_http_responses_total\{.*\}\[: bad_data: .*parse error/,
    );
  });

  it("says Prometheus is unreachable, naming where", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const error = await rejection(
      createPrometheusSource(metric(`sum(${RESPONSES})`)).read(context({ prometheusUrl: `http://127.0.0.1:${port}` })),
    );
    expect(error).toBeInstanceOf(MetricSourceError);
    expect(error.message).toBe(`metric errors: Prometheus at http://127.0.0.1:${port} is unreachable: ECONNREFUSED`);
  });

  it("refuses events that exceed total", async () => {
    const error = await rejection(createPrometheusSource(metric({ events: `sum(${RESPONSES})`, total: `sum(${ERRORS})` })).read(context()));
    expect(error).toBeInstanceOf(MetricSourceError);
    expect(error.message).toMatch(/^metric errors: blue: events \(\d+\) exceed total \(0\); expected events to count a subset of total$/);
  });

  it("asks for an aggregation when a query returns several series", async () => {
    const error = await rejection(createPrometheusSource(metric(RESPONSES)).read(context()));
    expect(error).toBeInstanceOf(MetricSourceError);
    expect(error.message).toMatch(/returned 6 series \(e\.g\. .*\); expected one: aggregate it, e\.g\. sum\(…\)$/);
  });

  it("refuses +Inf, which no threshold can judge", async () => {
    const error = await rejection(createPrometheusSource(metric(`(sum(${RESPONSES}) + 1) / 0`)).read(context()));
    expect(error).toBeInstanceOf(MetricSourceError);
    expect(error.message).toMatch(/is \+Inf; expected a finite number$/);
  });

  it("never puts a variant name that could break out of a label value into a query", async () => {
    const source = createPrometheusSource(metric(`sum(${RESPONSES})`));
    for (const name of ['green"} or vector(1) or {x="', "green\\", "green blue", ""]) {
      const variants = { stable: { name: "blue", digest: "sha256:a" }, canary: { name, digest: "sha256:b" } };
      const error = await rejection(source.read(context({ variants })));
      expect(error).toBeInstanceOf(MetricSourceError);
      expect(error.message).toMatch(/cannot go into a query; expected letters, digits, \. _ : -$/);
    }
  });

  it("refuses a template with anything but {{variant}} and {{since}}, and a missing base URL", async () => {
    // llmops.yaml refuses it (exit 2); a config built in code is still checked by the source.
    expect(() => metric('sum(x{model="{{model}}"})')).toThrow("{{model}} is not available in a PromQL query");
    const unchecked = { name: "errors", prometheus: 'sum(x{model="{{model}}"})', max: 0.05, guardrail: false } as CanaryMetricConfig;
    expect(() => createPrometheusSource(unchecked)).toThrow(
      "metric errors: prometheus query: {{model}} is not available; expected {{variant}} or {{since}}",
    );
    const error = await rejection(createPrometheusSource(metric(`sum(${RESPONSES})`)).read(context({ prometheusUrl: undefined })));
    expect(error.message).toBe("metric errors: no Prometheus URL; expected strategy.canary.prometheus: <base URL>");
  });
});

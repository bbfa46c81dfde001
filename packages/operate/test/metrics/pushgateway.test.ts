// The Pushgateway client: its protocol edges against a scripted HTTP server (retries, refusals,
// credentials), its paths and bodies against a real Pushgateway (Debian's prometheus-pushgateway,
// whose own query API says what it stored), and the values read back through a real Prometheus
// scraping it — plus Prometheus scraping the OpenMetrics text itself, the format the Pushgateway
// does not take.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { recordingLogger } from "@llmops/core";
import { queryPrometheus, startPrometheus, type TestPrometheus, waitForQuery } from "@llmops/test/prometheus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONTENT_TYPES,
  defineFamily,
  evalSamples,
  groupingPath,
  MetricSet,
  MetricsError,
  PushgatewayError,
  promotionSamples,
  pushMetrics,
  renderExposition,
} from "../../src/metrics/index.ts";
import { CANDIDATE_DIGEST, evalSummary, MODEL_DIGEST, STABLE_DIGEST, statusDocument } from "./fixtures.ts";
import { pushedGroups, startPushgateway, type TestPushgateway } from "./pushgateway-server.ts";

const family = defineFamily({ name: "llmops_push_test", type: "gauge", help: "A test value.", labels: ["v"] });

function oneSeries(v = "x", value = 1): MetricSet {
  const set = new MetricSet();
  set.add({ family, labels: { v }, value });
  return set;
}

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** An HTTP server answering each request with the next scripted answer (the last one repeats). */
async function scriptedServer(
  answers: { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }[],
): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)]!;
      const reply = () => {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? "");
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const fast = { baseDelayMs: 1, maxDelayMs: 50, random: () => 0 };

describe("the client's protocol", () => {
  it("PUTs the text format 0.0.4 to /metrics/job/<job>/<label>/<value> and reports the answer", async () => {
    const server = await scriptedServer([{ status: 200 }]);
    try {
      const set = oneSeries("a");
      const result = await pushMetrics(set, { url: `${server.url}/gateway/`, job: "nightly", grouping: { environment: "prod" } });
      expect(server.requests).toHaveLength(1);
      const [request] = server.requests;
      expect(request).toMatchObject({
        method: "PUT",
        url: "/gateway/metrics/job/nightly/environment/prod",
        body: renderExposition(set, "prometheus"),
      });
      expect(request!.headers["content-type"]).toBe(CONTENT_TYPES.prometheus);
      expect(request!.headers.authorization).toBeUndefined();
      expect(result).toEqual({
        url: `${server.url}/gateway/metrics/job/nightly/environment/prod`,
        method: "PUT",
        status: 200,
        attempts: 1,
        series: 1,
        bytes: Buffer.byteLength(request!.body),
      });
    } finally {
      await server.close();
    }
  });

  it("retries 5xx, 429 and network timeouts with backoff, honouring Retry-After, then succeeds", async () => {
    const server = await scriptedServer([
      { status: 503, body: "busy" },
      { status: 429, headers: { "Retry-After": "0" } },
      { status: 200, delayMs: 400 }, // slower than the timeout: counted as a failed attempt
      { status: 202 },
    ]);
    try {
      const logger = recordingLogger();
      const result = await pushMetrics(oneSeries(), { url: server.url, job: "j", method: "POST", timeoutMs: 200, logger, ...fast });
      expect(result).toMatchObject({ method: "POST", status: 202, attempts: 4 });
      expect(server.requests.map((r) => r.method)).toEqual(["POST", "POST", "POST", "POST"]);
      const warnings = logger.lines.filter((l) => l.level === "warn").map((l) => l.message);
      expect(warnings).toHaveLength(3);
      expect(warnings[0]).toMatch(/HTTP 503: busy; retrying in \d+ ms \(attempt 2 of 4\)/);
      expect(warnings[2]).toMatch(/no answer within 200 ms/);
    } finally {
      await server.close();
    }
  });

  it("gives up after the retries with the last reason (exit 3)", async () => {
    const server = await scriptedServer([{ status: 500, body: "internal\nerror" }]);
    try {
      const error = await pushMetrics(oneSeries(), { url: server.url, job: "j", retries: 2, ...fast }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PushgatewayError);
      expect((error as PushgatewayError).exitCode).toBe(3);
      expect((error as PushgatewayError).status).toBe(500);
      expect((error as Error).message).toBe(`PUT ${server.url}/metrics/job/j failed after 3 attempts: HTTP 500: internal error`);
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it("does not retry a refusal, says why, and never follows a redirect", async () => {
    const server = await scriptedServer([
      { status: 400, body: "pushed metrics are invalid or inconsistent with existing metrics" },
      { status: 401 },
      { status: 307, headers: { Location: "http://127.0.0.1:1/elsewhere" } },
    ]);
    try {
      await expect(pushMetrics(oneSeries(), { url: server.url, job: "j", ...fast })).rejects.toThrow(
        `PUT ${server.url}/metrics/job/j was refused: HTTP 400: pushed metrics are invalid or inconsistent with existing metrics`,
      );
      await expect(pushMetrics(oneSeries(), { url: server.url, job: "j", ...fast })).rejects.toThrow(
        /HTTP 401 \(credentials: LLMOPS_PUSHGATEWAY_USERNAME and LLMOPS_PUSHGATEWAY_PASSWORD\)$/,
      );
      await expect(pushMetrics(oneSeries(), { url: server.url, job: "j", ...fast })).rejects.toThrow(
        /HTTP 307 \(redirects are not followed\)$/,
      );
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it("sends basic auth and keeps the password out of every message, even one the server echoes", async () => {
    const password = "s3cret-pa55word";
    const server = await scriptedServer([{ status: 500, body: `no access for ${password}` }]);
    try {
      const logger = recordingLogger();
      const error = (await pushMetrics(oneSeries(), {
        url: server.url,
        job: "j",
        auth: { username: "ci", password },
        retries: 1,
        logger,
        ...fast,
      }).catch((e: unknown) => e)) as Error;
      expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`ci:${password}`).toString("base64")}`);
      const said = [error.message, ...logger.lines.map((l) => l.message)].join("\n");
      expect(said).toContain("no access for ***");
      expect(said).not.toContain(password);
      expect(said).not.toContain(Buffer.from(`ci:${password}`).toString("base64"));
    } finally {
      await server.close();
    }
  });

  it("refuses a URL with credentials, another scheme, a query; a grouping label that is not a label name or is job", () => {
    const set = oneSeries();
    expect(() => groupingPath("j", { "bad-name": "x" })).toThrow(MetricsError);
    expect(() => groupingPath("j", { job: "x" })).toThrow(/given on its own/);
    expect(() => groupingPath("", {})).toThrow(/job is empty/);
    return Promise.all([
      expect(pushMetrics(set, { url: "http://user:pw@127.0.0.1:9/", job: "j" })).rejects.toThrow(
        /holds credentials; give them in LLMOPS_PUSHGATEWAY_USERNAME/,
      ),
      expect(pushMetrics(set, { url: "ftp://127.0.0.1/", job: "j" })).rejects.toThrow(/expected http or https/),
      expect(pushMetrics(set, { url: "http://127.0.0.1:9/?x=1", job: "j" })).rejects.toThrow(/no query or fragment/),
      expect(pushMetrics(set, { url: "not a url", job: "j" })).rejects.toThrow(MetricsError),
    ]);
  });

  it("refuses a grouping label that would overwrite a series' own label with another value", async () => {
    const set = new MetricSet();
    set.addAll(evalSamples(evalSummary(), { environment: "staging" }));
    await expect(pushMetrics(set, { url: "http://127.0.0.1:9", job: "j", grouping: { environment: "production" } })).rejects.toThrow(
      /grouping label environment="production" would overwrite environment="staging" of llmops_eval_metric/,
    );
  });
});

describe("a real Pushgateway", () => {
  let gateway: TestPushgateway;
  beforeAll(async () => {
    gateway = await startPushgateway();
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it("stores the grouping key exactly as given: a / and an empty value (base64), dot segments, spaces, non-ASCII", async () => {
    const grouping = { path: "/var/tmp", empty: "", dots: "..", dot: ".", name: "Προμηθεύς", spaced: "a b%2Fc?#&" };
    expect(groupingPath("batch/nightly", grouping)).toBe(
      "/metrics/job@base64/YmF0Y2gvbmlnaHRseQ/path@base64/L3Zhci90bXA/empty@base64/=/dots@base64/Li4/dot@base64/Lg/name/%CE%A0%CF%81%CE%BF%CE%BC%CE%B7%CE%B8%CE%B5%CF%8D%CF%82/spaced/a%20b%252Fc%3F%23%26",
    );
    await pushMetrics(oneSeries(), { url: gateway.url, job: "batch/nightly", grouping });
    expect(await pushedGroups(gateway)).toContainEqual({ job: "batch/nightly", ...grouping });
  });

  it("takes the text format 0.0.4 only: an OpenMetrics body is refused (why the client pushes text 0.0.4)", async () => {
    const set = new MetricSet();
    set.addAll(promotionSamples(statusDocument()));
    const response = await fetch(`${gateway.url}/metrics/job/openmetrics-probe`, {
      method: "PUT",
      headers: { "Content-Type": CONTENT_TYPES.openmetrics },
      body: renderExposition(set, "openmetrics"),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/unknown metric type "info"/);
  });

  it("PUT replaces the group, POST only the families pushed; a type clash with another group is refused (400, not retried)", async () => {
    const other = defineFamily({ name: "llmops_push_other", type: "gauge", help: "Another.", labels: [] });
    const both = oneSeries("first");
    both.add({ family: other, labels: {}, value: 7 });
    await pushMetrics(both, { url: gateway.url, job: "replace" });
    await pushMetrics(oneSeries("second"), { url: gateway.url, job: "replace", method: "POST" });
    let text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/^llmops_push_other\{instance="",job="replace"\} 7$/m);
    expect(text).toMatch(/^llmops_push_test\{instance="",job="replace",v="second"\} 1$/m);
    expect(text).not.toContain('v="first"');
    await pushMetrics(oneSeries("third"), { url: gateway.url, job: "replace" });
    text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).not.toContain("llmops_push_other{");

    // Another pusher's counter of the name our gauge has: the Pushgateway keeps one type per name (which of the
    // two it names in its message varies).
    const raw = await fetch(`${gateway.url}/metrics/job/other-pusher`, {
      method: "PUT",
      body: "# TYPE llmops_push_clash counter\nllmops_push_clash 1\n",
    });
    expect(raw.status).toBe(200);
    const clash = new MetricSet();
    clash.add({ family: defineFamily({ name: "llmops_push_clash", type: "gauge", help: "Clash.", labels: [] }), labels: {}, value: 1 });
    const logger = recordingLogger();
    const error = await pushMetrics(clash, { url: gateway.url, job: "clash", logger, ...fast }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PushgatewayError);
    expect((error as PushgatewayError).status).toBe(400);
    expect((error as Error).message).toMatch(
      /was refused: HTTP 400: pushed metrics are invalid .*"llmops_push_clash".* is not a (GAUGE|COUNTER)/,
    );
    expect(logger.lines.filter((l) => l.level === "warn")).toEqual([]);
  });
});

describe("through a real Prometheus", () => {
  let gateway: TestPushgateway;
  let prometheus: TestPrometheus;
  let exporter: Server;
  let exporterTarget: string;
  const hostile = 'sent"iment\\ \n# EOF\n} 1 😀 \u0000 end';

  beforeAll(async () => {
    gateway = await startPushgateway();
    // Prometheus also scrapes the OpenMetrics text straight from this server: the format the
    // Pushgateway refuses is read by Prometheus' OpenMetrics parser (picked by the content type).
    const set = new MetricSet();
    set.addAll(evalSamples(evalSummary({ suite: hostile }), { environment: "direct" }));
    // Info families and units: a text 0.0.4 parser would fail the scrape on `# TYPE … info`.
    set.addAll(promotionSamples(statusDocument()));
    const body = renderExposition(set, "openmetrics");
    exporter = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": CONTENT_TYPES.openmetrics });
      res.end(body);
    });
    await new Promise<void>((resolve) => exporter.listen(0, "127.0.0.1", resolve));
    exporterTarget = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
    prometheus = await startPrometheus({ scrapeTargets: [gateway.target, exporterTarget], scrapeIntervalMs: 500 });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await gateway?.stop();
    if (exporter) await new Promise((resolve) => exporter.close(resolve));
  });

  it("reads back an eval summary and a status with a canary rollout pushed to the Pushgateway", async () => {
    const set = new MetricSet();
    set.addAll(evalSamples(evalSummary({ suite: hostile }), { environment: "production" }));
    set.addAll(promotionSamples(statusDocument()));
    await pushMetrics(set, { url: gateway.url, job: "llmops-e2e", grouping: { pipeline: "nightly/main" } });

    // The test Prometheus does not set honor_labels, so the pushed job label is exported_job.
    const group = 'exported_job="llmops-e2e",pipeline="nightly/main"';
    const accuracy = await waitForQuery(prometheus.url, `llmops_eval_metric{${group},metric="accuracy"}`);
    expect(accuracy).toHaveLength(1);
    expect(accuracy[0]!.value).toBe(0.915);
    // The hostile suite name came back byte for byte: escaped by us, unescaped by the Pushgateway and Prometheus.
    expect(accuracy[0]!.labels).toMatchObject({ suite: hostile, model: "acme/sentiment", digest: MODEL_DIGEST, environment: "production" });
    const low = await queryPrometheus(prometheus.url, `llmops_eval_metric_ci_low{${group},metric="accuracy"}`);
    expect(low.map((s) => [s.labels.level, s.value])).toEqual([["0.95", 0.8686]]);
    const passed = await queryPrometheus(prometheus.url, `llmops_eval_passed{${group}}`);
    expect(passed.map((s) => s.value)).toEqual([1]);

    const promoted = await queryPrometheus(prometheus.url, `llmops_promotion_info{${group}}`);
    expect(promoted.map((s) => [s.labels.environment, s.labels.digest, s.labels.version, s.value]).sort()).toEqual([
      ["production", MODEL_DIGEST, "v2", 1],
      ["staging", STABLE_DIGEST, "v3", 1],
    ]);
    const percent = await queryPrometheus(prometheus.url, `llmops_rollout_percent{${group}}`);
    expect(percent.map((s) => [s.labels.environment, s.labels.candidate, s.value])).toEqual([["staging", CANDIDATE_DIGEST, 25]]);
    const step = await queryPrometheus(
      prometheus.url,
      `llmops_rollout_step{${group}} / on(environment, candidate) llmops_rollout_steps{${group}}`,
    );
    expect(step.map((s) => s.value)).toEqual([1 / 3]);
    const rollout = await queryPrometheus(prometheus.url, `llmops_rollout_info{${group}}`);
    expect(rollout.map((s) => [s.labels.decision, s.labels.stable, s.labels.version])).toEqual([["advance", STABLE_DIGEST, "v4"]]);
    const since = await queryPrometheus(prometheus.url, `llmops_promotion_since_timestamp_seconds{${group},environment="staging"}`);
    expect(since.map((s) => s.value)).toEqual([1772366400]);
  });

  it("scrapes the OpenMetrics text itself, hostile label values intact", async () => {
    const accuracy = await waitForQuery(prometheus.url, 'llmops_eval_metric{environment="direct",metric="accuracy"}');
    expect(accuracy.map((s) => [s.labels.suite, s.value])).toEqual([[hostile, 0.915]]);
    const finished = await queryPrometheus(prometheus.url, 'llmops_eval_finished_timestamp_seconds{environment="direct"}');
    expect(finished.map((s) => s.value)).toEqual([1767323045.5]);
    const info = await queryPrometheus(prometheus.url, `llmops_rollout_info{instance="${exporterTarget}"}`);
    expect(info.map((s) => [s.labels.decision, s.labels.candidate, s.value])).toEqual([["advance", CANDIDATE_DIGEST, 1]]);
    const up = await queryPrometheus(prometheus.url, `up{instance="${exporterTarget}"}`);
    expect(up.map((s) => s.value)).toEqual([1]);
  });
});

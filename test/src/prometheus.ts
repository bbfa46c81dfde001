import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { requireProgram } from "./prerequisites.ts";
import { ended, freePort, readLog } from "./processes.ts";

/**
 * A real Prometheus (Debian's `prometheus`) on 127.0.0.1 and a free port, with a temp config and
 * TSDB, scraping the given targets every `scrapeIntervalMs` (default 1 s, so tests wait seconds,
 * not minutes). `queryPrometheus` and `waitForQuery` read it through the HTTP API on their own, so
 * a test can check what a metric source under test says against Prometheus itself.
 */

export interface PrometheusOptions {
  /** `host:port` of each `/metrics` endpoint to scrape (all in one job, `llmops-test`). */
  scrapeTargets: string[];
  /** Default 1000; Prometheus takes intervals in whole milliseconds. */
  scrapeIntervalMs?: number;
}

export interface TestPrometheus {
  /** `http://127.0.0.1:<port>`: the base URL of the HTTP API. */
  url: string;
  /** Temp dir holding the config, the TSDB and Prometheus' log. */
  dir: string;
  log(): string;
  /** Ends Prometheus and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** One series of an instant query's result (a scalar comes back as one sample without labels). */
export interface InstantSample {
  labels: Record<string, string>;
  /** NaN and ±Inf as JavaScript numbers. */
  value: number;
}

const TARGET = /^[A-Za-z0-9.-]+:\d{1,5}$/;

/** Starts Prometheus; see the module comment. */
export async function startPrometheus(options: PrometheusOptions): Promise<TestPrometheus> {
  const interval = options.scrapeIntervalMs ?? 1000;
  if (!Number.isInteger(interval) || interval < 100) throw new Error("startPrometheus: scrapeIntervalMs must be an integer ≥ 100");
  for (const target of options.scrapeTargets) {
    if (!TARGET.test(target)) throw new Error(`startPrometheus: expected host:port, got "${target}"`);
  }
  const prometheusBin = requireProgram("prometheus");
  const dir = await mkdtemp(join(tmpdir(), "llmops-prometheus-"));
  const configPath = join(dir, "prometheus.yml");
  await writeFile(
    configPath,
    [
      "global:",
      `  scrape_interval: ${interval}ms`,
      `  scrape_timeout: ${interval}ms`,
      `  evaluation_interval: ${interval}ms`,
      "scrape_configs:",
      "  - job_name: llmops-test",
      "    static_configs:",
      `      - targets: ${JSON.stringify(options.scrapeTargets)}`,
      "",
    ].join("\n"),
  );
  // A file, not a pipe: a test blocking its event loop must not stall Prometheus on a full pipe.
  const logPath = join(dir, "prometheus.log");
  let child: ChildProcess | undefined;
  let port = 0;
  try {
    // Another process may take the free port before Prometheus binds it: try again then.
    for (let attempt = 0; attempt < 5 && !child; attempt++) {
      port = await freePort();
      const log = openSync(logPath, "a");
      const started = spawn(
        prometheusBin,
        [
          `--config.file=${configPath}`,
          `--storage.tsdb.path=${join(dir, "tsdb")}`,
          `--web.listen-address=127.0.0.1:${port}`,
          "--log.level=warn",
        ],
        { stdio: ["ignore", log, log] },
      );
      closeSync(log);
      if (await waitReady(`http://127.0.0.1:${port}/-/ready`, started)) child = started;
      else await ended(started);
    }
    if (!child) throw new Error(`prometheus did not start: ${readLog(logPath).slice(-1000)}`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const running = child;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    log: () => readLog(logPath),
    async stop() {
      if (stopped) return;
      stopped = true;
      await ended(running);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(url: string, child: ChildProcess): Promise<boolean> {
  // The TSDB replays its (empty) WAL before /-/ready turns 200: a few hundred ms, more on a slow disk.
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  return false;
}

const number = z.string().transform((text) => Number(text));
const sample = z.tuple([z.number(), number]);
const queryResponseSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sample })) }),
      z.object({ resultType: z.literal("scalar"), result: sample }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.string(), error: z.string() }),
]);

/** The result of an instant query at `time` (default now); throws with Prometheus' error for a bad query. */
export async function queryPrometheus(baseUrl: string, query: string, time?: Date): Promise<InstantSample[]> {
  const url = new URL("/api/v1/query", baseUrl);
  url.searchParams.set("query", query);
  if (time) url.searchParams.set("time", String(time.getTime() / 1000));
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`prometheus ${query}: not JSON (HTTP ${response.status}): ${text.slice(0, 300)}`);
  }
  const parsed = queryResponseSchema.safeParse(json);
  if (!parsed.success) throw new Error(`prometheus ${query}: unexpected answer (HTTP ${response.status}): ${text.slice(0, 300)}`);
  const body = parsed.data;
  if (body.status === "error") throw new Error(`prometheus ${query}: ${body.errorType}: ${body.error}`);
  if (body.data.resultType === "scalar") return [{ labels: {}, value: body.data.result[1] }];
  return body.data.result.map((series) => ({ labels: series.metric, value: series.value[1] }));
}

/**
 * Polls `query` until `until` holds for its result (default: any series), then returns that
 * result. Throws after `timeoutMs` (default 30 s) with the last result, so a test that waits for
 * a scrape fails with what Prometheus had instead of hanging.
 */
export async function waitForQuery(
  baseUrl: string,
  query: string,
  options: { until?: (samples: InstantSample[]) => boolean; timeoutMs?: number; pollMs?: number; signal?: AbortSignal } = {},
): Promise<InstantSample[]> {
  const until = options.until ?? ((samples) => samples.length > 0);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: InstantSample[] = [];
  for (;;) {
    options.signal?.throwIfAborted();
    last = await queryPrometheus(baseUrl, query);
    if (until(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`prometheus: ${query} did not reach the expected result in time; last: ${JSON.stringify(last)}`);
    await sleep(options.pollMs ?? 200, undefined, { signal: options.signal });
  }
}

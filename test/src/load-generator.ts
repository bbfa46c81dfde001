import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Live traffic for canary tests: `generateLoad` sends a bounded number of requests (optionally
 * paced, optionally cut short by a duration or an AbortSignal) and counts the answers per status
 * and per backend; `startNamedServer` is a backend that says who it is in `x-served-by` and can be
 * told to fail a fraction of its requests, the "bad candidate" of a rollout.
 */

/** The header a named server identifies itself in; `generateLoad` reads it by default. */
export const SERVED_BY = "x-served-by";

/** Hard ceiling on one run, so a mistaken argument cannot flood the machine. */
export const MAX_REQUESTS = 200_000;

export interface LoadOptions {
  url: string;
  /** How many requests to send at most (1–MAX_REQUESTS): the load always ends. */
  requests: number;
  /** Requests in flight at once; default 8. */
  concurrency?: number;
  /** Pace: at most this many requests started per second; default unpaced. */
  ratePerSecond?: number;
  /** Stop starting requests after this long, even if fewer than `requests` were sent. */
  durationMs?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per request; default 10 s (a timeout is counted under `error`). */
  timeoutMs?: number;
  /** Which backend answered; default the `x-served-by` header. Undefined counts under `unknown`. */
  identify?: (response: Response, body: string) => string | undefined;
  /** Stops starting requests; requests in flight are aborted. */
  signal?: AbortSignal;
}

export interface BackendCounts {
  total: number;
  /** By HTTP status code (`"200"`, `"503"`). */
  byStatus: Record<string, number>;
}

export interface LoadResult {
  /** Requests started. */
  sent: number;
  /** By HTTP status code, and `"error"` for requests that got no HTTP answer. */
  byStatus: Record<string, number>;
  /** By the backend `identify` named (`"unknown"` when it named none); errors are not included. */
  byBackend: Record<string, BackendCounts>;
  /** The first few messages of requests that got no HTTP answer. */
  errors: string[];
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Sends the load described by `options` and counts the answers; see LoadOptions. */
export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  const { requests } = options;
  if (!Number.isInteger(requests) || requests < 1 || requests > MAX_REQUESTS)
    throw new Error(`generateLoad: requests must be an integer 1–${MAX_REQUESTS}`);
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new Error("generateLoad: concurrency must be 1–256");
  if (options.ratePerSecond !== undefined && !(options.ratePerSecond > 0)) throw new Error("generateLoad: ratePerSecond must be > 0");
  const identify = options.identify ?? ((response: Response) => response.headers.get(SERVED_BY) ?? undefined);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const result: LoadResult = { sent: 0, byStatus: {}, byBackend: {}, errors: [] };
  const start = performance.now();
  let next = 0;

  const stopped = () =>
    options.signal?.aborted === true || (options.durationMs !== undefined && performance.now() - start >= options.durationMs);

  async function one(): Promise<void> {
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    try {
      const init: RequestInit = { method: options.method ?? "GET", signal };
      if (options.headers) init.headers = options.headers;
      if (options.body !== undefined) init.body = options.body;
      const response = await fetch(options.url, init);
      const body = await response.text();
      const status = String(response.status);
      bump(result.byStatus, status);
      const backend = identify(response, body) ?? "unknown";
      const counts = result.byBackend[backend] ?? { total: 0, byStatus: {} };
      result.byBackend[backend] = counts;
      counts.total += 1;
      bump(counts.byStatus, status);
    } catch (error) {
      bump(result.byStatus, "error");
      if (result.errors.length < 10) {
        const e = error as { message?: string; cause?: { code?: string; message?: string } };
        result.errors.push(e.cause?.code ?? e.cause?.message ?? e.message ?? String(error));
      }
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      if (stopped()) return;
      const index = next++;
      if (index >= requests) return;
      if (options.ratePerSecond !== undefined) {
        const due = start + (index * 1000) / options.ratePerSecond;
        const wait = due - performance.now();
        if (wait > 0) {
          try {
            await sleep(wait, undefined, options.signal ? { signal: options.signal } : undefined);
          } catch {
            return;
          }
          if (stopped()) return;
        }
      }
      result.sent += 1;
      await one();
    }
  }

  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker));
  return result;
}

export interface NamedServerOptions {
  /** Sent in `x-served-by` and as the body. */
  name: string;
  /** Fraction of requests (0–1) answered with `failureStatus`; spread evenly, not drawn at random. */
  failureRate?: number;
  /** Default 503. */
  failureStatus?: number;
}

export interface NamedServer {
  url: string;
  /** `127.0.0.1:<port>`, for an HAProxy server line. */
  address: string;
  name: string;
  /** Requests answered so far, and how many of them failed. */
  counts(): { total: number; failed: number };
  setFailureRate(rate: number): void;
  close(): Promise<void>;
}

function checkRate(rate: number): number {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`named server: failureRate must be within 0–1, got ${rate}`);
  return rate;
}

/**
 * A tiny HTTP server on 127.0.0.1 answering every request with its name. Failures are spread
 * deterministically: request i fails when ⌊(i+1)·rate⌋ > ⌊i·rate⌋, so any run of requests fails
 * the given fraction to within one request.
 */
export async function startNamedServer(options: NamedServerOptions): Promise<NamedServer> {
  let rate = checkRate(options.failureRate ?? 0);
  const failureStatus = options.failureStatus ?? 503;
  let total = 0;
  let failed = 0;
  // Count failures against the rate since it was last set, so a change applies from then on.
  let sinceChange = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const i = sinceChange++;
      const fail = Math.floor((i + 1) * rate) > Math.floor(i * rate);
      total += 1;
      if (fail) failed += 1;
      res.writeHead(fail ? failureStatus : 200, { [SERVED_BY]: options.name, "content-type": "text/plain" });
      res.end(options.name);
    });
  });
  // Longer than any proxy keeps an idle connection, so the server never closes one a proxy is reusing.
  server.keepAliveTimeout = 120_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    name: options.name,
    counts: () => ({ total, failed }),
    setFailureRate(next) {
      rate = checkRate(next);
      sinceChange = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

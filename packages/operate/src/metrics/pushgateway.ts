import { type Logger, retryAfterMs, silentLogger } from "@llmops/core";
import { sleep } from "@llmops/eval";
import { MetricsError, PushgatewayError } from "./errors.ts";
import { boundLabelValue } from "./escape.ts";
import type { MetricSet } from "./metric-set.ts";
import { checkLabelName } from "./names.ts";
import { CONTENT_TYPES, renderExposition } from "./render.ts";

/**
 * Pushes a MetricSet to a Prometheus Pushgateway:
 *
 *     PUT|POST <url>/metrics/job/<job>{/<label>/<value>}
 *     Content-Type: text/plain; version=0.0.4; charset=utf-8
 *
 * The body is the Prometheus text format 0.0.4: the Pushgateway parses no other text (1.5.1,
 * Debian 12's, answers an OpenMetrics body with 400 `unknown metric type "info"`). PUT replaces
 * every metric of the group, so series of an earlier push that this one lacks disappear; POST
 * replaces only the families pushed. The job and the grouping labels are the group's key and
 * the Pushgateway puts them on every series, replacing a series' own label of the same name.
 *
 * Path segments are URL-encoded; a value that is empty, holds a `/` or is a dot segment (`.`,
 * `..`, which a URL parser would resolve away) goes base64url-encoded after `<label>@base64`,
 * as the Pushgateway's API defines. Network errors, timeouts, 408, 429 and 5xx are retried with
 * exponential backoff and jitter (Retry-After when sent); other answers are final. Redirects are
 * not followed, so credentials go to the configured host only. Basic-auth credentials are sent in
 * the Authorization header and appear in no message.
 */

export interface PushgatewayOptions {
  /** `http(s)://host[:port][/prefix]`: the Pushgateway, with its `--web.route-prefix` if any. */
  url: string;
  job: string;
  grouping?: Readonly<Record<string, string>> | undefined;
  /** Default PUT. */
  method?: "PUT" | "POST" | undefined;
  auth?: { username: string; password: string } | undefined;
  /** Per attempt; default 10 s. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt; default 3. */
  retries?: number | undefined;
  /** First backoff delay (default 500 ms), doubled per attempt. */
  baseDelayMs?: number | undefined;
  /** No wait longer than this, Retry-After included (default 30 s). */
  maxDelayMs?: number | undefined;
  logger?: Logger | undefined;
  signal?: AbortSignal | undefined;
  random?: (() => number) | undefined;
}

export interface PushResult {
  /** The group's URL (never with credentials). */
  url: string;
  method: "PUT" | "POST";
  status: number;
  attempts: number;
  series: number;
  bytes: number;
}

/** The defaults of pushMetrics, for the CLI's help. */
export const PUSH_DEFAULTS = { timeoutMs: 10_000, retries: 3, baseDelayMs: 500, maxDelayMs: 30_000 } as const;

function base64url(value: string): string {
  return Buffer.from(value, "utf8").toString("base64url");
}

function segment(name: string, value: string): string {
  if (value === "") return `${name}@base64/=`; // the API's spelling of an empty value: one `=`
  if (value.includes("/") || value === "." || value === "..") return `${name}@base64/${base64url(value)}`;
  return `${name}/${encodeURIComponent(value)}`;
}

/**
 * The group's path below the Pushgateway's URL: `/metrics/job/<job>{/<label>/<value>}`, labels in
 * the order given. Values are made valid UTF-8 and bounded as label values are (escape.ts).
 */
export function groupingPath(job: string, grouping: Readonly<Record<string, string>> = {}): string {
  if (job === "") throw new MetricsError("the Pushgateway job is empty; give a job name");
  const parts = [segment("job", boundLabelValue(job))];
  for (const [name, value] of Object.entries(grouping)) {
    checkLabelName(name, "grouping label");
    if (name === "job") throw new MetricsError("grouping label job: the job is given on its own (--job)");
    parts.push(segment(name, boundLabelValue(value)));
  }
  return `/metrics/${parts.join("/")}`;
}

/** The Pushgateway's base URL, checked: http(s), no credentials (they go in `auth`), no query or fragment. */
export function pushgatewayBaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MetricsError(`Pushgateway URL ${JSON.stringify(url.slice(0, 200))}: expected http(s)://host[:port][/prefix]`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new MetricsError(`Pushgateway URL: expected http or https, got ${parsed.protocol}`);
  if (parsed.username || parsed.password)
    throw new MetricsError("Pushgateway URL: holds credentials; give them in LLMOPS_PUSHGATEWAY_USERNAME and LLMOPS_PUSHGATEWAY_PASSWORD");
  if (parsed.search || parsed.hash)
    throw new MetricsError("Pushgateway URL: expected no query or fragment (http(s)://host[:port][/prefix])");
  return parsed;
}

/**
 * A grouping label overrides the series' own label of that name on the Pushgateway: refused when
 * a series carries a different value, which the push would silently rewrite. pushMetrics checks
 * it; a caller that writes other things first checks it before them.
 */
export function checkGroupingAgainstSeries(set: MetricSet, grouping: Readonly<Record<string, string>>): void {
  for (const { family, series } of set.families()) {
    for (const { labels } of series) {
      for (const [name, value] of labels) {
        const key = grouping[name];
        if (key !== undefined && boundLabelValue(key) !== value)
          throw new MetricsError(
            `grouping label ${name}=${JSON.stringify(key.slice(0, 80))} would overwrite ${name}=${JSON.stringify(value.slice(0, 80))} of ${family.name} on the Pushgateway`,
          );
      }
    }
  }
}

/** Text from the server, safe for one line of a message: control characters escaped, bounded. */
function excerpt(text: string, secrets: readonly string[], max = 300): string {
  let out = text;
  for (const secret of secrets.filter((s) => s.length >= 3)) out = out.split(secret).join("***");
  out = out.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === "\n" ? " " : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)).trim();
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

function networkReason(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

export async function pushMetrics(set: MetricSet, options: PushgatewayOptions): Promise<PushResult> {
  const base = pushgatewayBaseUrl(options.url);
  const grouping = options.grouping ?? {};
  const path = groupingPath(options.job, grouping);
  checkGroupingAgainstSeries(set, grouping);
  const url = new URL(base.href.replace(/\/+$/, "") + path);
  const method = options.method ?? "PUT";
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? PUSH_DEFAULTS.timeoutMs;
  const attempts = (options.retries ?? PUSH_DEFAULTS.retries) + 1;
  const baseDelay = options.baseDelayMs ?? PUSH_DEFAULTS.baseDelayMs;
  const maxDelay = options.maxDelayMs ?? PUSH_DEFAULTS.maxDelayMs;
  const random = options.random ?? Math.random;
  const body = renderExposition(set, "prometheus");
  const bytes = Buffer.byteLength(body, "utf8");
  const headers: Record<string, string> = { "Content-Type": CONTENT_TYPES.prometheus, "User-Agent": "llmops-actions" };
  const secrets: string[] = [];
  if (options.auth) {
    const credential = Buffer.from(`${options.auth.username}:${options.auth.password}`, "utf8").toString("base64");
    headers.Authorization = `Basic ${credential}`;
    // A server may echo the credential alone (base64 of user:password): masked like the password.
    secrets.push(headers.Authorization, credential, options.auth.password);
  }
  const where = `${method} ${url.href}`;

  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let wait: number | undefined;
    let status: number | undefined;
    try {
      const signal = options.signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), options.signal]) : AbortSignal.timeout(timeoutMs);
      const response = await fetch(url, { method, headers, body, redirect: "manual", signal });
      const text = await response.text().catch(() => "");
      status = response.status;
      if (response.ok) {
        logger.debug(`pushgateway: ${where}: HTTP ${status} (${set.size} series, ${bytes} bytes, attempt ${attempt})`);
        return { url: url.href, method, status, attempts: attempt, series: set.size, bytes };
      }
      reason = `HTTP ${status}${text ? `: ${excerpt(text, secrets)}` : ""}`;
      const retriable = status >= 500 || status === 429 || status === 408;
      if (!retriable) {
        const hint =
          status === 401 || status === 403
            ? " (credentials: LLMOPS_PUSHGATEWAY_USERNAME and LLMOPS_PUSHGATEWAY_PASSWORD)"
            : status >= 300 && status < 400
              ? " (redirects are not followed)"
              : "";
        throw new PushgatewayError(`${where} was refused: ${reason}${hint}`, status);
      }
      wait = retryAfterMs(response.headers.get("retry-after"));
    } catch (error) {
      if (error instanceof PushgatewayError) throw error;
      if (options.signal?.aborted) throw new PushgatewayError(`${where} aborted`, undefined, { cause: error });
      reason = excerpt(networkReason(error, timeoutMs), secrets);
    }
    if (attempt >= attempts)
      throw new PushgatewayError(`${where} failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${reason}`, status);
    const backoff = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1)) * (0.5 + random() * 0.5);
    const delay = Math.round(Math.min(maxDelay, wait ?? backoff));
    logger.warn(`pushgateway: ${where}: ${reason}; retrying in ${delay} ms (attempt ${attempt + 1} of ${attempts})`);
    try {
      await sleep(delay, options.signal);
    } catch (error) {
      throw new PushgatewayError(`${where} aborted`, undefined, { cause: error });
    }
  }
}

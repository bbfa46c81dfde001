import { type CanaryMetricConfig, PROMQL_PLACEHOLDER, PROMQL_TEMPLATE_NAMES } from "@llmops/core";
import type { Sample } from "@llmops/eval";
import { z } from "zod";
import { attemptSignal, excerpt, networkReason } from "../../targets/shared.ts";
import { type MetricReading, type MetricSource, type MetricSourceContext, MetricSourceError } from "../metric-source.ts";

/**
 * A canary metric read from Prometheus' HTTP API with instant queries
 * (`GET <base>/api/v1/query?query=…&time=<unix seconds>`), one query per variant.
 *
 * Templates: `{{variant}}` becomes the variant's name (the router's server name, checked against
 * `[A-Za-z0-9._:-]+` first, so it can never close a quoted label value or add PromQL);
 * `{{since}}` becomes the whole seconds since the rollout started, as a duration (`1800s`), for
 * range selectors: `sum(increase(x{server="{{variant}}"}[{{since}}]))`. Nothing else may appear
 * between `{{ }}`.
 *
 * A string source is a value (a ratio, a latency quantile) evaluated at `now`: `{kind: "value"}`,
 * null when the result is empty or NaN (no traffic yet), an error for ±Inf (e.g.
 * `histogram_quantile` beyond the largest bucket), which no threshold can be compared with.
 *
 * An `{events, total}` source counts outcomes. A counter query (no `{{since}}`) is evaluated at
 * `since` and at `now` and the difference taken: exact counts, no extrapolation, as long as
 * Prometheus scraped the counter before the rollout started (a series with no sample at `since`
 * counts from 0). A counter that went down was reset (the server restarted): its value at `now`
 * is then what it counted since the reset, an undercount, never an overcount. A query with
 * `{{since}}` is evaluated once at `now` and taken as the increase itself; `increase()`
 * extrapolates, so it is rounded and only approximately a count. An empty `total` at `now` means
 * no data (null); an empty `events` result with a `total` means no events yet, as client
 * libraries create a labelled counter (`code="500"`) only when it first counts; a query whose
 * labels never match therefore reads as 0 events, so check it against Prometheus once.
 *
 * Each query must return one series or a scalar; more is an error asking for an aggregation.
 * `sources` lists the rendered queries.
 */

const VARIANT_NAME = /^[A-Za-z0-9._:-]+$/;
const PLACEHOLDER = PROMQL_PLACEHOLDER;
const KNOWN: ReadonlySet<string> = new Set(PROMQL_TEMPLATE_NAMES);

/** A one-series answer is a few hundred bytes; this only stops a query that matched everything. */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface PrometheusSourceOptions {
  /** Per query; default 10 s. */
  timeoutMs?: number;
}

/** A PromQL number: decimal text, or `NaN`, `+Inf`, `-Inf`. */
const promNumber = z.string().transform((text, ctx) => {
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text.trim() === "" || (Number.isNaN(value) && text !== "NaN")) {
    ctx.addIssue({ code: "custom", message: `not a Prometheus number: ${text}` });
    return z.NEVER;
  }
  return value;
});
const instantSample = z.tuple([z.number(), promNumber]);

const responseSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({
        resultType: z.literal("vector"),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: instantSample })),
      }),
      z.object({ resultType: z.literal("scalar"), result: instantSample }),
      z.object({ resultType: z.literal("matrix"), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal("string"), result: z.unknown() }),
    ]),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({ status: z.literal("error"), errorType: z.string(), error: z.string() }),
]);

function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Creates the source of `metric`, whose `prometheus` must be set. */
export function createPrometheusSource(metric: CanaryMetricConfig, options: PrometheusSourceOptions = {}): MetricSource {
  const source = metric.prometheus;
  if (source === undefined) throw new MetricSourceError(metric.name, "has no prometheus source");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const templates = typeof source === "string" ? { query: source } : { events: source.events, total: source.total };
  for (const [field, template] of Object.entries(templates)) {
    for (const name of placeholders(template)) {
      if (!KNOWN.has(name))
        throw new MetricSourceError(metric.name, `prometheus ${field}: {{${name}}} is not available; expected {{variant}} or {{since}}`);
    }
  }
  const fail = (message: string, cause?: unknown) =>
    new MetricSourceError(metric.name, message, cause === undefined ? undefined : { cause });

  function render(template: string, variant: string, sinceSeconds: number): string {
    return template.replace(PLACEHOLDER, (_whole, name: string) => (name === "variant" ? variant : `${sinceSeconds}s`));
  }

  /** The query's single value at `at`; null for an empty result or NaN. */
  async function instant(base: string, query: string, at: Date, context: MetricSourceContext): Promise<number | null> {
    let url: URL;
    try {
      url = new URL(`${base.replace(/\/+$/, "")}/api/v1/query`);
    } catch (error) {
      throw fail(`prometheus URL ${JSON.stringify(excerpt(base, 100))} is not a URL`, error);
    }
    url.searchParams.set("query", query);
    url.searchParams.set("time", (at.getTime() / 1000).toFixed(3));
    const shown = excerpt(query, 200);
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, { headers: { accept: "application/json" }, signal: attemptSignal(timeoutMs, context.signal) });
      status = response.status;
      text = await readBounded(response);
    } catch (error) {
      if (error instanceof AnswerTooLargeError)
        throw fail(`Prometheus' answer to ${shown} exceeds ${MAX_ANSWER_BYTES} bytes; expected one series (aggregate it, e.g. sum(…))`);
      const reason = context.signal?.aborted ? "aborted" : networkReason(error, timeoutMs);
      throw fail(`Prometheus at ${url.origin} is unreachable: ${reason}`, error);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw fail(`Prometheus at ${url.origin} answered HTTP ${status} with something other than its API's JSON: ${excerpt(text, 200)}`);
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) {
      throw fail(`Prometheus at ${url.origin} answered HTTP ${status} with an unexpected shape: ${excerpt(JSON.stringify(json), 200)}`);
    }
    const body = parsed.data;
    if (body.status === "error") throw fail(`Prometheus rejected ${shown}: ${excerpt(body.errorType, 40)}: ${excerpt(body.error, 300)}`);
    if (status < 200 || status > 299) throw fail(`Prometheus at ${url.origin} answered HTTP ${status} to ${shown}`);
    for (const warning of body.warnings ?? [])
      context.logger.warn(`metric ${metric.name}: Prometheus warns about ${shown}: ${excerpt(warning, 200)}`);
    const data = body.data;
    let value: number;
    if (data.resultType === "scalar") value = data.result[1];
    else if (data.resultType === "vector") {
      if (data.result.length === 0) return null;
      if (data.result.length > 1) {
        const example = excerpt(JSON.stringify(data.result[0]!.metric), 120);
        throw fail(`${shown} returned ${data.result.length} series (e.g. ${example}); expected one: aggregate it, e.g. sum(…)`);
      }
      value = data.result[0]!.value[1];
    } else {
      throw fail(
        `${shown} returned a ${data.resultType}; expected an instant vector or a scalar (wrap a range selector in a function such as increase())`,
      );
    }
    if (!Number.isFinite(value) && !Number.isNaN(value)) throw fail(`${shown} is ${value > 0 ? "+Inf" : "-Inf"}; expected a finite number`);
    return Number.isNaN(value) ? null : value;
  }

  /** What a counter query counted between `since` and `now` (see the module comment); null when it has no data at `now`. */
  async function increase(base: string, query: string, template: string, context: MetricSourceContext): Promise<number | null> {
    if (placeholders(template).includes("since")) return instant(base, query, context.now, context);
    const [before, after] = await Promise.all([instant(base, query, context.since, context), instant(base, query, context.now, context)]);
    if (after === null) return null;
    const start = before ?? 0;
    return after >= start ? after - start : after;
  }

  return {
    async read(context: MetricSourceContext): Promise<MetricReading> {
      const base = context.prometheusUrl;
      if (!base) throw fail("no Prometheus URL; expected strategy.canary.prometheus: <base URL>");
      for (const variant of [context.variants.stable, context.variants.canary]) {
        if (!VARIANT_NAME.test(variant.name))
          throw fail(`variant name ${JSON.stringify(excerpt(variant.name, 80))} cannot go into a query; expected letters, digits, . _ : -`);
      }
      const sinceSeconds = Math.max(1, Math.ceil((context.now.getTime() - context.since.getTime()) / 1000));
      const sources: string[] = [];

      const readVariant = async (variant: string): Promise<Sample | null> => {
        if (typeof source === "string") {
          const query = render(source, variant, sinceSeconds);
          sources.push(query);
          const value = await instant(base, query, context.now, context);
          context.logger.debug(`metric ${metric.name} ${variant}: ${query} = ${value}`);
          return value === null ? null : { kind: "value", value };
        }
        const eventsQuery = render(source.events, variant, sinceSeconds);
        const totalQuery = render(source.total, variant, sinceSeconds);
        sources.push(eventsQuery, totalQuery);
        const [events, total] = await Promise.all([
          increase(base, eventsQuery, source.events, context),
          increase(base, totalQuery, source.total, context),
        ]);
        context.logger.debug(`metric ${metric.name} ${variant}: ${events ?? "no"} events of ${total ?? "no"} total`);
        if (total === null) return null;
        const n = Math.round(total);
        const successes = Math.round(events ?? 0);
        if (!Number.isSafeInteger(n) || !Number.isSafeInteger(successes))
          throw fail(`${variant}: counts beyond exact integers (events ${events}, total ${total}); expected counters of requests`);
        if (n < 0 || successes < 0) throw fail(`${variant}: a negative count (events ${successes}, total ${n}); expected counters`);
        if (successes > n) throw fail(`${variant}: events (${successes}) exceed total (${n}); expected events to count a subset of total`);
        return { kind: "proportion", n, successes };
      };

      // One variant after the other keeps `sources` in a stable order: stable's queries, then canary's.
      const stable = await readVariant(context.variants.stable.name);
      const canary = await readVariant(context.variants.canary.name);
      return { stable, canary, sources };
    },
  };
}

class AnswerTooLargeError extends Error {
  override name = "AnswerTooLargeError";
}

/** The body as text, refusing more than MAX_ANSWER_BYTES. */
async function readBounded(response: Response): Promise<string> {
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    // Throwing out of the loop cancels the stream: the rest is never downloaded.
    if (size > MAX_ANSWER_BYTES) throw new AnswerTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

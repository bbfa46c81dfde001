import { z } from "zod";
import { CALL_METRICS } from "../results.ts";

/**
 * `environments.<name>.monitor`: what a scheduled `llmops monitor` (actions/monitor) watches in a
 * serving environment, owned by the operate capability (@llmops/operate):
 *
 * - quality: `suite` run against the live endpoint (its provider replaced by `provider`, which may
 *   use `{{environment.url}}` like a smoke provider), compared case by case with the eval evidence
 *   recorded when the serving version was promoted;
 * - data drift: `sample` (production inputs) against `reference` (what the model was built and
 *   evaluated on), per `features` entry;
 * - alerts: one GitHub issue per environment and monitor (keyed by its `suite`, else `drift`),
 *   opened on a significant regression or drift, updated while it lasts, closed when it recovers;
 *   optionally a signed webhook.
 *
 * One monitor, or a list of them (several suites watched in one environment).
 */

/** A data file of records: relative to llmops.yaml, or inside a dataset version of the store. */
export const monitorDataSchema = z.union([
  z.string().min(1, "expected a file relative to llmops.yaml"),
  z
    .strictObject({
      /** The file (relative to llmops.yaml, or a path inside `dataset`); in a dataset, optional when it holds one data file. */
      file: z.string().min(1).optional(),
      /** `name:alias`, `name:v3` or `name@sha256:…`: a dataset version of the store. */
      dataset: z.string().min(1).optional(),
      /** Default: from the file's extension (.jsonl/.ndjson, .json, .csv). */
      format: z.enum(["jsonl", "json", "csv"]).optional(),
    })
    .refine((source) => source.file !== undefined || source.dataset !== undefined, { message: "expected file or dataset" }),
]);
export type MonitorDataConfig = z.infer<typeof monitorDataSchema>;

export const DRIFT_FEATURE_TYPES = ["numeric", "categorical", "text"] as const;

/**
 * One feature whose distribution is compared: numeric (PSI and two-sample Kolmogorov–Smirnov),
 * categorical (chi-square test of independence and PSI over the categories), text (length in
 * characters: KS and PSI; vocabulary: out-of-vocabulary rate; language mix: chi-square and PSI).
 */
export const driftFeatureSchema = z.strictObject({
  /** Dotted path in each record (`text`, `meta.channel`); looked up in the record's `vars` when the record has none. */
  field: z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "expected a field name or a dotted path (meta.channel)"),
  type: z.enum(DRIFT_FEATURE_TYPES),
  /** Bins of the PSI for numeric values and text lengths: the reference's quantiles. */
  bins: z.number().int().min(2).max(50).default(10),
});
export type DriftFeatureConfig = z.infer<typeof driftFeatureSchema>;

export const driftThresholdsSchema = z.strictObject({
  /** A test is significant below this p-value. */
  alpha: z.number().gt(0).lt(1).default(0.01),
  /** A distribution moved materially at or above this PSI (0.1: moderate, 0.2: major, by the usual rule of thumb). */
  psi: z.number().nonnegative().default(0.2),
  /** Text: how far the sample's out-of-vocabulary rate may exceed the reference's own before it is drift. */
  oov: z.number().min(0).max(1).default(0.1),
  /** Fewer values than this on either side: the feature is reported, not judged. */
  minSamples: z.number().int().positive().default(30),
});
export type DriftThresholds = z.infer<typeof driftThresholdsSchema>;
export const DRIFT_THRESHOLD_DEFAULTS: DriftThresholds = { alpha: 0.01, psi: 0.2, oov: 0.1, minSamples: 30 };

export const monitorAlertSchema = z.strictObject({
  /** The environment's GitHub issue for this monitor (default on when the run has GitHub access). */
  issue: z.union([z.boolean(), z.strictObject({ labels: z.array(z.string().min(1)).default([]) })]).default(true),
  /** A JSON POST with a Slack-compatible `text` on every change (raised, updated, resolved), HMAC-SHA256 signed with `secretEnv`. */
  webhook: z
    .strictObject({
      /** May use `{{env.NAME}}` (a URL kept in a secret). */
      url: z.string().min(1),
      secretEnv: z.string().min(1).optional(),
      timeoutMs: z.number().int().positive().default(10_000),
    })
    .optional(),
});
export type MonitorAlertConfig = z.infer<typeof monitorAlertSchema>;

/** Metrics a quality monitor ignores unless `metrics` names them: they measure the serving path, not the model. */
export const MONITOR_UNCOMPARED_METRICS = CALL_METRICS;

/** A provider in a monitor's `provider:` (the environment's checks on `{{environment.*}}` included). */
export type MonitorProviderSchema = z.ZodType<{ type: string; [key: string]: unknown } | undefined>;

/**
 * The schema of one monitor, given the schema of its `provider:` (the smoke provider's, which
 * checks `{{environment.url}}` and `{{environment.name}}`: defined beside the environment, passed
 * in so this file does not import it back).
 */
export function monitorEntrySchema<P extends MonitorProviderSchema>(provider: P) {
  return z
    .strictObject({
      /** The monitoring suite (a suite of this file): run against the live endpoint and compared with the promotion's evidence. */
      suite: z.string().min(1).optional(),
      /** Replaces the suite's provider(s); may use `{{environment.url}}` and `{{environment.name}}`. */
      provider,
      /** Metrics whose significant regression raises the alert; default every metric but latency_ms, cost and tokens. */
      metrics: z.array(z.string().min(1)).min(1).optional(),
      /** How long the quality run may take before it counts as failed. */
      timeoutMs: z.number().int().positive().default(600_000),
      /** Production inputs: a file or a dataset version (e.g. one `llmops version` makes of a day's traffic). */
      sample: monitorDataSchema.optional(),
      /** What the model was built and evaluated on, e.g. `{ dataset: acme/reviews:v3, file: eval.jsonl }`. */
      reference: monitorDataSchema.optional(),
      features: z.array(driftFeatureSchema).default([]),
      thresholds: driftThresholdsSchema.default(DRIFT_THRESHOLD_DEFAULTS),
      /** Records read from each of sample and reference (the first ones); the rest is counted, not read. */
      maxRecords: z.number().int().positive().max(1_000_000).default(100_000),
      alert: monitorAlertSchema.default({ issue: true }),
    })
    .superRefine((monitor, ctx) => {
      if (monitor.suite === undefined && monitor.features.length === 0) {
        ctx.addIssue({ code: "custom", path: [], message: "expected a suite (quality) or features (drift), or both" });
      }
      if ((monitor as { provider?: unknown }).provider !== undefined && monitor.suite === undefined) {
        ctx.addIssue({ code: "custom", path: ["provider"], message: "expected a suite for the provider to run" });
      }
      if (monitor.features.length > 0) {
        if (monitor.reference === undefined)
          ctx.addIssue({ code: "custom", path: ["reference"], message: "expected a reference with features" });
        if (monitor.sample === undefined)
          ctx.addIssue({
            code: "custom",
            path: ["sample"],
            message: "expected a sample with features (or give --sample / the sample input)",
          });
      }
      const seen = new Map<string, number>();
      monitor.features.forEach((feature, i) => {
        const key = `${feature.type}:${feature.field}`;
        const first = seen.get(key);
        if (first !== undefined)
          ctx.addIssue({ code: "custom", path: ["features", i], message: `expected each feature once; this is also features[${first}]` });
        seen.set(key, i);
      });
    });
}

/** The name a monitor's alert is keyed by within its environment: its suite, else `drift`. */
export function monitorKey(monitor: { suite?: string | undefined }): string {
  return monitor.suite ?? "drift";
}

/** `monitor:` of an environment: one monitor or a list, each keyed by its suite (else `drift`) once. */
export function monitorSchema<P extends MonitorProviderSchema>(provider: P) {
  const entry = monitorEntrySchema(provider);
  return z.union([
    entry,
    z
      .array(entry)
      .min(1)
      .superRefine((monitors, ctx) => {
        const seen = new Map<string, number>();
        monitors.forEach((monitor, i) => {
          const key = monitorKey(monitor);
          const first = seen.get(key);
          if (first !== undefined) {
            ctx.addIssue({
              code: "custom",
              path: [i, "suite"],
              message: `expected one monitor per suite; "${key}" is also monitor[${first}] (alerts are keyed by environment and suite)`,
            });
          }
          seen.set(key, i);
        });
      }),
  ]);
}

import { digestSchema, verdictSchema } from "@llmops/core";
import { z } from "zod";
import { driftResultSchema } from "../drift/result.ts";

/**
 * The document `llmops monitor --json` prints and actions/monitor's `result` output holds: per
 * environment, per monitor (keyed by its suite, else `drift`), the quality verdict with its
 * numbers, the drift of every feature, and what happened to the alert. Changing a field here
 * changes the machine interface.
 */

export const metricCheckSchema = z.strictObject({
  name: z.string(),
  /** Value in the promotion's evidence run and in this run against the live endpoint. */
  baseline: z.number(),
  head: z.number(),
  delta: z.number(),
  /** Cases with a value on both sides. */
  n: z.number().int().nonnegative(),
  test: z.enum(["mcnemar-exact", "paired-bootstrap", "none"]),
  pValue: z.number(),
  /** Holm-adjusted across the compared metrics. */
  pAdjusted: z.number(),
  verdict: verdictSchema,
  /** Counts for the alert (`metrics:` of the monitor; default all but latency_ms, cost, tokens). */
  watched: z.boolean(),
});
export type MetricCheck = z.infer<typeof metricCheckSchema>;

export const qualityResultSchema = z.strictObject({
  suite: z.string(),
  /**
   * `regression`: a watched metric regressed significantly, or a gate failed; `error`: the run
   * against the live endpoint did not complete (timeout, interruption); `no-baseline`: no eval
   * evidence of the suite on the serving version; `skipped`: nothing serves the environment.
   */
  verdict: z.enum(["ok", "regression", "error", "no-baseline", "skipped"]),
  /** The eval evidence compared with: the run recorded for the promotion of the serving version. */
  baseline: z
    .strictObject({
      /** Digest of the eval referrer. */
      evidence: digestSchema,
      /** `promotion`: named by the promotion record that put the version in the environment; `version`: the newest eval run of the suite on the version. */
      source: z.enum(["promotion", "version"]),
      /** The promotion's id, with source `promotion`. */
      promotion: z.string().optional(),
      finishedAt: z.string(),
      /** The dataset version both runs used, when the suite reads its cases from one. */
      dataset: z.strictObject({ ref: z.string(), digest: digestSchema }).optional(),
    })
    .optional(),
  /** Cases paired by id, and those on one side only or changed. */
  matched: z.number().int().nonnegative(),
  added: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  metrics: z.array(metricCheckSchema),
  /** Watched metrics with a significant regression. */
  regressions: z.array(z.string()),
  /** Failed gates: the suite's own, and compare's regression gates. */
  failedGates: z.array(z.string()),
  /** The live run's case errors and the first one (clipped: the endpoint chose its text). */
  errors: z.number().int().nonnegative(),
  firstError: z.string().optional(),
  /** Why it could not be judged (error, no-baseline, skipped). */
  reason: z.string().optional(),
  /** The live run's results directory, when kept (`--out`). */
  resultsDir: z.string().optional(),
});
export type QualityResult = z.infer<typeof qualityResultSchema>;

export const NOTIFICATION_ACTIONS = ["opened", "updated", "resolved", "sent", "skipped", "failed"] as const;

export const monitorNotificationSchema = z.strictObject({
  channel: z.enum(["issue", "webhook"]),
  action: z.enum(NOTIFICATION_ACTIONS),
  /** The URL, or the webhook's origin (never its path or query: they may hold a token). */
  target: z.string().optional(),
  error: z.string().optional(),
});
export type MonitorNotification = z.infer<typeof monitorNotificationSchema>;

export const monitorAlertStateSchema = z.strictObject({
  /**
   * `alerting`: a significant regression, a failed gate, an incomplete run or drift; `ok`:
   * everything configured was judged and passed (an open alert is closed); `inconclusive`: some
   * part could not be judged (no baseline, too few values), so an open alert stays as it is.
   */
  status: z.enum(["alerting", "ok", "inconclusive"]),
  /** One line each: what is wrong. */
  reasons: z.array(z.string()),
  notifications: z.array(monitorNotificationSchema),
});
export type MonitorAlertState = z.infer<typeof monitorAlertStateSchema>;

export const monitorOutcomeSchema = z.strictObject({
  /** The alert key within the environment: the monitor's suite, else `drift`. */
  key: z.string(),
  quality: qualityResultSchema.optional(),
  drift: driftResultSchema.optional(),
  alert: monitorAlertStateSchema,
});
export type MonitorOutcome = z.infer<typeof monitorOutcomeSchema>;

export const environmentMonitorSchema = z.strictObject({
  environment: z.string(),
  /** The model the environment serves and the alias naming it. */
  artifact: z.string().optional(),
  alias: z.string(),
  url: z.string().optional(),
  /** What the alias pointed at during this run; null when nothing serves the environment. */
  serving: z.strictObject({ digest: digestSchema, version: z.string().optional() }).nullable(),
  monitors: z.array(monitorOutcomeSchema),
});
export type EnvironmentMonitor = z.infer<typeof environmentMonitorSchema>;

export const monitorResultSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** 0 nothing alerting, 1 an alert is raised or open (a verdict), 3 an alert could not be delivered. */
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(3)]),
  /** Some monitor is alerting. */
  alerting: z.boolean(),
  environments: z.array(environmentMonitorSchema),
  /** The workflow run that monitored, when known. */
  runUrl: z.string().optional(),
});
export type MonitorResult = z.infer<typeof monitorResultSchema>;

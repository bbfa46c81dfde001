import { z } from "zod";
import { gitopsTargetSchema, targetConfigSchema, webhookTargetSchema } from "./targets.ts";

/**
 * `strategy.canary` of an environment: the candidate gets a growing slice of live traffic while
 * its live metrics are compared with the stable version's, and each analysis advances, holds or
 * rolls the rollout back. Owned by the canary capability of @llmops/promote.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of `90s`, `15m`, `2h`, `1d`, `250ms`; undefined when `text` is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** `ms` the way parseDuration reads it back, largest units first: `2h`, `1h 5m`, `1m 30s`, `250ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, seconds] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.slice(0, 2).join(" ");
}

/** A duration written as `2h`, `15m`, `90s`, `250ms` or `1d`, parsed to milliseconds. */
export const durationSchema = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a duration such as 90s, 15m, 2h or 1d, got "${text}"` });
    return z.NEVER;
  }
  return ms;
});

/** An HAProxy backend whose two servers are the stable and the canary slot, weighted through the runtime API. */
export const haproxyRouterSchema = z.strictObject({
  type: z.literal("haproxy"),
  /** The runtime API's unix socket (`stats socket … level admin`), relative to llmops.yaml or absolute. */
  socket: z.string().min(1),
  backend: z.string().regex(/^[A-Za-z0-9._:-]+$/, "expected an HAProxy backend name"),
  /** The server of the backend serving the stable version. */
  stable: z.string().regex(/^[A-Za-z0-9._:-]+$/, "expected an HAProxy server name"),
  /** The server of the backend serving the candidate. */
  canary: z.string().regex(/^[A-Za-z0-9._:-]+$/, "expected an HAProxy server name"),
  timeoutMs: z.number().int().positive().default(5_000),
});

/**
 * KServe's `canaryTrafficPercent` written with the candidate's reference into a manifest of a
 * deployment repository: the gitops target's fields for where the manifest is, with the KServe
 * preset implied, and `mode: commit` by default (each step applies at once).
 */
export const gitopsRouterSchema = gitopsTargetSchema
  .pick({ type: true, repository: true, path: true, branch: true, reference: true, tokenEnv: true })
  .extend({
    // A pull request would leave the split unchanged until someone merges it, while the rollout
    // records a step that is not in force: each step must apply at once.
    mode: z
      .literal("commit", "expected commit: each canary step must apply at once (a pull request would wait for a merge)")
      .default("commit"),
  });

/**
 * A signed JSON event per traffic change (`{stable, candidate, canaryPercent}`) for any router with
 * an HTTP hook: the same delivery (signature, retries, `{{env.NAME}}`) as the webhook target.
 */
export const webhookRouterSchema = webhookTargetSchema;

export const routerConfigSchema = z.discriminatedUnion("type", [haproxyRouterSchema, gitopsRouterSchema, webhookRouterSchema], {
  error: "expected a router with type haproxy, gitops or webhook",
});
export type RouterConfig = z.infer<typeof routerConfigSchema>;
export type HaproxyRouterConfig = z.infer<typeof haproxyRouterSchema>;
export type GitopsRouterConfig = z.infer<typeof gitopsRouterSchema>;
export type WebhookRouterConfig = z.infer<typeof webhookRouterSchema>;

/**
 * A PromQL source. A string is one query whose value per variant is compared with `max`/`min`
 * (and the two variants' values with `noWorseThan`) as a threshold, as Flagger does: a rate
 * carries no sample size, so no interval. `{events, total}` are two counter queries whose increase
 * since the rollout started gives counts per variant: those get anytime-valid intervals.
 * `{{variant}}` is replaced by the variant's server name (the router's `stable` / `canary`).
 */
/** What a PromQL template may name between `{{ }}`. */
export const PROMQL_TEMPLATE_NAMES = ["variant", "since"] as const;
/** `{{ name }}` in a PromQL template. */
export const PROMQL_PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

const promqlTemplate = z
  .string()
  .min(1)
  .superRefine((template, ctx) => {
    for (const [, name] of template.matchAll(PROMQL_PLACEHOLDER)) {
      if (!(PROMQL_TEMPLATE_NAMES as readonly string[]).includes(name!)) {
        ctx.addIssue({ code: "custom", message: `{{${name}}} is not available in a PromQL query; expected {{variant}} or {{since}}` });
      }
    }
  });

export const prometheusMetricSourceSchema = z.union([
  promqlTemplate,
  z.strictObject({
    /** Counter of the counted outcome, e.g. responses with a 5xx code. */
    events: promqlTemplate,
    /** Counter of all outcomes, e.g. all responses. */
    total: promqlTemplate,
  }),
]);

/**
 * Feedback events (JSONL) naming the variant that served them: `field` is 0/1 or true/false (a
 * proportion) or a number (a mean), as `kind` says. Events before the rollout started are not counted.
 */
export const feedbackMetricSourceSchema = z.strictObject({
  /** The JSONL file, relative to llmops.yaml. */
  file: z.string().min(1),
  /** The outcome's field (dotted path for nested fields). */
  field: z.string().min(1),
  /**
   * The field naming the variant: its value is the router's server name for the variant, the
   * words `stable`/`canary`, or the digest of the version that served the request.
   */
  variantField: z.string().min(1).default("variant"),
  /** The event's time (ISO 8601 or epoch milliseconds); events without it are counted. */
  timeField: z.string().min(1).default("at"),
  /**
   * `proportion` (every value true/false or 0/1) or `mean` (numbers). Without it the values
   * decide, which can change between analyses: a 1–5 rating whose first events are all 1 would
   * be judged as a proportion until a 3 arrives. Set it.
   */
  kind: z.enum(["proportion", "mean"]).optional(),
});

export const canaryMetricSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, "expected a metric name: letters, digits, _ . - (max 64)"),
    prometheus: prometheusMetricSourceSchema.optional(),
    feedback: feedbackMetricSourceSchema.optional(),
    /** Whether larger values are better; default lower for a metric with `max`, higher otherwise. */
    direction: z.enum(["higher", "lower"]).optional(),
    /** The candidate's value must stay at or below this. */
    max: z.number().optional(),
    /** The candidate's value must stay at or above this. */
    min: z.number().optional(),
    /** Non-inferiority margin: the candidate may be worse than stable by at most this (absolute). */
    noWorseThan: z.number().nonnegative().optional(),
    /**
     * Judged at every analysis from the first request on (a failure rolls back at once); other
     * metrics are judged once a step has its `minRequests`.
     */
    guardrail: z.boolean().default(false),
  })
  .superRefine((metric, ctx) => {
    const sources = [metric.prometheus, metric.feedback].filter((s) => s !== undefined).length;
    if (sources !== 1) ctx.addIssue({ code: "custom", message: "expected exactly one source: prometheus or feedback" });
    if (metric.max === undefined && metric.min === undefined && metric.noWorseThan === undefined) {
      ctx.addIssue({ code: "custom", message: "expected a criterion: max, min or noWorseThan" });
    }
    if (metric.max !== undefined && metric.min !== undefined && metric.min > metric.max) {
      ctx.addIssue({ code: "custom", path: ["min"], message: `expected min ≤ max (${metric.max})` });
    }
  });
export type CanaryMetricConfig = z.infer<typeof canaryMetricSchema>;

/** Whether larger values of a metric are better: as configured, else lower when it has a `max` only. */
export function metricDirection(metric: Pick<CanaryMetricConfig, "direction" | "max" | "min">): "higher" | "lower" {
  return metric.direction ?? (metric.max !== undefined && metric.min === undefined ? "lower" : "higher");
}

export const canaryStrategySchema = z
  .strictObject({
    /** Percent of traffic to the candidate at each step, increasing; the last must be 100. */
    steps: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .refine((steps) => steps.every((s, i) => i === 0 || s > steps[i - 1]!), "expected increasing percentages")
      .refine((steps) => steps.at(-1) === 100, "expected the last step to be 100"),
    /** Requests each variant with traffic must have served during a step before it may advance. */
    minRequests: z.number().int().min(1).default(100),
    /** How long a rollout may take from its start; beyond it the next analysis rolls back. */
    maxDuration: durationSchema.prefault("24h"),
    /** Shortest time a step lasts before it may advance, however many requests it saw. */
    minStepDuration: durationSchema.prefault("0s"),
    /** Overall false-alarm rate of a rollout's analyses (split evenly across its metrics and steps). */
    alpha: z.number().gt(0).lt(0.5).default(0.05),
    router: routerConfigSchema,
    /** At least one: a rollout judged on request counts alone would advance on no evidence. */
    metrics: z
      .array(canaryMetricSchema)
      .min(1, "expected at least one metric: without one, a rollout would advance on request counts alone"),
    /** Prometheus' base URL, for metrics with a `prometheus` source. */
    prometheus: z.url().optional(),
    /** Deploy the candidate into the canary slot at `canary start` (rolled back by an abort). */
    targets: z.array(targetConfigSchema).default([]),
  })
  .superRefine((canary, ctx) => {
    const names = new Set<string>();
    canary.metrics.forEach((metric, index) => {
      if (names.has(metric.name))
        ctx.addIssue({ code: "custom", path: ["metrics", index, "name"], message: `metric "${metric.name}" is listed twice` });
      names.add(metric.name);
      if (metric.prometheus !== undefined && canary.prometheus === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["prometheus"],
          message: `metric "${metric.name}" reads Prometheus: expected prometheus: <base URL>`,
        });
      }
    });
  });
export type CanaryStrategyConfig = z.infer<typeof canaryStrategySchema>;

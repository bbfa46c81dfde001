import { digestSchema } from "@llmops/core";
import { judgementSchema } from "@llmops/eval";
import { z } from "zod";
import { RECORD_LIMITS } from "../record-limits.ts";

/**
 * A canary rollout's state as one promotion record leaves it. The newest record of a rollout is
 * its state: a later run (a cron, a resumed runner) reads it back and continues from there, so
 * everything a decision needs that cannot be read again (counters at the step's start, the steps
 * as they were when it started) is kept here.
 */

const name = () => z.string().max(RECORD_LIMITS.name);
const text = () => z.string().max(RECORD_LIMITS.text);
const count = () => z.number().int().nonnegative();

/**
 * - `start`: the candidate was deployed to the canary slot and got the first step's traffic;
 * - `hold`: not enough requests or time yet, or data missing (never advance on missing data);
 * - `advance`: the step passed; traffic moved to the next one;
 * - `complete`: the last step passed; the candidate was promoted (alias moved);
 * - `rollback`: a metric failed or the rollout ran out of time; traffic back to stable;
 * - `abort`: stopped by hand; traffic back to stable.
 */
export const CANARY_DECISIONS = ["start", "hold", "advance", "complete", "rollback", "abort"] as const;
export const canaryDecisionSchema = z.enum(CANARY_DECISIONS);
export type CanaryDecision = z.infer<typeof canaryDecisionSchema>;

/** Decisions after which the rollout is over. */
export const TERMINAL_DECISIONS: readonly CanaryDecision[] = ["complete", "rollback", "abort"];

export const requestCountsSchema = z.strictObject({ stable: count(), canary: count() });
export type RequestCounts = z.infer<typeof requestCountsSchema>;

export const canaryMetricResultSchema = z.strictObject({
  name: name(),
  guardrail: z.boolean(),
  judgement: judgementSchema,
  /** The queries or file the numbers came from. */
  sources: z.array(text()).max(8).default([]),
  /** Why there is no data (the source failed), one line. */
  error: text().optional(),
});
export type CanaryMetricResult = z.infer<typeof canaryMetricResultSchema>;

export const canaryStateSchema = z.strictObject({
  decision: canaryDecisionSchema,
  /** Index into `steps` of the step in force after this decision. */
  step: z.number().int().min(0).max(99),
  /** The steps (percent to the candidate) the rollout started with: a config edit mid-rollout does not change them. */
  steps: z.array(z.number().int().min(1).max(100)).min(1).max(100),
  /** Percent of traffic the candidate gets after this decision (0 once rolled back or aborted). */
  percent: z.number().int().min(0).max(100),
  stable: digestSchema,
  candidate: digestSchema,
  startedAt: z.iso.datetime(),
  stepStartedAt: z.iso.datetime(),
  /**
   * How requests per step are counted: the router's counters (HAProxy) or the largest sample size
   * among the metrics with counts; `baseline` is that count when the step started.
   */
  counter: z.enum(["router", "metrics"]),
  baseline: requestCountsSchema,
  /** Requests each slot served during the step, at this decision. */
  requests: requestCountsSchema.optional(),
  metrics: z.array(canaryMetricResultSchema).max(RECORD_LIMITS.items).default([]),
  /** Why it decided so, one line each. */
  reasons: z.array(text()).max(RECORD_LIMITS.items).default([]),
  /** The router after the decision: its one-line summary. */
  router: text().optional(),
  /** Digest of the rollout's record this one follows: two runners deciding on one state are caught. */
  previous: digestSchema.optional(),
});
export type CanaryState = z.infer<typeof canaryStateSchema>;

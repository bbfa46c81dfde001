import { z } from "zod";
import { digestSchema } from "./results.ts";

/**
 * The promotion record contract: `promotion.json`, an event-sourced referrer
 * (`application/vnd.llmops.promotion.v1+json`, PROMOTION_ARTIFACT_TYPE) of the version it is
 * about. @llmops/promote writes and reads it; @llmops/operate's monitor reads it to find the
 * evidence the serving version was promoted on, and may not import promote. Its one home is
 * therefore here, beside the other result formats every layer shares: a field changed here changes
 * the writer and every reader at once.
 */

/**
 * Bounds of the strings a record holds. Records are read back from a store anyone with write
 * access can fill, so a reader refuses (skips) one beyond them; the writer clips the free text it
 * got from elsewhere (a target's error, a smoke run's first case error, an approver's comment) to
 * them, so writing never fails on length.
 */
export const RECORD_LIMITS = {
  /** Names: environment, artifact, alias, suite, version tag, actor, login, metric. */
  name: 256,
  /** Free text: a reason, a target's summary, a smoke error, an approver's comment. */
  text: 4000,
  /** URLs and git refs. */
  url: 2048,
  /** Entries of each list (evidence, approvers, targets). */
  items: 100,
} as const;

const name = () => z.string().max(RECORD_LIMITS.name);
const text = () => z.string().max(RECORD_LIMITS.text);
const url = () => z.string().max(RECORD_LIMITS.url);
const count = () => z.number().int().nonnegative();

export const PROMOTION_FILE = "promotion.json";
/** The largest promotion.json read back (records are far smaller; a larger one is foreign). */
export const PROMOTION_FILE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Annotations of a record's referrer, copied from the record so a reader can pass over records of
 * other environments and events without reading their file. They are the writer's word only: a
 * reader checks the record's own fields again.
 */
export const ANNOTATION_ENVIRONMENT = "dev.llmops.environment";
export const ANNOTATION_EVENT = "dev.llmops.event";
export const ANNOTATION_PROMOTION = "dev.llmops.promotion";
export const ANNOTATION_CREATED = "org.opencontainers.image.created";

/**
 * Every event a promotion record may carry, in one place. Rollouts (canary steps) add theirs here;
 * readers skip records whose event they do not know instead of failing.
 *
 * - `proposed`: a target only proposed the change (a gitops pull request awaits merging); the
 *   alias was not moved and nothing is in service. Never counts as having been in the environment.
 * - `canary-started`, `canary-analyzed`: a canary rollout began, or one of its analyses decided
 *   (hold, advance); its end is `promoted` (complete) or `rolled-back` (a failed analysis, a
 *   timeout, an abort), each with the rollout's `canary` state.
 */
export const PROMOTION_EVENTS = [
  "promoted",
  "smoke-passed",
  "smoke-failed",
  "rolled-back",
  "refused",
  "failed",
  "proposed",
  "canary-started",
  "canary-analyzed",
] as const;
export const promotionEventSchema = z.enum(PROMOTION_EVENTS);
export type PromotionEvent = z.infer<typeof promotionEventSchema>;

// --- Judgements: a canary analysis stores them in the record, `llmops ab analyze` prints them. ---

export const metricStatusSchema = z.enum(["pass", "fail", "inconclusive", "no-data"]);
export type MetricStatus = z.infer<typeof metricStatusSchema>;

/** A variant's value and its anytime-valid interval; an absent end is unbounded (a mean of one value). */
export const variantSummarySchema = z.strictObject({
  /** Observations; absent for a bare value. */
  n: z.number().int().nonnegative().optional(),
  value: z.number(),
  low: z.number().optional(),
  high: z.number().optional(),
});
export type VariantSummary = z.infer<typeof variantSummarySchema>;

/**
 * What @llmops/eval's `judge()` decided about one metric. Bounded throughout: judgements are
 * stored in records that are read back from a registry.
 */
export const judgementSchema = z.strictObject({
  status: metricStatusSchema,
  /** "sequential" for counts and moments (anytime-valid intervals), "threshold" for bare values. */
  method: z.enum(["sequential", "threshold"]),
  /** The judgement's overall false-alarm rate (criteria.alpha). */
  alpha: z.number().gt(0).lt(1),
  /** α of each interval shown: alpha, or alpha/2 when both the value and the difference are judged. */
  intervalAlpha: z.number().gt(0).lt(1),
  control: variantSummarySchema.optional(),
  treatment: variantSummarySchema.optional(),
  /**
   * Treatment − control with its anytime-valid interval; absent while either variant has no data
   * or the interval is unbounded (a mean of one value), and for bare values, which carry no
   * uncertainty (their point difference is in the reasons; both values are above).
   */
  difference: z.strictObject({ estimate: z.number(), low: z.number(), high: z.number() }).optional(),
  /** One line per criterion, for people. */
  reasons: z.array(z.string().min(1).max(400)).min(1).max(8),
});
export type Judgement = z.infer<typeof judgementSchema>;

// --- Canary state: a rollout's state as one promotion record leaves it. ---
//
// The newest record of a rollout is its state: a later run (a cron, a resumed runner) reads it back
// and continues from there, so everything a decision needs that cannot be read again (counters at
// the step's start, the steps as they were when it started) is kept here.

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

// --- The record. ---

/** One eval run a requirement counted: the evidence referrer and what its summary said. */
export const evidenceRefSchema = z.strictObject({
  suite: name(),
  /** Digest of the eval referrer. */
  digest: digestSchema,
  passed: z.boolean(),
  finishedAt: z.string().max(64),
  /** The git ref of the run that recorded it (`refs/heads/main`), when recorded. */
  ref: url().optional(),
});
export type EvidenceRef = z.infer<typeof evidenceRefSchema>;

export const approverSchema = z.strictObject({
  login: name(),
  state: name(),
  comment: text().optional(),
});
export type ApproverRecord = z.infer<typeof approverSchema>;

export const targetResultSchema = z.strictObject({
  type: z.enum(["model-repository", "gitops", "webhook", "command"]),
  summary: text(),
  details: z.record(z.string().max(RECORD_LIMITS.name), z.unknown()),
  /** The change awaits someone (a pull request to merge); see TargetResult.pending in @llmops/promote. */
  pending: z.boolean().optional(),
});

export const deploymentRefSchema = z.strictObject({ id: z.number().int(), url: url() });

export const smokeSummarySchema = z.strictObject({
  suite: name(),
  passed: z.boolean(),
  /** Headline value of each metric (`pass_rate`, scorer names …). */
  metrics: z.record(name(), z.number()),
  /** The eval referrer the smoke run was recorded as on the version, when it completed. */
  evidenceDigest: digestSchema.optional(),
  /** It ran out of `smoke.timeoutMs` (aborted; counts as failed). */
  timedOut: z.boolean().optional(),
  /** Why it failed, in one line, when it is not the gates (an error, a timeout). */
  error: text().optional(),
});
export type SmokeSummary = z.infer<typeof smokeSummarySchema>;

/** `promotion.json`. `from`/`to` describe the alias as this event left it (`to` = where it points after). */
export const promotionRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  event: promotionEventSchema,
  /** The promotion's id (a UUID): every record of one promotion shares it. */
  id: name().min(1),
  environment: name(),
  name: name(),
  alias: name(),
  from: digestSchema.nullable(),
  to: digestSchema,
  version: name().optional(),
  evidence: z.array(evidenceRefSchema).max(RECORD_LIMITS.items).default([]),
  approvers: z.array(approverSchema).max(RECORD_LIMITS.items).default([]),
  actor: name().optional(),
  runUrl: url().optional(),
  git: z.strictObject({ commit: name().optional(), ref: url().optional() }).default({}),
  at: z.iso.datetime(),
  targets: z.array(targetResultSchema).max(RECORD_LIMITS.items).default([]),
  deployment: deploymentRefSchema.optional(),
  smoke: smokeSummarySchema.optional(),
  reason: text().optional(),
  /** A canary rollout's state as this record left it (every record of a rollout shares its `id`). */
  canary: canaryStateSchema.optional(),
});
export type PromotionRecord = z.infer<typeof promotionRecordSchema>;
export type PromotionRecordInput = z.input<typeof promotionRecordSchema>;

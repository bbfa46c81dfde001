import { z } from "zod";

/**
 * The result formats every layer shares: eval writes them, compare and report read them, the
 * store records them as evidence. Changing a field here changes the machine interface.
 */

export const digestSchema = z.string().regex(/^sha256:[a-f0-9]{64}$/, "expected a sha256 digest (sha256:<64 hex>)");

/** What one scorer said about one output. `score` is in [0, 1] unless the scorer says otherwise. */
export const scoreSchema = z.object({
  /** The scorer's name as configured (unique within a suite), which is also its metric name. */
  name: z.string(),
  type: z.string(),
  score: z.number(),
  pass: z.boolean(),
  weight: z.number().nonnegative().default(1),
  reason: z.string().optional(),
});
export type Score = z.infer<typeof scoreSchema>;

export const tokenUsageSchema = z.object({
  prompt: z.number().int().nonnegative(),
  completion: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

/**
 * Metrics of the call rather than of the answer: time, tokens and money. A summary has them only
 * when cases recorded them (`cost` needs pricing; the ttft ones and `tokens_per_second` streaming),
 * a comparison therefore tests them only where both sides have them, and a quality monitor leaves
 * them out unless asked, since they measure the serving path.
 */
export const CALL_METRICS = ["latency_ms", "cost", "tokens", "ttft_ms", "ttft_ms_p50", "ttft_ms_p95", "tokens_per_second"] as const;

/** A tool call the model made: `arguments` parsed from JSON (the raw string when it was not JSON). */
export const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.unknown() });
export type ToolCall = z.infer<typeof toolCallSchema>;

/** Passages a RAG application retrieved: one text or a list, bounded by the provider that reads them. */
export const retrievedContextSchema = z.union([z.string(), z.array(z.string())]);

/** One answered tool call of an agent run, in the order made. */
export const trajectoryStepSchema = z.object({
  /** The model call (1-based) that made it. */
  turn: z.number().int().positive(),
  call: toolCallSchema,
  result: z.unknown().optional(),
  error: z.string().optional(),
  /** Where the answer came from: a case fixture, a module tool, or none found (then `error`). */
  source: z.enum(["fixture", "module", "missing"]),
});
export type TrajectoryStep = z.infer<typeof trajectoryStepSchema>;

/**
 * Why the model stopped, in OpenAI's words whatever the API: `stop`, `length`, `tool_calls`,
 * `content_filter` (Anthropic's end_turn/stop_sequence, max_tokens, tool_use, refusal map to them);
 * another API value is kept as it is.
 */
export const finishReasonSchema = z.string();

/** One line of `results.jsonl`: one case, one repeat. */
export const caseResultSchema = z.object({
  /** Stable case id: the case's `id`, or a hash of its vars and expected value. */
  id: z.string(),
  /** Position of the case in the suite, so results can be written in case order. */
  index: z.number().int().nonnegative(),
  repeat: z.number().int().nonnegative().default(0),
  vars: z.record(z.string(), z.unknown()),
  expected: z.unknown().optional(),
  /** Slice labels (from case tags/metadata): `{ language: "de" }`. */
  tags: z.record(z.string(), z.string()).default({}),
  provider: z.string(),
  prompt: z.string().optional(),
  output: z.string().nullable(),
  error: z.string().nullable(),
  scores: z.array(scoreSchema),
  /** The case passed its scorers (for repeats: this repeat passed). */
  pass: z.boolean(),
  latencyMs: z.number().nonnegative(),
  tokens: tokenUsageSchema.nullable(),
  cost: z.number().nonnegative().nullable(),
  cached: z.boolean().default(false),
  /** What a RAG application retrieved for this answer, when its provider reports it (the RAG judges read it). */
  retrievedContext: retrievedContextSchema.optional(),
  /** The tool calls of the model's last reply (absent when it made none). */
  toolCalls: z.array(toolCallSchema).optional(),
  finishReason: finishReasonSchema.nullable().optional(),
  /** Agent runs: every tool call answered before the final reply, and the number of model calls. */
  trajectory: z.array(trajectoryStepSchema).optional(),
  turns: z.number().int().positive().optional(),
  /** Streaming: milliseconds from sending the request to the first content or tool-call delta (first turn). */
  ttftMs: z.number().nonnegative().nullable().optional(),
  /** Streaming: output tokens over the time from the first to the last delta (all turns). */
  tokensPerSecond: z.number().nonnegative().nullable().optional(),
});
export type CaseResult = z.infer<typeof caseResultSchema>;

export const intervalSchema = z.object({
  low: z.number(),
  high: z.number(),
  level: z.number().default(0.95),
  method: z.enum(["wilson", "bootstrap", "none"]),
});
export type Interval = z.infer<typeof intervalSchema>;

/** A metric over cases: `rate` for 0/1 outcomes (Wilson), `mean` for scores (bootstrap), `corpus` for corpus-level statistics such as BLEU. */
export const metricSummarySchema = z.object({
  name: z.string(),
  kind: z.enum(["rate", "mean", "corpus"]),
  n: z.number().int().nonnegative(),
  mean: z.number(),
  sd: z.number().nonnegative(),
  ci: intervalSchema,
  /** Whether larger values are better (false for latency, cost, error_rate). */
  higherIsBetter: z.boolean().default(true),
});
export type MetricSummary = z.infer<typeof metricSummarySchema>;

export const gateResultSchema = z.object({
  /** Human description, e.g. `accuracy >= 0.8 on language=de`. */
  description: z.string(),
  metric: z.string(),
  slice: z.string().optional(),
  actual: z.number().nullable(),
  threshold: z.number(),
  passed: z.boolean(),
  reason: z.string().optional(),
});
export type GateResult = z.infer<typeof gateResultSchema>;

export const sliceSummarySchema = z.object({
  /** Tag key and value defining the slice. */
  key: z.string(),
  value: z.string(),
  metrics: z.array(metricSummarySchema),
});
export type SliceSummary = z.infer<typeof sliceSummarySchema>;

export const artifactPinSchema = z.object({ ref: z.string(), digest: digestSchema });

/** `summary.json` of one eval run of one suite. */
export const runSummarySchema = z.object({
  schemaVersion: z.literal(1),
  suite: z.string(),
  /** sha256 of the canonical JSON of the suite's resolved config: proves which suite ran. */
  suiteDigest: digestSchema,
  model: artifactPinSchema.optional(),
  dataset: artifactPinSchema.optional(),
  providers: z.array(z.string()),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** False when the run was interrupted or is a single shard: never reported as a full run. */
  complete: z.boolean(),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
  cases: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  metrics: z.array(metricSummarySchema),
  slices: z.array(sliceSummarySchema).default([]),
  gates: z.array(gateResultSchema).default([]),
  passed: z.boolean(),
  /** Path of the per-case JSONL, relative to the summary. */
  results: z.string().default("results.jsonl"),
  git: z.object({ commit: z.string().optional(), ref: z.string().optional() }).optional(),
  runUrl: z.string().optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const verdictSchema = z.enum(["significant regression", "significant improvement", "no significant change"]);
export type MetricVerdict = z.infer<typeof verdictSchema>;

export const metricComparisonSchema = z.object({
  name: z.string(),
  kind: z.enum(["rate", "mean", "corpus"]),
  higherIsBetter: z.boolean(),
  /** Cases with a value on both sides. */
  n: z.number().int().nonnegative(),
  baseline: z.number(),
  head: z.number(),
  delta: z.number(),
  relativeDelta: z.number().nullable(),
  /** Paired bootstrap interval of head - baseline. */
  ci: intervalSchema,
  /** `none` when the per-case values do not allow a paired test (then `note` says why and the verdict is "no significant change"). */
  test: z.enum(["mcnemar-exact", "paired-bootstrap", "none"]),
  pValue: z.number().min(0).max(1),
  /** Holm-adjusted across the compared metrics. */
  pAdjusted: z.number().min(0).max(1),
  verdict: verdictSchema,
  /** Why a metric could not be tested, or how it was computed when that is not obvious. */
  note: z.string().optional(),
});
export type MetricComparison = z.infer<typeof metricComparisonSchema>;

export const flippedCaseSchema = z.object({
  id: z.string(),
  direction: z.enum(["pass-to-fail", "fail-to-pass"]),
  input: z.string(),
  expected: z.string().optional(),
  baselineOutput: z.string().nullable(),
  headOutput: z.string().nullable(),
});
export type FlippedCase = z.infer<typeof flippedCaseSchema>;

/** `comparison.json`: head vs baseline for one suite. */
export const comparisonSchema = z.object({
  schemaVersion: z.literal(1),
  suite: z.string(),
  baseline: z.object({
    source: z.enum(["alias", "branch", "file", "none"]),
    description: z.string(),
    digest: digestSchema.optional(),
  }),
  matched: z.number().int().nonnegative(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.string()),
  metrics: z.array(metricComparisonSchema),
  flips: z.array(flippedCaseSchema),
  gates: z.array(gateResultSchema),
  verdict: z.enum(["pass", "fail"]),
});
export type Comparison = z.infer<typeof comparisonSchema>;

/**
 * The compare report directory, written by the compare pipeline (`llmops compare`,
 * `actions/compare`) and read back by the fork-safe flow's second stage (`actions/report`):
 *
 *     report.json             the index: which suites, in which directories (compareReportSchema)
 *     summary.md              every suite's Markdown (the job summary)
 *     <directory>/comparison.json   one suite's comparison (comparisonSchema)
 *     <directory>/comment.md        one suite's Markdown (its sticky comment and check run)
 */
export const COMPARE_REPORT_FILE = "report.json";
export const COMPARE_SUMMARY_FILE = "summary.md";
export const COMPARISON_FILE = "comparison.json";
export const COMPARISON_COMMENT_FILE = "comment.md";

const regressionListSchema = z.object({
  /** Metrics with a significant regression. */
  metrics: z.array(z.string()),
  /** Descriptions of the failed gates. */
  gates: z.array(z.string()),
});

/**
 * `report.json`. A reader of a report it did not write (a fork's run) trusts only the suite list:
 * verdicts are recomputed from each comparison's gates, so the verdict fields are optional and
 * a report listing only its suites is read the same.
 */
export const compareReportSchema = z.object({
  schemaVersion: z.literal(1),
  verdict: z.enum(["pass", "fail"]).optional(),
  /** The commit the report is about (the pull request's head), when run for one. */
  sha: z.string().optional(),
  pullRequest: z.number().int().positive().optional(),
  suites: z.array(
    z.object({
      suite: z.string(),
      /** The suite's directory: one path segment below the report directory, never `.` or `..`. */
      directory: z.string().regex(/^(?!\.\.?$)[A-Za-z0-9_.-]+$/, "expected one directory name (letters, digits, . _ -)"),
      verdict: z.enum(["pass", "fail"]).optional(),
      regressions: regressionListSchema.optional(),
    }),
  ),
});
export type CompareReport = z.infer<typeof compareReportSchema>;

/** One point of a metric's trend over recent baselines (a version label and the metric's value there). */
export interface HistoryPoint {
  label: string;
  value: number;
}

/**
 * How every number of a result is shown to people — tables, gate descriptions and reasons, CLI
 * output — so the same value reads the same everywhere: integers as they are; otherwise 4
 * significant digits with trailing zeros dropped (0.8333, 0.9, 0.0005, 12.35), except that digits
 * before the decimal point are never dropped (1235, not 1.235e+3). Four digits tell apart the
 * rates and deltas a review looks at without the float noise of a mean (0.30000000000000004 is
 * 0.3); small values such as a cost per case keep their digits instead of becoming 0.000.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number.isInteger(value) ? value : Math.abs(value) >= 1000 ? Number(value.toFixed(0)) : Number(value.toPrecision(4));
  return String(rounded); // String(-0) is "0"
}

/** formatNumber with an explicit `+` on positive values: deltas. */
export function formatSigned(value: number): string {
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

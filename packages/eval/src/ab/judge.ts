import { formatNumber, formatSigned, InputError, type Judgement, type MetricStatus, type VariantSummary } from "@llmops/core";
import { z } from "zod";
import { differenceConfidenceSequence, meanConfidenceSequence, proportionConfidenceSequence } from "../stats/sequential.ts";
import { type Sample, sampleSchema } from "./sample.ts";

/**
 * The one decision a canary analysis and `llmops ab analyze` share: does the treatment (canary,
 * candidate) meet its criteria, judging from live samples of it and of the control (stable)?
 */

/** What a metric must satisfy. At least one of max, min, noWorseThan. */
export const criteriaSchema = z
  .strictObject({
    /** Names the metric in reasons ("error_rate 0.034 … is above max 0.01"); default "metric". */
    name: z.string().min(1).max(64).optional(),
    direction: z.enum(["higher", "lower"]),
    /** The treatment's own value must stay at or below this. */
    max: z.number().optional(),
    /** The treatment's own value must stay at or above this. */
    min: z.number().optional(),
    /** Non-inferiority margin δ ≥ 0: treatment − control may be worse than 0 by at most δ (absolute). */
    noWorseThan: z.number().nonnegative().optional(),
    /**
     * False-alarm rate of the whole judgement. When both the treatment's own value (max/min) and
     * the difference (noWorseThan) are judged, each of the two intervals gets α/2 (Bonferroni), so a
     * treatment that truly meets every criterion fails with probability at most α, however often
     * it is judged. A caller judging several metrics splits its own α across them.
     */
    alpha: z.number().gt(0).lt(1),
    /** Sample size where the normal-mixture intervals are tightest (see stats/sequential.ts). */
    optimizeAt: z.number().positive().optional(),
  })
  .superRefine((criteria, ctx) => {
    if (criteria.max === undefined && criteria.min === undefined && criteria.noWorseThan === undefined)
      ctx.addIssue({ code: "custom", message: "expected a criterion: max, min or noWorseThan" });
    if (criteria.max !== undefined && criteria.min !== undefined && criteria.min > criteria.max)
      ctx.addIssue({ code: "custom", path: ["min"], message: `expected min <= max (${criteria.max})` });
  });
export type Criteria = z.infer<typeof criteriaSchema>;

// The judgement's schema lives in @llmops/core: canary states in promotion records store it, and
// the monitor reads those records without depending on eval. Re-exported so eval's API is unchanged.
export type { Judgement, MetricStatus, VariantSummary } from "@llmops/core";
export { judgementSchema, metricStatusSchema, variantSummarySchema } from "@llmops/core";

/** Samples of different kinds (a bare value beside counts) cannot be compared. */
export class SampleKindMismatchError extends InputError {
  constructor(metric: string, control: Sample["kind"], treatment: Sample["kind"]) {
    super(`${metric}: the control is a ${control} sample but the treatment a ${treatment} sample; both must be of one kind`);
    this.name = "SampleKindMismatchError";
  }
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`).join("; ");
}

function isEmpty(sample: Sample | null): sample is null {
  return sample === null || (sample.kind !== "value" && sample.n === 0);
}

/** JSON has no infinity: an unbounded end is left out. */
function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

function summarize(sample: Sample, alpha: number, optimizeAt: number | undefined): VariantSummary {
  if (sample.kind === "value") return { value: sample.value };
  const interval =
    sample.kind === "proportion"
      ? proportionConfidenceSequence(sample.successes, sample.n, alpha)
      : meanConfidenceSequence(sample, alpha, optimizeAt === undefined ? {} : { optimizeAt });
  const value = sample.kind === "proportion" ? sample.successes / sample.n : sample.mean;
  const summary: VariantSummary = { n: sample.n, value };
  const low = finite(interval.low);
  const high = finite(interval.high);
  if (low !== undefined) summary.low = low;
  if (high !== undefined) summary.high = high;
  return summary;
}

function shown(low: number | undefined, high: number | undefined): string {
  return `[${low === undefined ? "-inf" : formatNumber(low)}, ${high === undefined ? "inf" : formatNumber(high)}]`;
}

interface Verdict {
  status: MetricStatus;
  reason: string;
}

/** Three-way comparison of an interval with a threshold: entirely above, entirely below, or across. */
function side(low: number | undefined, high: number | undefined, threshold: number): "above" | "below" | "across" {
  if (low !== undefined && low > threshold) return "above";
  if (high !== undefined && high < threshold) return "below";
  return "across";
}

function judgeMax(name: string, t: VariantSummary, max: number, sequential: boolean): Verdict {
  const what = sequential ? `${name} ${formatNumber(t.value)} ${shown(t.low, t.high)}` : `${name} ${formatNumber(t.value)}`;
  if (!sequential)
    return t.value > max
      ? { status: "fail", reason: `${what} is above max ${formatNumber(max)}` }
      : { status: "pass", reason: `${what} is at most max ${formatNumber(max)}` };
  if (t.low !== undefined && t.low > max) return { status: "fail", reason: `${what} is above max ${formatNumber(max)}` };
  if (t.high !== undefined && t.high <= max) return { status: "pass", reason: `${what} is at most max ${formatNumber(max)}` };
  return { status: "inconclusive", reason: `${what} includes max ${formatNumber(max)}: not decided yet` };
}

function judgeMin(name: string, t: VariantSummary, min: number, sequential: boolean): Verdict {
  const what = sequential ? `${name} ${formatNumber(t.value)} ${shown(t.low, t.high)}` : `${name} ${formatNumber(t.value)}`;
  if (!sequential)
    return t.value < min
      ? { status: "fail", reason: `${what} is below min ${formatNumber(min)}` }
      : { status: "pass", reason: `${what} is at least min ${formatNumber(min)}` };
  if (t.high !== undefined && t.high < min) return { status: "fail", reason: `${what} is below min ${formatNumber(min)}` };
  if (t.low !== undefined && t.low >= min) return { status: "pass", reason: `${what} is at least min ${formatNumber(min)}` };
  return { status: "inconclusive", reason: `${what} includes min ${formatNumber(min)}: not decided yet` };
}

/**
 * Non-inferiority: with higher-is-better the treatment fails when even the top of the interval of
 * t − c is below −δ and passes when its bottom is above −δ; lower-is-better mirrors this at +δ. A
 * bare difference exactly at the margin is within it.
 */
function judgeDifference(
  name: string,
  d: { estimate: number; low?: number; high?: number },
  delta: number,
  direction: Criteria["direction"],
  sequential: boolean,
): Verdict {
  const bound = direction === "higher" ? -delta : delta;
  const what = `${name} treatment - control ${formatSigned(d.estimate)}${sequential ? ` ${shown(d.low, d.high)}` : ""}`;
  const margin = `${formatSigned(bound)} (noWorseThan ${formatNumber(delta)})`;
  const [worse, better] = direction === "higher" ? (["below", "above"] as const) : (["above", "below"] as const);
  if (!sequential) {
    const isWorse = direction === "higher" ? d.estimate < bound : d.estimate > bound;
    return isWorse
      ? { status: "fail", reason: `${what} is ${worse} ${margin}` }
      : { status: "pass", reason: `${what} is not ${worse} ${margin}` };
  }
  const where = side(d.low, d.high, bound);
  if (where === worse) return { status: "fail", reason: `${what} is ${worse} ${margin}` };
  if (where === better) return { status: "pass", reason: `${what} is ${better} ${margin}` };
  return { status: "inconclusive", reason: `${what} includes ${margin}: not decided yet` };
}

function overall(statuses: MetricStatus[]): MetricStatus {
  if (statuses.includes("fail")) return "fail";
  if (statuses.includes("no-data")) return "no-data";
  if (statuses.includes("inconclusive")) return "inconclusive";
  return "pass";
}

/**
 * Judges a treatment against `criteria` from samples of it and of the control. Counts and moments
 * are judged with anytime-valid intervals (stats/sequential.ts), so the judgement may be repeated
 * after every batch: `max`/`min` fail when the treatment's interval lies entirely beyond the
 * threshold and pass when entirely within; `noWorseThan` judges the interval of treatment − control
 * against the margin on the worse side. Bare values are compared as points ("threshold").
 *
 * Each criterion gets a status; overall: fail if any fails (a failure seen on the treatment alone
 * counts even while the control has no data), else no-data if a criterion lacks a sample (null or
 * n = 0), else inconclusive if any is undecided, else pass.
 *
 * Throws InputError for invalid criteria or samples, SampleKindMismatchError for mixed kinds.
 */
export function judgeSequential(control: Sample | null, treatment: Sample | null, criteria: Criteria): Judgement {
  const parsed = criteriaSchema.safeParse(criteria);
  if (!parsed.success) throw new InputError(`criteria: ${issues(parsed.error)}`);
  const { direction, max, min, noWorseThan, alpha, optimizeAt } = parsed.data;
  const name = parsed.data.name ?? "metric";
  for (const [label, sample] of [
    ["control", control],
    ["treatment", treatment],
  ] as const) {
    if (sample === null) continue;
    const valid = sampleSchema.safeParse(sample);
    if (!valid.success) throw new InputError(`${name}: ${label} sample: ${issues(valid.error)}`);
    if (valid.data.kind === "proportion" && valid.data.successes > valid.data.n)
      throw new InputError(`${name}: ${label} sample: ${valid.data.successes} successes out of ${valid.data.n}`);
  }
  if (control !== null && treatment !== null && control.kind !== treatment.kind)
    throw new SampleKindMismatchError(name, control.kind, treatment.kind);

  const kind = (treatment ?? control)?.kind ?? "proportion";
  const sequential = kind !== "value";
  const judgesValue = max !== undefined || min !== undefined;
  const judgesDifference = noWorseThan !== undefined;
  const intervalAlpha = sequential && judgesValue && judgesDifference ? alpha / 2 : alpha;

  const c = isEmpty(control) ? undefined : summarize(control, intervalAlpha, optimizeAt);
  const t = isEmpty(treatment) ? undefined : summarize(treatment, intervalAlpha, optimizeAt);
  // The difference as judged: bare values compare points; an unbounded interval decides nothing.
  let compared: { estimate: number; low?: number; high?: number } | undefined;
  let difference: Judgement["difference"];
  if (control !== null && treatment !== null && c && t) {
    if (control.kind === "value" || treatment.kind === "value") compared = { estimate: t.value - c.value };
    else {
      const sequence = differenceConfidenceSequence(control, treatment, intervalAlpha, optimizeAt === undefined ? {} : { optimizeAt });
      compared = { estimate: sequence.estimate };
      const low = finite(sequence.low);
      const high = finite(sequence.high);
      if (low !== undefined) compared.low = low;
      if (high !== undefined) compared.high = high;
      if (low !== undefined && high !== undefined) difference = { estimate: sequence.estimate, low, high };
    }
  }

  const missing = (...which: ("control" | "treatment")[]) => {
    const absent = which.filter((w) => (w === "control" ? !c : !t));
    return { status: "no-data" as const, reason: `${name}: no data from the ${absent.join(" or the ")} yet` };
  };
  const verdicts: Verdict[] = [];
  if (max !== undefined) verdicts.push(t ? judgeMax(name, t, max, sequential) : missing("treatment"));
  if (min !== undefined) verdicts.push(t ? judgeMin(name, t, min, sequential) : missing("treatment"));
  if (noWorseThan !== undefined)
    verdicts.push(compared ? judgeDifference(name, compared, noWorseThan, direction, sequential) : missing("control", "treatment"));

  const judgement: Judgement = {
    status: overall(verdicts.map((v) => v.status)),
    method: sequential ? "sequential" : "threshold",
    alpha,
    intervalAlpha,
    reasons: verdicts.map((v) => v.reason),
  };
  if (c) judgement.control = c;
  if (t) judgement.treatment = t;
  if (difference) judgement.difference = difference;
  return judgement;
}

import {
  type CanaryDecision,
  type CanaryMetricConfig,
  type CanaryMetricResult,
  type CanaryState,
  type CanaryStrategyConfig,
  formatDuration,
  InputError,
  metricDirection,
  oneLine,
  type RequestCounts,
} from "@llmops/core";
import { type Judgement, judgeSequential, type Sample } from "@llmops/eval";
import { type MetricSource, type MetricSourceContext, MetricSourceError } from "./metric-source.ts";
import type { RouterReading } from "./router.ts";

/**
 * One analysis of a running canary: read the router's counters and every metric, judge each
 * metric with anytime-valid statistics, and decide hold / advance / complete / rollback. Pure
 * apart from the reads, so `canary analyze` (look only) and `canary advance` (act) share it.
 */

export interface AnalysisInput {
  strategy: CanaryStrategyConfig;
  state: CanaryState;
  /** The router now (undefined for a router that cannot be read). */
  reading: RouterReading | undefined;
  sources: { config: CanaryMetricConfig; source: MetricSource }[];
  context: MetricSourceContext;
  now: Date;
}

export interface Analysis {
  decision: Exclude<CanaryDecision, "start" | "abort">;
  reasons: string[];
  metrics: CanaryMetricResult[];
  /** Requests each slot served during this step (undefined: nothing counts them). */
  requests: RequestCounts | undefined;
  /** The count the next step's requests are measured from (this analysis' counter value). */
  counted: RequestCounts | undefined;
}

export async function analyzeRollout(input: AnalysisInput): Promise<Analysis> {
  const { strategy, state, now } = input;
  const elapsed = now.getTime() - Date.parse(state.startedAt);
  if (elapsed > strategy.maxDuration) {
    // Before any source is read: a source that fails every time must not keep a rollout alive.
    const reasons = [`ran out of time: ${formatDuration(elapsed)} since the start, maxDuration ${formatDuration(strategy.maxDuration)}`];
    return { decision: "rollback", reasons, metrics: [], requests: undefined, counted: undefined };
  }
  const metrics = await judgeMetrics(input);
  const counted = state.counter === "router" ? input.reading?.requests : countFromMetrics(metrics);
  // The router's counters run from its start (the step's baseline subtracted); the metrics' counts
  // are the step's already.
  const requests = counted && state.counter === "router" ? since(counted, state.baseline) : counted;
  const stepElapsed = now.getTime() - Date.parse(state.stepStartedAt);
  const reasons: string[] = [];
  const result = (decision: Analysis["decision"]): Analysis => ({ decision, reasons, metrics, requests, counted });

  // Which slots have traffic in this step, and whether each has served enough of it.
  const short: string[] = [];
  if (requests) {
    if (state.percent > 0 && requests.canary < strategy.minRequests) short.push(`canary ${requests.canary}/${strategy.minRequests}`);
    if (state.percent < 100 && requests.stable < strategy.minRequests) short.push(`stable ${requests.stable}/${strategy.minRequests}`);
  } else {
    short.push("no request counts (the router does not count and no metric has counts)");
  }
  const enough = short.length === 0;

  const failed = metrics.filter((m) => m.judgement.status === "fail" && (m.guardrail || enough));
  if (failed.length > 0) {
    for (const m of failed) reasons.push(`${m.name} failed: ${m.judgement.reasons.join("; ") || "outside its criteria"}`);
    return result("rollback");
  }
  const missing = metrics.filter((m) => m.judgement.status === "no-data");
  for (const m of missing) reasons.push(`no data for ${m.name}${m.error ? ` (${m.error})` : ""}: never advance on missing data`);
  if (!enough) reasons.push(`too few requests this step: ${short.join(", ")}`);
  if (stepElapsed < strategy.minStepDuration) {
    reasons.push(
      `step ${state.step + 1} has run ${formatDuration(stepElapsed)} of minStepDuration ${formatDuration(strategy.minStepDuration)}`,
    );
  }
  const pending = metrics.filter((m) => m.judgement.status === "fail" && !m.guardrail);
  for (const m of pending) reasons.push(`${m.name} looks worse; judged once the step has its requests`);
  if (reasons.length > 0) return result("hold");
  const last = state.step >= state.steps.length - 1;
  reasons.push(
    last
      ? `step ${state.step + 1} of ${state.steps.length} (${state.percent}%) passed`
      : `step ${state.step + 1} of ${state.steps.length} (${state.percent}%) passed; next ${state.steps[state.step + 1]}%`,
  );
  return result(last ? "complete" : "advance");
}

/**
 * Every metric judged with the anytime-valid rule of @llmops/eval, on the current step's data
 * only. Within a step the split is fixed, so both slots see the same hours; pooled over the ramp,
 * the candidate's share of late traffic would make a drift in the base rate (a busy evening) look
 * like a difference between them. Each step is its own sequential test, so `alpha` is split
 * evenly across metrics and steps (Bonferroni): the chance that any analysis rolls back a
 * candidate as good as stable stays at or below alpha however often it is looked at.
 */
async function judgeMetrics(input: AnalysisInput): Promise<CanaryMetricResult[]> {
  const { strategy, sources, state } = input;
  const context = { ...input.context, since: new Date(state.stepStartedAt) };
  const alpha = strategy.alpha / Math.max(1, sources.length * state.steps.length);
  const out: CanaryMetricResult[] = [];
  for (const { config, source } of sources) {
    let stable: Sample | null = null;
    let canary: Sample | null = null;
    let used: string[] = [];
    let error: string | undefined;
    try {
      const reading = await source.read(context);
      stable = reading.stable;
      canary = reading.canary;
      used = reading.sources;
    } catch (caught) {
      if (!(caught instanceof MetricSourceError)) throw caught;
      error = oneLine(caught);
    }
    // At 100% stable serves nothing: there is nothing to compare with in this step (the earlier
    // steps compared), so only the candidate's own thresholds are judged.
    const compares = config.noWorseThan !== undefined && !(state.percent === 100 && (stable === null || sampleSize(stable) === 0));
    const criteria = {
      name: config.name,
      direction: metricDirection(config),
      alpha,
      // Tightest around the requests a step needs, where the decisions are made.
      optimizeAt: strategy.minRequests * 2,
      ...(config.max !== undefined ? { max: config.max } : {}),
      ...(config.min !== undefined ? { min: config.min } : {}),
      ...(compares ? { noWorseThan: config.noWorseThan } : {}),
    };
    let judgement: Judgement;
    if (!compares && config.max === undefined && config.min === undefined) {
      judgement = {
        status: "inconclusive",
        method: "sequential",
        alpha,
        intervalAlpha: alpha,
        reasons: [`${config.name}: not compared at 100% (stable serves nothing)`],
      };
    } else {
      try {
        judgement = judgeSequential(stable, canary, criteria);
      } catch (caught) {
        // Numbers the rule cannot take (mixed kinds, counts beyond exact arithmetic) are no data.
        if (!(caught instanceof InputError)) throw caught;
        error = oneLine(caught);
        judgement = judgeSequential(null, null, criteria);
      }
    }
    out.push({ name: config.name, guardrail: config.guardrail, judgement, sources: used.slice(0, 8), ...(error ? { error } : {}) });
  }
  return out;
}

/** The largest sample size per slot among the metrics with counts: how many requests each has seen so far. */
function countFromMetrics(metrics: CanaryMetricResult[]): RequestCounts | undefined {
  let found = false;
  const counts = { stable: 0, canary: 0 };
  for (const m of metrics) {
    const { control, treatment } = m.judgement;
    if (control?.n !== undefined) {
      counts.stable = Math.max(counts.stable, control.n);
      found = true;
    }
    if (treatment?.n !== undefined) {
      counts.canary = Math.max(counts.canary, treatment.n);
      found = true;
    }
  }
  return found ? counts : undefined;
}

/** Requests since `baseline`; a counter below its baseline was reset (HAProxy reloaded): count from zero. */
export function since(now: RequestCounts, baseline: RequestCounts): RequestCounts {
  return {
    stable: now.stable >= baseline.stable ? now.stable - baseline.stable : now.stable,
    canary: now.canary >= baseline.canary ? now.canary - baseline.canary : now.canary,
  };
}

function sampleSize(sample: Sample): number {
  return sample.kind === "value" ? 1 : sample.n;
}

import type { CaseResult, MetricSummary, SliceSummary } from "@llmops/core";
import type { RunnerScorer, RunnerScorerInput } from "../run/types.ts";
import { bootstrapMeanInterval, bootstrapStatisticInterval, mean, sampleSd, wilsonInterval } from "../stats/index.ts";

export interface AggregateOptions {
  scorers: RunnerScorer[];
  /** Tag keys whose values define slices. */
  sliceKeys?: string[];
  /** A case passes when at least `k` of its repeats pass; default: all of them. */
  passRule?: { k?: number };
  seed?: number;
  resamples?: number;
  level?: number;
}

export interface Aggregate {
  metrics: MetricSummary[];
  slices: SliceSummary[];
  /** Distinct cases (repeats counted once). */
  cases: number;
  /** Rows (case × repeat) whose provider call failed. */
  errors: number;
}

/** Names the metrics that are not scorers; a scorer may not take one of these names. */
export const BUILTIN_METRICS = ["pass_rate", "error_rate", "latency_ms", "cost", "tokens", "score"] as const;

/** FNV-1a, so each metric gets its own fixed bootstrap seed whatever order metrics are computed in. */
function seedFor(name: string, base: number): number {
  let hash = 0x811c9dc5 ^ base;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function toScorerInput(row: CaseResult): RunnerScorerInput {
  return { output: row.output, expected: row.expected, vars: row.vars, latencyMs: row.latencyMs, tokens: row.tokens, cost: row.cost };
}

/** Per-case pass under the k-of-n rule, in case order. */
export function casePasses(rows: CaseResult[], passRule?: { k?: number }): boolean[] {
  const byCase = new Map<number, { passed: number; total: number }>();
  for (const row of rows) {
    const entry = byCase.get(row.index) ?? { passed: 0, total: 0 };
    entry.total++;
    if (row.pass) entry.passed++;
    byCase.set(row.index, entry);
  }
  return [...byCase.entries()].sort(([a], [b]) => a - b).map(([, { passed, total }]) => passed >= Math.min(total, passRule?.k ?? total));
}

/**
 * Metric summaries over result rows. Rows whose provider call failed count as failures for
 * pass_rate and as score 0 for every scorer (they carry score 0), so errors can never flatter a
 * metric; latency, tokens and cost are taken over the rows that have them.
 */
export function summarizeMetrics(rows: CaseResult[], options: AggregateOptions): MetricSummary[] {
  const level = options.level ?? 0.95;
  const base = options.seed ?? 0;
  // 1,000 resamples put the 2.5% / 97.5% percentiles within Monte Carlo noise well below the
  // interval's width for the suite sizes evals have, at a tenth of the default's cost.
  const resamples = options.resamples ?? 1000;
  const metrics: MetricSummary[] = [];

  const rate = (name: string, outcomes: boolean[], higherIsBetter: boolean) => {
    const n = outcomes.length;
    const successes = outcomes.filter(Boolean).length;
    const values = outcomes.map((o) => (o ? 1 : 0));
    const ci =
      n > 0
        ? { ...wilsonInterval(successes, n, level), level, method: "wilson" as const }
        : { low: 0, high: 0, level, method: "none" as const };
    metrics.push({ name, kind: "rate", n, mean: n > 0 ? successes / n : 0, sd: n > 1 ? sampleSd(values) : 0, ci, higherIsBetter });
  };
  const meanMetric = (name: string, values: number[], higherIsBetter: boolean) => {
    if (values.length === 0) return;
    // Every resample of a constant sample has the same mean: the interval is that value.
    const constant = values.every((v) => v === values[0]);
    const ci =
      values.length > 1 && !constant
        ? { ...bootstrapMeanInterval(values, { level, resamples, seed: seedFor(name, base) }), level, method: "bootstrap" as const }
        : { low: values[0]!, high: values[0]!, level, method: values.length > 1 ? ("bootstrap" as const) : ("none" as const) };
    metrics.push({
      name,
      kind: "mean",
      n: values.length,
      mean: mean(values),
      sd: values.length > 1 ? sampleSd(values) : 0,
      ci,
      higherIsBetter,
    });
  };

  for (const scorer of options.scorers) {
    const scores = rows.map((row) => row.scores.find((s) => s.name === scorer.name)?.score).filter((s): s is number => s !== undefined);
    if (scorer.corpus && rows.length > 0) {
      const inputs = rows.map(toScorerInput);
      const corpus = scorer.corpus.bind(scorer);
      const value = corpus(inputs).value;
      const ci =
        rows.length > 1
          ? {
              ...bootstrapStatisticInterval(inputs, (sample: RunnerScorerInput[]) => corpus(sample).value, {
                level,
                resamples: Math.min(resamples, 1000),
                seed: seedFor(scorer.name, base),
              }),
              level,
              method: "bootstrap" as const,
            }
          : { low: value, high: value, level, method: "none" as const };
      metrics.push({
        name: scorer.name,
        kind: "corpus",
        n: rows.length,
        mean: value,
        sd: scores.length > 1 ? sampleSd(scores) : 0,
        ci,
        higherIsBetter: scorer.higherIsBetter,
      });
    } else {
      meanMetric(scorer.name, scores, scorer.higherIsBetter);
    }
  }

  rate("pass_rate", casePasses(rows, options.passRule), true);
  rate(
    "error_rate",
    rows.map((row) => row.error !== null),
    false,
  );
  const ok = rows.filter((row) => row.error === null);
  meanMetric(
    "latency_ms",
    ok.map((row) => row.latencyMs),
    false,
  );
  meanMetric(
    "cost",
    ok.filter((row) => row.cost !== null).map((row) => row.cost!),
    false,
  );
  meanMetric(
    "tokens",
    ok.filter((row) => row.tokens !== null).map((row) => row.tokens!.total),
    false,
  );
  const totalWeight = options.scorers.reduce((sum, s) => sum + s.weight, 0);
  if (options.scorers.length > 0 && totalWeight > 0) {
    meanMetric(
      "score",
      rows.map(
        (row) =>
          options.scorers.reduce((sum, s) => sum + s.weight * (row.scores.find((x) => x.name === s.name)?.score ?? 0), 0) / totalWeight,
      ),
      true,
    );
  }
  return metrics;
}

/** Distinct values of a tag key, sorted, so slices appear in a stable order. */
export function sliceValues(rows: CaseResult[], key: string): string[] {
  return [...new Set(rows.map((row) => row.tags[key]).filter((v): v is string => v !== undefined))].sort();
}

export function rowsInSlice(rows: CaseResult[], filter: Record<string, string>): CaseResult[] {
  const entries = Object.entries(filter);
  return rows.filter((row) => entries.every(([k, v]) => row.tags[k] === v));
}

export function aggregate(rows: CaseResult[], options: AggregateOptions): Aggregate {
  const slices: SliceSummary[] = [];
  for (const key of options.sliceKeys ?? []) {
    for (const value of sliceValues(rows, key)) {
      slices.push({ key, value, metrics: summarizeMetrics(rowsInSlice(rows, { [key]: value }), options) });
    }
  }
  return {
    metrics: summarizeMetrics(rows, options),
    slices,
    cases: new Set(rows.map((row) => row.index)).size,
    errors: rows.filter((row) => row.error !== null).length,
  };
}

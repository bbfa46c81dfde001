// The in-memory summary code as it was at commit 4bd0737, before issue 9 streamed results to disk
// and summarised compact columns: aggregate/aggregate.ts and results/summary.ts of that commit,
// verbatim but for imports, exports and the name of the entry point. It is the reference the
// streaming path is checked against in summary-equality.test.ts, on the scenarios of
// summary-scenarios.ts and on random runs (the committed fixture pins its output on the scenarios).
// It uses today's stats and gates, so it follows their changes; do not "fix" it to follow
// aggregation changes: those must keep the summaries it gives.

import type { CaseResult, GateResult, MetricSummary, RunSummary, SliceSummary } from "@llmops/core";
import { canonicalJson } from "@llmops/core";
import { evaluateGates, type GateConfig } from "../../src/gates.ts";
import type { Scorer, ScorerInput } from "../../src/scorers/types.ts";
import { bootstrapMeanInterval, bootstrapStatisticInterval, mean, sampleSd, wilsonInterval } from "../../src/stats/index.ts";

interface AggregateOptions {
  scorers: Scorer[];
  /** Tag keys whose values define slices. */
  sliceKeys?: string[];
  /** A case passes when at least `k` of its repeats pass; default: all of them. */
  passRule?: { k?: number };
  seed?: number;
  resamples?: number;
  level?: number;
}

interface Aggregate {
  metrics: MetricSummary[];
  slices: SliceSummary[];
  /** Distinct cases (repeats counted once). */
  cases: number;
  /** Rows (case × repeat) whose provider call failed. */
  errors: number;
}

/** FNV-1a, so each metric gets its own fixed bootstrap seed whatever order metrics are computed in. */
function seedFor(name: string, base: number): number {
  let hash = 0x811c9dc5 ^ base;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function toScorerInput(row: CaseResult): ScorerInput {
  return { output: row.output, expected: row.expected, vars: row.vars, latencyMs: row.latencyMs, tokens: row.tokens, cost: row.cost };
}

/** Per-case pass under the k-of-n rule, in case order. */
function casePasses(rows: CaseResult[], passRule?: { k?: number }): boolean[] {
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
function summarizeMetrics(rows: CaseResult[], options: AggregateOptions): MetricSummary[] {
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
              ...bootstrapStatisticInterval(inputs, (sample: ScorerInput[]) => corpus(sample).value, {
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
function sliceValues(rows: CaseResult[], key: string): string[] {
  return [...new Set(rows.map((row) => row.tags[key]).filter((v): v is string => v !== undefined))].sort();
}

function rowsInSlice(rows: CaseResult[], filter: Record<string, string>): CaseResult[] {
  const entries = Object.entries(filter);
  return rows.filter((row) => entries.every(([k, v]) => row.tags[k] === v));
}

function aggregate(rows: CaseResult[], options: AggregateOptions): Aggregate {
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

interface SummaryInput {
  suite: string;
  suiteDigest: string;
  rows: CaseResult[];
  scorers: Scorer[];
  gates: GateConfig[];
  sliceKeys: string[];
  passRule?: { k?: number };
  providers: string[];
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  shard?: { index: number; count: number };
  model?: RunSummary["model"];
  dataset?: RunSummary["dataset"];
  git?: RunSummary["git"];
  runUrl?: string;
  seed?: number;
}

/** Orders rows as an unsharded run writes them: by case position, then repeat. */
function sortRows(rows: CaseResult[]): CaseResult[] {
  return [...rows].sort((a, b) => a.index - b.index || a.repeat - b.repeat);
}

/**
 * The summary of a run, computed from its rows alone (plus config), so a merge of shards gives
 * the summary the unsharded run gives. Gates are only a verdict on a whole, complete run: a shard
 * or an interrupted run lists none and does not pass.
 */
export function referenceRunSummary(input: SummaryInput): RunSummary {
  const rows = sortRows(input.rows);
  const options = {
    scorers: input.scorers,
    sliceKeys: input.sliceKeys,
    seed: input.seed ?? 0,
    ...(input.passRule ? { passRule: input.passRule } : {}),
  };
  // Gates may name a slice key that is not listed in `slices`; compute those on demand.
  const sliceKeys = new Set(input.sliceKeys);
  for (const gate of input.gates) {
    for (const key of [gate.eachSlice, gate.across, ...Object.keys(gate.slice ?? {})]) if (key) sliceKeys.add(key);
  }
  const summary = aggregate(rows, { ...options, sliceKeys: [...sliceKeys] });
  const whole = input.complete && !input.shard;
  let gates: GateResult[] = [];
  if (whole) {
    const cache = new Map<string, ReturnType<typeof summarizeMetrics>>();
    gates = evaluateGates(input.gates, {
      metricsFor: (filter) => {
        const entries = Object.entries(filter);
        if (entries.length === 0) return summary.metrics;
        if (entries.length === 1) {
          const [key, value] = entries[0]!;
          const slice = summary.slices.find((s) => s.key === key && s.value === value);
          if (slice) return slice.metrics;
        }
        const cacheKey = canonicalJson(filter);
        let metrics = cache.get(cacheKey);
        if (!metrics) {
          metrics = summarizeMetrics(rowsInSlice(rows, filter), options);
          cache.set(cacheKey, metrics);
        }
        return metrics;
      },
      sliceValues: (key) => sliceValues(rows, key),
    });
  }
  return {
    schemaVersion: 1,
    suite: input.suite,
    suiteDigest: input.suiteDigest,
    ...(input.model ? { model: input.model } : {}),
    ...(input.dataset ? { dataset: input.dataset } : {}),
    providers: input.providers,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    complete: input.complete && !input.shard,
    ...(input.shard ? { shard: input.shard } : {}),
    cases: summary.cases,
    errors: summary.errors,
    metrics: summary.metrics,
    // Only the configured slices are reported; gate-only keys were computed for the gates.
    slices: summary.slices.filter((s) => input.sliceKeys.includes(s.key)),
    gates,
    passed: whole && gates.every((g) => g.passed),
    results: "results.jsonl",
    ...(input.git ? { git: input.git } : {}),
    ...(input.runUrl ? { runUrl: input.runUrl } : {}),
  };
}

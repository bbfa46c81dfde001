import { CALL_METRICS, type CaseResult, type MetricSummary, type SliceSummary } from "@llmops/core";
import type { Scorer, ScorerInput } from "../scorers/types.ts";
import { bootstrapMeanInterval, bootstrapStatisticInterval, mean, sampleSd, wilsonInterval } from "../stats/index.ts";
import { ResultColumns } from "./columns.ts";
import { bootstrapQuantileInterval, PERCENTILE_METRICS, percentileOf } from "./percentiles.ts";

export interface AggregateOptions {
  scorers: Scorer[];
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

/** Names the metrics that are not scorers (the call's, see CALL_METRICS); a scorer may not take one of these names. */
export const BUILTIN_METRICS = ["pass_rate", "error_rate", ...CALL_METRICS, "score"] as const;

/** Rows of a run chosen by position (a slice), or null for all of them. */
export type RowSelection = Uint32Array | null;

/** FNV-1a, so each metric gets its own fixed bootstrap seed whatever order metrics are computed in. */
function seedFor(name: string, base: number): number {
  let hash = 0x811c9dc5 ^ base;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function selectionSize(columns: ResultColumns, rows: RowSelection): number {
  return rows ? rows.length : columns.length;
}

/** The values of `value(row)` over the selected rows that `include`, in row order. */
function gather(
  columns: ResultColumns,
  rows: RowSelection,
  include: (row: number) => boolean,
  value: (row: number) => number,
): Float64Array {
  const n = selectionSize(columns, rows);
  const out = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const row = rows ? (rows[i] as number) : i;
    if (include(row)) out[count++] = value(row);
  }
  return count === n ? out : out.slice(0, count);
}

/** Per-case pass under the k-of-n rule over the selected rows, in case order. */
function casePassesOf(columns: ResultColumns, rows: RowSelection, passRule?: { k?: number }): Float64Array {
  const n = selectionSize(columns, rows);
  const index = columns.caseIndex;
  let order: ArrayLike<number> | null = rows;
  if (!columns.ordered) {
    // Group repeats by case: a stable sort of the selected rows by case position.
    const positions = Array.from({ length: n }, (_, i) => (rows ? (rows[i] as number) : i));
    positions.sort((a, b) => (index[a] as number) - (index[b] as number));
    order = positions;
  }
  const outcomes: number[] = [];
  let current = -1;
  let passed = 0;
  let total = 0;
  const close = () => {
    if (total > 0) outcomes.push(passed >= Math.min(total, passRule?.k ?? total) ? 1 : 0);
  };
  for (let i = 0; i < n; i++) {
    const row = order ? (order[i] as number) : i;
    const caseIndex = index[row] as number;
    if (caseIndex !== current) {
      close();
      current = caseIndex;
      passed = 0;
      total = 0;
    }
    total++;
    if (columns.pass[row]) passed++;
  }
  close();
  return Float64Array.from(outcomes);
}

/**
 * Metric summaries over the selected rows of a run's columns. Rows whose provider call failed
 * count as failures for pass_rate and as score 0 for every scorer (they carry score 0), so errors
 * can never flatter a metric; latency, tokens and cost are taken over the rows that have them, and
 * so are the streaming metrics (time to first token, tokens per second), which are left out
 * altogether when no row has them. Time to first token is also summarised by its 50th and 95th
 * percentiles (kind `corpus`: a statistic of the sample, not a mean of per-case values; see
 * percentiles.ts for the definition).
 */
export function summarizeColumns(columns: ResultColumns, rows: RowSelection, options: AggregateOptions): MetricSummary[] {
  const level = options.level ?? 0.95;
  const base = options.seed ?? 0;
  // 1,000 resamples put the 2.5% / 97.5% percentiles within Monte Carlo noise well below the
  // interval's width for the suite sizes evals have, at a tenth of the default's cost.
  const resamples = options.resamples ?? 1000;
  const metrics: MetricSummary[] = [];
  const size = selectionSize(columns, rows);
  const all = () => true;

  /** `outcomes` holds 1 for a success and 0 for a failure. */
  const rate = (name: string, outcomes: Float64Array, higherIsBetter: boolean) => {
    const n = outcomes.length;
    let successes = 0;
    for (let i = 0; i < n; i++) if (outcomes[i]) successes++;
    const ci =
      n > 0
        ? { ...wilsonInterval(successes, n, level), level, method: "wilson" as const }
        : { low: 0, high: 0, level, method: "none" as const };
    metrics.push({ name, kind: "rate", n, mean: n > 0 ? successes / n : 0, sd: n > 1 ? sampleSd(outcomes) : 0, ci, higherIsBetter });
  };
  const meanMetric = (name: string, values: Float64Array, higherIsBetter: boolean) => {
    if (values.length === 0) return;
    // Every resample of a constant sample has the same mean: the interval is that value.
    const first = values[0] as number;
    const constant = values.every((v) => v === first);
    const ci =
      values.length > 1 && !constant
        ? { ...bootstrapMeanInterval(values, { level, resamples, seed: seedFor(name, base) }), level, method: "bootstrap" as const }
        : { low: first, high: first, level, method: values.length > 1 ? ("bootstrap" as const) : ("none" as const) };
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
  const percentileMetric = (name: string, values: Float64Array, q: number, higherIsBetter: boolean) => {
    if (values.length === 0) return;
    const value = percentileOf(values, q);
    const first = values[0] as number;
    const constant = values.every((v) => v === first);
    // Bootstrapping a percentile costs O(n) per resample here (no sort), but take no more
    // resamples than corpus statistics do.
    const ci =
      values.length > 1 && !constant
        ? {
            ...bootstrapQuantileInterval(values, q, { level, resamples: Math.min(resamples, 1000), seed: seedFor(name, base) }),
            level,
            method: "bootstrap" as const,
          }
        : { low: value, high: value, level, method: values.length > 1 ? ("bootstrap" as const) : ("none" as const) };
    metrics.push({ name, kind: "corpus", n: values.length, mean: value, sd: values.length > 1 ? sampleSd(values) : 0, ci, higherIsBetter });
  };

  for (const scorer of options.scorers) {
    const column = columns.scorerColumn(scorer.name);
    const present = columns.hasScore[column];
    const values = columns.scores[column];
    const scores =
      present && values
        ? gather(
            columns,
            rows,
            (row) => present[row] === 1,
            (row) => values[row] as number,
          )
        : new Float64Array(0);
    if (scorer.corpus && size > 0) {
      const corpusInputs = columns.corpusInputs;
      if (!corpusInputs) throw new Error(`aggregate: the columns were made without corpus inputs for ${scorer.name}`);
      const inputs: ScorerInput[] = rows ? Array.from(rows, (row) => corpusInputs[row] as ScorerInput) : corpusInputs.slice();
      const corpus = scorer.corpus.bind(scorer);
      const value = corpus(inputs).value;
      const ci =
        size > 1
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
        n: size,
        mean: value,
        sd: scores.length > 1 ? sampleSd(scores) : 0,
        ci,
        higherIsBetter: scorer.higherIsBetter,
      });
    } else {
      meanMetric(scorer.name, scores, scorer.higherIsBetter);
    }
  }

  const { error, latencyMs, cost, hasCost, tokens, hasTokens } = columns;
  rate("pass_rate", casePassesOf(columns, rows, options.passRule), true);
  rate(
    "error_rate",
    gather(columns, rows, all, (row) => error[row] as number),
    false,
  );
  const ok = (row: number) => error[row] === 0;
  meanMetric(
    "latency_ms",
    gather(columns, rows, ok, (row) => latencyMs[row] as number),
    false,
  );
  meanMetric(
    "cost",
    gather(
      columns,
      rows,
      (row) => ok(row) && hasCost[row] === 1,
      (row) => cost[row] as number,
    ),
    false,
  );
  meanMetric(
    "tokens",
    gather(
      columns,
      rows,
      (row) => ok(row) && hasTokens[row] === 1,
      (row) => tokens[row] as number,
    ),
    false,
  );
  const ttft = gather(
    columns,
    rows,
    (row) => ok(row) && columns.hasTtft[row] === 1,
    (row) => columns.ttftMs[row] as number,
  );
  meanMetric("ttft_ms", ttft, false);
  for (const p of PERCENTILE_METRICS) {
    if (p.of === "ttft_ms") percentileMetric(p.name, ttft, p.q, false);
  }
  meanMetric(
    "tokens_per_second",
    gather(
      columns,
      rows,
      (row) => ok(row) && columns.hasTokensPerSecond[row] === 1,
      (row) => columns.tokensPerSecond[row] as number,
    ),
    true,
  );
  const totalWeight = options.scorers.reduce((sum, s) => sum + s.weight, 0);
  if (options.scorers.length > 0 && totalWeight > 0) {
    const weighted = options.scorers.map((s) => {
      const column = columns.scorerColumn(s.name);
      return { weight: s.weight, values: columns.scores[column], present: columns.hasScore[column] };
    });
    meanMetric(
      "score",
      gather(columns, rows, all, (row) => {
        // Summed in scorer order from 0, exactly as the in-memory rows were.
        let sum = 0;
        for (const { weight, values, present } of weighted) sum = sum + weight * (present?.[row] ? (values![row] as number) : 0);
        return sum / totalWeight;
      }),
      true,
    );
  }
  return metrics;
}

/** Distinct values of a tag key over the rows, sorted, so slices appear in a stable order. */
export function columnSliceValues(columns: ResultColumns, key: string): string[] {
  const slice = columns.slices.get(key);
  if (!slice) throw new Error(`aggregate: the columns were made without the tag key "${key}"`);
  // A value enters the dictionary with the first row that has it.
  return [...slice.values].sort();
}

/** Positions of the rows whose tags match every entry of `filter`. */
export function selectRows(columns: ResultColumns, filter: Record<string, string>): Uint32Array {
  const tests = Object.entries(filter).map(([key, value]) => {
    const slice = columns.slices.get(key);
    if (!slice) throw new Error(`aggregate: the columns were made without the tag key "${key}"`);
    return { codes: slice.codes, code: slice.codeOf(value) };
  });
  const out = new Uint32Array(columns.length);
  let count = 0;
  for (let row = 0; row < columns.length; row++) {
    if (tests.every(({ codes, code }) => codes[row] === code)) out[count++] = row;
  }
  return out.slice(0, count);
}

/** Metrics of every row, and of every slice of `options.sliceKeys`, plus case and error counts. */
export function aggregateColumns(columns: ResultColumns, options: AggregateOptions): Aggregate {
  const slices: SliceSummary[] = [];
  for (const key of options.sliceKeys ?? []) {
    for (const value of columnSliceValues(columns, key)) {
      slices.push({ key, value, metrics: summarizeColumns(columns, selectRows(columns, { [key]: value }), options) });
    }
  }
  let errors = 0;
  for (let row = 0; row < columns.length; row++) errors += columns.error[row] as number;
  return {
    metrics: summarizeColumns(columns, null, options),
    slices,
    cases: countCases(columns),
    errors,
  };
}

function countCases(columns: ResultColumns): number {
  if (columns.ordered) {
    let cases = 0;
    for (let row = 0; row < columns.length; row++) if (row === 0 || columns.caseIndex[row] !== columns.caseIndex[row - 1]) cases++;
    return cases;
  }
  return new Set(columns.caseIndex.subarray(0, columns.length)).size;
}

function columnsOf(rows: readonly CaseResult[], options: AggregateOptions, sliceKeys: readonly string[] = options.sliceKeys ?? []) {
  return ResultColumns.from(rows, { scorers: options.scorers, sliceKeys });
}

/** Per-case pass under the k-of-n rule, in case order. */
export function casePasses(rows: CaseResult[], passRule?: { k?: number }): boolean[] {
  return Array.from(casePassesOf(columnsOf(rows, { scorers: [] }), null, passRule), (v) => v === 1);
}

/** Metric summaries over result rows, in the order given (see `summarizeColumns`). */
export function summarizeMetrics(rows: CaseResult[], options: AggregateOptions): MetricSummary[] {
  return summarizeColumns(columnsOf(rows, options, []), null, options);
}

/** Distinct values of a tag key, sorted, so slices appear in a stable order. */
export function sliceValues(rows: CaseResult[], key: string): string[] {
  return [...new Set(rows.map((row) => row.tags[key]).filter((v): v is string => v !== undefined))].sort();
}

export function aggregate(rows: CaseResult[], options: AggregateOptions): Aggregate {
  return aggregateColumns(columnsOf(rows, options), options);
}

import { createHash } from "node:crypto";
import { type CaseResult, canonicalJson, type GateResult, type MetricSummary, type RunSummary } from "@llmops/core";
import { aggregateColumns, columnSliceValues, selectRows, summarizeColumns } from "../aggregate/aggregate.ts";
import { ResultColumns } from "../aggregate/columns.ts";
import { evaluateGates, type GateConfig } from "../gates.ts";
import type { Scorer } from "../scorers/types.ts";

/** sha256 of the canonical JSON of a resolved suite config: names exactly which suite ran. */
export function suiteDigest(suiteConfig: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(suiteConfig)).digest("hex")}`;
}

/**
 * `suiteDigest({ ...material, cases: [...cases()] })`, hashed one case at a time so the canonical
 * JSON of every case is never held at once (a suite of a million cases is hundreds of MB of it).
 */
export function suiteDigestOf(material: Record<string, unknown>, cases: () => Iterable<unknown>): string {
  try {
    const hash = createHash("sha256");
    // Exactly what canonicalJson does with the whole object: defined entries, sorted by key.
    const entries = Object.entries({ ...material, cases: null })
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    hash.update("{");
    entries.forEach(([key, value], i) => {
      hash.update(`${i > 0 ? "," : ""}${JSON.stringify(key)}:`);
      if (key !== "cases") {
        hash.update(canonicalJson(value));
        return;
      }
      hash.update("[");
      let first = true;
      for (const item of cases()) {
        hash.update(`${first ? "" : ","}${item === undefined ? "null" : canonicalJson(item)}`);
        first = false;
      }
      hash.update("]");
    });
    hash.update("}");
    return `sha256:${hash.digest("hex")}`;
  } catch {
    // canonicalJson's errors say where in the whole material the bad value is: rethrow those.
    return suiteDigest({ ...material, cases: [...cases()] });
  }
}

export interface SummaryInput {
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
export function sortRows(rows: CaseResult[]): CaseResult[] {
  return [...rows].sort((a, b) => a.index - b.index || a.repeat - b.repeat);
}

/**
 * The tag keys a summary reads: the configured slices and every key a gate filters on (gates may
 * name a key that is not listed in `slices`). Columns for a run summary keep exactly these.
 */
export function summaryTagKeys(sliceKeys: readonly string[], gates: readonly GateConfig[]): string[] {
  const keys = new Set(sliceKeys);
  for (const gate of gates) {
    for (const key of [gate.eachSlice, gate.across, ...Object.keys(gate.slice ?? {})]) if (key) keys.add(key);
    // A gap gate with neither key reads the slices of "" (there are none unless a tag is named "").
    if (gate.maxGap !== undefined) keys.add(gate.across ?? gate.eachSlice ?? "");
  }
  return [...keys];
}

/** The columns a run summary needs, for rows added in case order (`ResultColumns.add`). */
export function summaryColumns(input: Pick<SummaryInput, "scorers" | "sliceKeys" | "gates">, capacity?: number): ResultColumns {
  return new ResultColumns({
    scorers: input.scorers,
    sliceKeys: summaryTagKeys(input.sliceKeys, input.gates),
    ...(capacity !== undefined ? { capacity } : {}),
  });
}

/**
 * The summary of a run, computed from its rows alone (plus config), so a merge of shards gives
 * the summary the unsharded run gives. Gates are only a verdict on a whole, complete run: a shard
 * or an interrupted run lists none and does not pass.
 */
export function buildRunSummary(input: SummaryInput): RunSummary {
  const { rows, ...rest } = input;
  const columns = summaryColumns(input, rows.length);
  for (const row of sortRows(rows)) columns.add(row);
  return summarizeRun({ ...rest, columns });
}

export type ColumnsSummaryInput = Omit<SummaryInput, "rows"> & {
  /** The run's rows in case order, with every tag key of `summaryTagKeys` (see `summaryColumns`). */
  columns: ResultColumns;
};

/** `buildRunSummary` over a run's columns: the same summary, without the rows in memory. */
export function summarizeRun(input: ColumnsSummaryInput): RunSummary {
  const { columns } = input;
  if (!columns.ordered) throw new Error("summarizeRun: the columns' rows are not in case order");
  const options = {
    scorers: input.scorers,
    sliceKeys: input.sliceKeys,
    seed: input.seed ?? 0,
    ...(input.passRule ? { passRule: input.passRule } : {}),
  };
  const summary = aggregateColumns(columns, { ...options, sliceKeys: summaryTagKeys(input.sliceKeys, input.gates) });
  const whole = input.complete && !input.shard;
  let gates: GateResult[] = [];
  if (whole) {
    const cache = new Map<string, MetricSummary[]>();
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
          metrics = summarizeColumns(columns, selectRows(columns, filter), options);
          cache.set(cacheKey, metrics);
        }
        return metrics;
      },
      sliceValues: (key) => columnSliceValues(columns, key),
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

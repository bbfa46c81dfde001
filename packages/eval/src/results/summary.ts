import { createHash } from "node:crypto";
import { type CaseResult, canonicalJson, type GateResult, type RunSummary } from "@llmops/core";
import { aggregate, rowsInSlice, sliceValues, summarizeMetrics } from "../aggregate/aggregate.ts";
import { evaluateGates, type GateConfig } from "../gates/gates.ts";
import type { RunnerScorer } from "../run/types.ts";

/** sha256 of the canonical JSON of a resolved suite config: names exactly which suite ran. */
export function suiteDigest(suiteConfig: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(suiteConfig)).digest("hex")}`;
}

export interface SummaryInput {
  suite: string;
  suiteDigest: string;
  rows: CaseResult[];
  scorers: RunnerScorer[];
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
 * The summary of a run, computed from its rows alone (plus config), so a merge of shards gives
 * the summary the unsharded run gives. Gates are only a verdict on a whole, complete run: a shard
 * or an interrupted run lists none and does not pass.
 */
export function buildRunSummary(input: SummaryInput): RunSummary {
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

import {
  type CaseResult,
  type CompareConfig,
  type Comparison,
  type GateResult,
  InputError,
  type Logger,
  type RunSummary,
  resolveCompareSettings,
  silentLogger,
} from "@llmops/core";
import { findFlips } from "./flips.ts";
import { evaluateRegressionGates } from "./gates.ts";
import { matchCases } from "./match.ts";
import { type CorpusStatistic, compareMetrics } from "./metrics.ts";
import { assertSuitesMatch } from "./suites.ts";

export interface RunResults {
  summary: RunSummary;
  cases: CaseResult[];
}

export interface BaselineInfo {
  source: Comparison["baseline"]["source"];
  /** For people: where the baseline came from (`model:production (v3)`, a path, a run URL). */
  description: string;
  digest?: string;
}

export interface CompareRunsOptions {
  head: RunResults;
  /** Null when no baseline was found: a head-only comparison whose verdict follows `noBaseline`. */
  baseline: RunResults | null;
  /** The `compare:` section of llmops.yaml; per-suite overrides are applied here. */
  config?: CompareConfig;
  baselineInfo?: BaselineInfo;
  /** Corpus statistics by metric name, so corpus metrics can be tested on matched cases. */
  corpus?: Record<string, CorpusStatistic>;
  logger?: Logger;
}

function assertComplete(run: RunSummary, side: string): void {
  if (!run.complete) {
    const why = run.shard ? `it is shard ${run.shard.index}/${run.shard.count}; merge the shards first` : "the run was interrupted";
    throw new InputError(`${side} results of suite "${run.suite}" are incomplete (${why})`);
  }
}

/** The failed gate `compare.noBaseline: fail` adds when there is no baseline; `reason` says why there is none. */
export function noBaselineGate(reason: string): GateResult {
  return {
    description: "a baseline to compare with (compare.noBaseline: fail)",
    metric: "baseline",
    actual: null,
    threshold: 1,
    passed: false,
    reason,
  };
}

/**
 * Head vs baseline for one suite: matched cases, paired statistics per metric with Holm
 * correction, flipped cases, and the regression gates combined with head's own absolute gates.
 */
export function compareRuns(options: CompareRunsOptions): Comparison {
  const { head, baseline } = options;
  const logger = options.logger ?? silentLogger;
  const suite = head.summary.suite;
  const settings = resolveCompareSettings(options.config, suite);
  assertComplete(head.summary, "head");
  const headGates: GateResult[] = head.summary.gates;

  if (baseline === null) {
    const description = options.baselineInfo?.description ?? "no baseline found";
    logger.warn(`suite "${suite}": ${description}; reporting head only (noBaseline: ${settings.noBaseline})`);
    const gates = [...headGates];
    if (settings.noBaseline === "fail") gates.push(noBaselineGate(description));
    return {
      schemaVersion: 1,
      suite,
      baseline: { source: "none", description },
      matched: 0,
      // Nothing to match against: the report says so instead of listing every case as added.
      added: [],
      removed: [],
      changed: [],
      metrics: [],
      flips: [],
      gates,
      verdict: gates.every((g) => g.passed) ? "pass" : "fail",
    };
  }

  assertComplete(baseline.summary, "baseline");
  assertSuitesMatch(head, baseline);
  const match = matchCases(head.cases, baseline.cases);
  if (match.added.length + match.removed.length + match.changed.length > 0) {
    logger.info(
      `suite "${suite}": ${match.matched.length} matched, ${match.added.length} added, ${match.removed.length} removed, ${match.changed.length} changed cases`,
    );
  }
  const metricOptions: Parameters<typeof compareMetrics>[3] = { alpha: settings.alpha, resamples: settings.resamples, seed: settings.seed };
  if (options.corpus) metricOptions.corpus = options.corpus;
  const metrics = compareMetrics(head.summary.metrics, baseline.summary.metrics, match.matched, metricOptions);
  const headNames = new Set(head.summary.metrics.map((m) => m.name));
  const baselineNames = new Set(baseline.summary.metrics.map((m) => m.name));
  for (const name of headNames)
    if (!baselineNames.has(name)) logger.warn(`suite "${suite}": metric "${name}" is recorded only in head; not compared`);
  for (const name of baselineNames)
    if (!headNames.has(name)) logger.warn(`suite "${suite}": metric "${name}" is recorded only in the baseline; not compared`);
  const gates = [...headGates, ...evaluateRegressionGates(metrics, settings, suite)];
  const info = options.baselineInfo ?? { source: "file" as const, description: "baseline results" };
  const baselineField: Comparison["baseline"] = { source: info.source, description: info.description };
  if (info.digest) baselineField.digest = info.digest;
  return {
    schemaVersion: 1,
    suite,
    baseline: baselineField,
    matched: match.matched.length,
    added: match.added,
    removed: match.removed,
    changed: match.changed,
    metrics,
    flips: findFlips(match.matched, settings.excerptLength),
    gates,
    verdict: gates.every((g) => g.passed) ? "pass" : "fail",
  };
}

/** Names of the metrics that regressed significantly, and of the failed gates: what a PR must explain. */
export function regressions(comparison: Comparison): { metrics: string[]; gates: string[] } {
  return {
    metrics: comparison.metrics.filter((m) => m.verdict === "significant regression").map((m) => m.name),
    gates: comparison.gates.filter((g) => !g.passed).map((g) => g.description),
  };
}

import type { CaseResult, MetricComparison, MetricSummary, MetricVerdict } from "@llmops/core";
import { findPercentileMetric, type PercentileMetric, pairedBootstrapQuantileDifference, percentileOf } from "../aggregate/percentiles.ts";
import { holmAdjust, mcnemarExact, mean, pairedBootstrapInterval, pairedBootstrapStatistic } from "../stats/index.ts";
import type { MatchedCase } from "./match.ts";
import { caseValue, isCaseDerivable } from "./values.ts";

/** A corpus statistic recomputed from case results (e.g. corpus BLEU over the cases' outputs). */
export type CorpusStatistic = (cases: CaseResult[]) => number;

export interface MetricOptions {
  alpha: number;
  resamples: number;
  seed: number;
  /** Corpus statistics by metric name; without one a corpus metric is reported untested. */
  corpus?: Record<string, CorpusStatistic>;
}

/** Resamples for corpus statistics: each one recomputes the statistic twice over all cases. */
const CORPUS_RESAMPLES = 1000;

function relative(delta: number, baseline: number): number | null {
  return baseline === 0 ? null : delta / Math.abs(baseline);
}

/** Mean of a case's non-null values over its repeats, or null. */
function caseMean(metric: MetricSummary, repeats: CaseResult[]): number | null {
  let sum = 0;
  let count = 0;
  for (const r of repeats) {
    const v = caseValue(metric.name, metric.kind, r);
    if (v !== null && Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? null : sum / count;
}

/** Both sides' values of one metric per matched case, and whether each side had exactly one repeat. */
function pairedValues(
  metric: MetricSummary,
  matched: readonly MatchedCase[],
): { baseline: number[]; head: number[]; singleRepeat: boolean } {
  const baseline: number[] = [];
  const head: number[] = [];
  let singleRepeat = true;
  for (const m of matched) {
    const b = caseMean(metric, m.baseline);
    const h = caseMean(metric, m.head);
    if (b === null || h === null) continue;
    if (m.baseline.length !== 1 || m.head.length !== 1) singleRepeat = false;
    baseline.push(b);
    head.push(h);
  }
  return { baseline, head, singleRepeat };
}

type Untested = Omit<MetricComparison, "pAdjusted" | "verdict">;

function untested(metric: MetricSummary, baselineSummary: MetricSummary, n: number, note: string): Untested {
  const delta = metric.mean - baselineSummary.mean;
  return {
    name: metric.name,
    kind: metric.kind,
    higherIsBetter: metric.higherIsBetter,
    n,
    baseline: baselineSummary.mean,
    head: metric.mean,
    delta,
    relativeDelta: relative(delta, baselineSummary.mean),
    ci: { low: delta, high: delta, level: 0.95, method: "none" },
    test: "none",
    pValue: 1,
    note,
  };
}

function compareOne(
  metric: MetricSummary,
  baselineSummary: MetricSummary,
  matched: readonly MatchedCase[],
  options: MetricOptions,
  seed: number,
): Untested {
  const level = 1 - options.alpha;
  const bootstrap = { resamples: options.resamples, seed, level };
  const base = {
    name: metric.name,
    kind: metric.kind,
    higherIsBetter: metric.higherIsBetter,
  };
  if (matched.length === 0) return untested(metric, baselineSummary, 0, "no matched cases: values are the runs' own summaries");

  const percentile = findPercentileMetric(metric.name);
  if (percentile) return comparePercentile(metric, baselineSummary, percentile, matched, options, seed);

  if (metric.kind === "corpus") {
    const statistic = options.corpus?.[metric.name];
    if (!statistic) {
      return untested(
        metric,
        baselineSummary,
        matched.length,
        "corpus metric not recomputable from per-case results here: delta of the runs' own values, untested",
      );
    }
    // Each resample recomputes the statistic on both sides (BLEU re-tokenises every case), so
    // corpus metrics take at most CORPUS_RESAMPLES, as aggregation does.
    const resamples = Math.min(options.resamples, CORPUS_RESAMPLES);
    const result = pairedBootstrapStatistic(
      matched,
      (sample) => statistic(sample.flatMap((m) => m.head)) - statistic(sample.flatMap((m) => m.baseline)),
      { ...bootstrap, resamples },
    );
    const baselineValue = statistic(matched.flatMap((m) => m.baseline));
    const headValue = statistic(matched.flatMap((m) => m.head));
    return {
      ...base,
      n: matched.length,
      baseline: baselineValue,
      head: headValue,
      delta: result.delta,
      relativeDelta: relative(result.delta, baselineValue),
      ci: { low: result.low, high: result.high, level, method: "bootstrap" },
      test: "paired-bootstrap",
      pValue: result.pValue,
      note: `paired bootstrap of the corpus statistic recomputed on matched cases, ${resamples} resamples`,
    };
  }

  const allCases = matched.flatMap((m) => [...m.head, ...m.baseline]);
  if (!isCaseDerivable(metric.name, allCases)) {
    return untested(
      metric,
      baselineSummary,
      matched.length,
      "per-case values of this metric are not in the results: delta of the runs' own values, untested",
    );
  }
  const values = pairedValues(metric, matched);
  const n = values.head.length;
  if (n === 0) return untested(metric, baselineSummary, 0, "no case has a value on both sides: delta of the runs' own values, untested");
  const result = pairedBootstrapInterval(values.baseline, values.head, bootstrap);
  const baselineValue = mean(values.baseline);
  const headValue = mean(values.head);
  let test: MetricComparison["test"] = "paired-bootstrap";
  let pValue = result.pValue;
  let note: string | undefined;
  if (metric.kind === "rate") {
    if (values.singleRepeat) {
      // Discordant pairs: b went pass -> fail (1 -> 0), c went fail -> pass.
      let b = 0;
      let c = 0;
      for (let i = 0; i < n; i++) {
        if (values.baseline[i] === 1 && values.head[i] === 0) b++;
        else if (values.baseline[i] === 0 && values.head[i] === 1) c++;
      }
      test = "mcnemar-exact";
      pValue = mcnemarExact(b, c);
    } else {
      note = "cases have several repeats: per-case rates over repeats, paired bootstrap over cases";
    }
  }
  const comparison: Untested = {
    ...base,
    n,
    baseline: baselineValue,
    head: headValue,
    delta: result.delta,
    relativeDelta: relative(result.delta, baselineValue),
    ci: { low: result.low, high: result.high, level, method: "bootstrap" },
    test,
    pValue,
  };
  if (note) comparison.note = note;
  return comparison;
}

/**
 * A percentile metric (`ttft_ms_p95`) on the matched cases: each side's percentile of the per-case
 * values of its source metric (a case's mean over its repeats), and a paired bootstrap interval of
 * the difference. It is descriptive: the source metric (`ttft_ms`) carries the paired test, and
 * testing one quantity three times would only widen the Holm family for every other metric, so it
 * stays out of the family (test "none") and its verdict is always "no significant change".
 */
function comparePercentile(
  metric: MetricSummary,
  baselineSummary: MetricSummary,
  percentile: PercentileMetric,
  matched: readonly MatchedCase[],
  options: MetricOptions,
  seed: number,
): Untested {
  const source: MetricSummary = { ...metric, name: percentile.of, kind: "mean" };
  const values = pairedValues(source, matched);
  const n = values.head.length;
  if (n === 0) return untested(metric, baselineSummary, 0, "no case has a value on both sides: delta of the runs' own values, untested");
  const level = 1 - options.alpha;
  const resamples = Math.min(options.resamples, CORPUS_RESAMPLES);
  const result = pairedBootstrapQuantileDifference(values.baseline, values.head, percentile.q, { level, resamples, seed });
  const baselineValue = percentileOf(values.baseline, percentile.q);
  const headValue = percentileOf(values.head, percentile.q);
  return {
    name: metric.name,
    kind: metric.kind,
    higherIsBetter: metric.higherIsBetter,
    n,
    baseline: baselineValue,
    head: headValue,
    delta: result.delta,
    relativeDelta: relative(result.delta, baselineValue),
    ci: { low: result.low, high: result.high, level, method: "bootstrap" },
    test: "none",
    pValue: 1,
    note: `descriptive: p${Math.round(percentile.q * 100)} of ${percentile.of} on matched cases with a paired bootstrap interval (${resamples} resamples); ${percentile.of} carries the paired test`,
  };
}

/** "Worse" in the metric's own direction. */
export function isWorse(m: Pick<MetricComparison, "delta" | "higherIsBetter">): boolean {
  return m.higherIsBetter ? m.delta < 0 : m.delta > 0;
}

export function verdictFor(m: Pick<MetricComparison, "delta" | "higherIsBetter" | "pAdjusted">, alpha: number): MetricVerdict {
  if (!(m.pAdjusted < alpha) || m.delta === 0) return "no significant change";
  return isWorse(m) ? "significant regression" : "significant improvement";
}

/**
 * Compares every metric of the head summary with the baseline's on the matched cases; tested
 * metrics that changed on at least one case are Holm-adjusted as one family. Each metric gets its own seed offset so adding a metric
 * does not change the others' intervals.
 */
export function compareMetrics(
  headMetrics: readonly MetricSummary[],
  baselineMetrics: readonly MetricSummary[],
  matched: readonly MatchedCase[],
  options: MetricOptions,
): MetricComparison[] {
  const baselineByName = new Map(baselineMetrics.map((m) => [m.name, m]));
  // Only metrics both sides report can be compared (assertSuitesMatch allows just the data-dependent ones to differ).
  const compared = headMetrics.filter((m) => baselineByName.has(m.name));
  const raw = compared.map((metric) =>
    compareOne(metric, baselineByName.get(metric.name) as MetricSummary, matched, options, (options.seed + hashName(metric.name)) >>> 0),
  );
  // A metric equal on every matched case has p = 1 with certainty: it cannot be significant, so
  // (Tarone's refinement of multiple testing) it stays out of the Holm family instead of diluting
  // the metrics that did change. Corpus statistics are never excluded this way.
  const testedIndexes = raw.flatMap((m, i) =>
    m.test === "none" || unchangedOnEveryCase(compared[i] as MetricSummary, matched) ? [] : [i],
  );
  const adjusted = holmAdjust(testedIndexes.map((i) => (raw[i] as Untested).pValue));
  return raw.map((m, i) => {
    const position = testedIndexes.indexOf(i);
    const pAdjusted = position === -1 ? 1 : (adjusted[position] as number);
    const comparison: MetricComparison = { ...m, pAdjusted, verdict: verdictFor({ ...m, pAdjusted }, options.alpha) };
    // The interval is per metric; the verdict is corrected for testing several. Say so where they disagree.
    const excludesZero = m.ci.method !== "none" && (m.ci.low > 0 || m.ci.high < 0);
    if (excludesZero && comparison.verdict === "no significant change" && !comparison.note) {
      comparison.note =
        m.pValue < options.alpha
          ? `the interval excludes 0, but the change is not significant after Holm correction across ${testedIndexes.length} metrics`
          : "the bootstrap interval excludes 0, but McNemar's exact test does not find the change significant";
    }
    return comparison;
  });
}

function unchangedOnEveryCase(metric: MetricSummary, matched: readonly MatchedCase[]): boolean {
  if (metric.kind === "corpus") return false;
  const values = pairedValues(metric, matched);
  return values.head.every((h, i) => h === values.baseline[i]);
}

/** FNV-1a: a stable per-metric seed offset. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

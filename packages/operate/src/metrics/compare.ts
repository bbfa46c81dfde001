import type { Comparison } from "@llmops/core";
import { bool, families } from "./catalog.ts";
import type { ResultMetricsOptions } from "./eval.ts";
import type { MetricSample } from "./metric-set.ts";

/**
 * A comparison (`comparison.json` of one suite) as samples: per metric baseline, head, delta with
 * its paired interval, p-value and Holm-adjusted p-value, and whether it regressed; per suite the
 * matched cases, the flips by direction and whether its gates passed. A metric that could not be
 * tested (`test: none`) has no p-value series: its placeholder p of 1 is not a test result.
 */
export function comparisonSamples(comparison: Comparison, options: ResultMetricsOptions = {}): MetricSample[] {
  const suite = { suite: comparison.suite, environment: options.environment };
  const samples: MetricSample[] = [];
  for (const metric of comparison.metrics) {
    const labels = { ...suite, metric: metric.name };
    samples.push({ family: families.compareBaseline, labels, value: metric.baseline });
    samples.push({ family: families.compareHead, labels, value: metric.head });
    samples.push({ family: families.compareDelta, labels, value: metric.delta });
    if (metric.ci.method !== "none") {
      const interval = { ...labels, level: String(metric.ci.level) };
      samples.push({ family: families.compareDeltaCiLow, labels: interval, value: metric.ci.low });
      samples.push({ family: families.compareDeltaCiHigh, labels: interval, value: metric.ci.high });
    }
    if (metric.test !== "none") {
      const tested = { ...labels, test: metric.test };
      samples.push({ family: families.comparePValue, labels: tested, value: metric.pValue });
      samples.push({ family: families.comparePAdjusted, labels: tested, value: metric.pAdjusted });
    }
    samples.push({ family: families.compareRegression, labels, value: bool(metric.verdict === "significant regression") });
  }
  samples.push({ family: families.compareMatched, labels: suite, value: comparison.matched });
  for (const direction of ["pass-to-fail", "fail-to-pass"] as const) {
    const flips = comparison.flips.filter((f) => f.direction === direction).length;
    samples.push({ family: families.compareFlips, labels: { ...suite, direction }, value: flips });
  }
  // From the gates, as the report stage reads a comparison it did not write: the stored verdict is not trusted.
  samples.push({ family: families.comparePassed, labels: suite, value: bool(comparison.gates.every((g) => g.passed)) });
  return samples;
}

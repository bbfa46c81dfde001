import { InputError, type RunSummary } from "@llmops/core";
import { bool, families } from "./catalog.ts";
import type { MetricSample } from "./metric-set.ts";

/**
 * An eval run (`summary.json`) as samples: per metric its value, interval and case count; per
 * slice its values; for the run its case and error counts, whether its gates passed and when it
 * finished. Labels: suite, metric, model (repository name), digest (the model version),
 * environment (the caller's, e.g. a monitoring run against production).
 */

export interface ResultMetricsOptions {
  /** The `environment` label; absent → no such label. */
  environment?: string | undefined;
}

/** `team/sentiment:v3` and `team/sentiment@sha256:…` → `team/sentiment`: the repository, stable across versions. */
export function modelName(ref: string): string {
  const at = ref.indexOf("@");
  const withoutDigest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}

export function evalSamples(summary: RunSummary, options: ResultMetricsOptions = {}): MetricSample[] {
  // A shard or an interrupted run is not the suite's result: exported, it would read as one.
  if (!summary.complete) {
    const what = summary.shard ? `shard ${summary.shard.index} of ${summary.shard.count}` : "an interrupted run";
    throw new InputError(`eval results of suite ${summary.suite} are ${what}; export the complete (merged) run`);
  }
  const run = {
    suite: summary.suite,
    model: summary.model ? modelName(summary.model.ref) : undefined,
    digest: summary.model?.digest,
    environment: options.environment,
  };
  const samples: MetricSample[] = [];
  for (const metric of summary.metrics) {
    const labels = { ...run, metric: metric.name };
    samples.push({ family: families.evalMetric, labels, value: metric.mean });
    if (metric.ci.method !== "none") {
      const interval = { ...labels, level: String(metric.ci.level) };
      samples.push({ family: families.evalMetricCiLow, labels: interval, value: metric.ci.low });
      samples.push({ family: families.evalMetricCiHigh, labels: interval, value: metric.ci.high });
    }
    samples.push({ family: families.evalMetricCases, labels, value: metric.n });
  }
  for (const slice of summary.slices) {
    for (const metric of slice.metrics) {
      const labels = { ...run, metric: metric.name, slice: slice.key, slice_value: slice.value };
      samples.push({ family: families.evalSliceMetric, labels, value: metric.mean });
    }
  }
  samples.push({ family: families.evalCases, labels: run, value: summary.cases });
  samples.push({ family: families.evalErrors, labels: run, value: summary.errors });
  samples.push({ family: families.evalPassed, labels: run, value: bool(summary.passed) });
  const finished = Date.parse(summary.finishedAt);
  if (Number.isFinite(finished)) samples.push({ family: families.evalFinished, labels: run, value: finished / 1000 });
  return samples;
}

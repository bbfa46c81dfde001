import { type CanaryMetricConfig, InputError } from "@llmops/core";
import type { MetricSource } from "../metric-source.ts";
import { createFeedbackSource } from "./feedback.ts";
import { createPrometheusSource } from "./prometheus.ts";

/**
 * Every source key of a canary metric (canary.ts canaryMetricSchema: exactly one is set) and what
 * reads it.
 */
export const METRIC_SOURCE_FACTORIES: { [K in "prometheus" | "feedback"]: (metric: CanaryMetricConfig) => MetricSource } = {
  prometheus: createPrometheusSource,
  feedback: createFeedbackSource,
};

export const METRIC_SOURCE_KEYS = Object.keys(METRIC_SOURCE_FACTORIES) as (keyof typeof METRIC_SOURCE_FACTORIES)[];

/** The source of one parsed `metrics:` entry (the schema has already checked it names exactly one). */
export function createMetricSource(metric: CanaryMetricConfig): MetricSource {
  const key = METRIC_SOURCE_KEYS.find((k) => metric[k] !== undefined);
  if (!key) throw new InputError(`metric ${metric.name} has no source; expected one of ${METRIC_SOURCE_KEYS.join(", ")}`);
  return METRIC_SOURCE_FACTORIES[key](metric);
}

export { createFeedbackSource } from "./feedback.ts";
export { createPrometheusSource } from "./prometheus.ts";

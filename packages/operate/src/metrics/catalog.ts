import { defineFamily } from "./metric-set.ts";

/**
 * Every metric family `llmops metrics` writes: the machine interface of the export (README,
 * "Metrics export"). Renaming a family or a label breaks dashboards and alerts built on it.
 *
 * Labels: `suite`, `metric`, `feature`, `check` are names from llmops.yaml and the results;
 * `model` is the model's repository name (the ref without tag or digest) and `digest` the exact
 * version, so a series keeps its name across versions while `digest` tells them apart;
 * `environment` is the environment the numbers are about (eval and compare: `--environment`).
 * Values are plain numbers: means and rates in the metric's own scale, 1/0 for yes/no, times as
 * Unix seconds.
 */

const EVAL = ["suite", "metric", "model", "digest", "environment"] as const;
const EVAL_RUN = ["suite", "model", "digest", "environment"] as const;
const INTERVAL = [...EVAL, "level"] as const;
const COMPARE = ["suite", "metric", "environment"] as const;
const COMPARE_RUN = ["suite", "environment"] as const;
const ROLLOUT = ["environment", "name", "candidate"] as const;
const CHECK = ["dataset", "digest", "check"] as const;
const DRIFT = ["environment", "suite", "feature"] as const;
const MONITOR = ["environment", "suite", "metric"] as const;

export const families = {
  // eval: summary.json of one run of one suite
  evalMetric: defineFamily({
    name: "llmops_eval_metric",
    type: "gauge",
    help: "Value of an eval metric over the run's cases (mean, rate or corpus statistic).",
    labels: EVAL,
  }),
  evalMetricCiLow: defineFamily({
    name: "llmops_eval_metric_ci_low",
    type: "gauge",
    help: "Lower bound of the metric's confidence interval at the level in the level label.",
    labels: INTERVAL,
  }),
  evalMetricCiHigh: defineFamily({
    name: "llmops_eval_metric_ci_high",
    type: "gauge",
    help: "Upper bound of the metric's confidence interval at the level in the level label.",
    labels: INTERVAL,
  }),
  evalMetricCases: defineFamily({
    name: "llmops_eval_metric_cases",
    type: "gauge",
    help: "Cases that counted towards the metric.",
    labels: EVAL,
  }),
  evalSliceMetric: defineFamily({
    name: "llmops_eval_slice_metric",
    type: "gauge",
    help: "Value of an eval metric on the cases of one slice (tag slice = slice_value).",
    labels: [...EVAL, "slice", "slice_value"],
  }),
  evalCases: defineFamily({
    name: "llmops_eval_cases",
    type: "gauge",
    help: "Distinct cases in the run (repeats counted once).",
    labels: EVAL_RUN,
  }),
  evalErrors: defineFamily({
    name: "llmops_eval_errors",
    type: "gauge",
    help: "Case results (case x repeat) whose provider call failed.",
    labels: EVAL_RUN,
  }),
  evalPassed: defineFamily({
    name: "llmops_eval_passed",
    type: "gauge",
    help: "1 when every gate of the suite passed, else 0.",
    labels: EVAL_RUN,
  }),
  evalFinished: defineFamily({
    name: "llmops_eval_finished_timestamp_seconds",
    type: "gauge",
    unit: "seconds",
    help: "When the run finished, in Unix seconds.",
    labels: EVAL_RUN,
  }),

  // compare: head against a baseline on the same cases
  compareBaseline: defineFamily({
    name: "llmops_compare_baseline",
    type: "gauge",
    help: "The metric on the baseline, over the cases both sides have.",
    labels: COMPARE,
  }),
  compareHead: defineFamily({
    name: "llmops_compare_head",
    type: "gauge",
    help: "The metric on the head, over the cases both sides have.",
    labels: COMPARE,
  }),
  compareDelta: defineFamily({ name: "llmops_compare_delta", type: "gauge", help: "Head minus baseline.", labels: COMPARE }),
  compareDeltaCiLow: defineFamily({
    name: "llmops_compare_delta_ci_low",
    type: "gauge",
    help: "Lower bound of the paired confidence interval of the delta.",
    labels: [...COMPARE, "level"],
  }),
  compareDeltaCiHigh: defineFamily({
    name: "llmops_compare_delta_ci_high",
    type: "gauge",
    help: "Upper bound of the paired confidence interval of the delta.",
    labels: [...COMPARE, "level"],
  }),
  comparePValue: defineFamily({
    name: "llmops_compare_p_value",
    type: "gauge",
    help: "p-value of the paired test (McNemar exact or paired bootstrap) named in the test label.",
    labels: [...COMPARE, "test"],
  }),
  comparePAdjusted: defineFamily({
    name: "llmops_compare_p_adjusted",
    type: "gauge",
    help: "Holm-adjusted p-value across the suite's compared metrics.",
    labels: [...COMPARE, "test"],
  }),
  compareRegression: defineFamily({
    name: "llmops_compare_regression",
    type: "gauge",
    help: "1 when the metric regressed significantly, else 0.",
    labels: COMPARE,
  }),
  compareMatched: defineFamily({
    name: "llmops_compare_matched_cases",
    type: "gauge",
    help: "Cases present on both sides.",
    labels: COMPARE_RUN,
  }),
  compareFlips: defineFamily({
    name: "llmops_compare_flips",
    type: "gauge",
    help: "Cases whose pass/fail outcome flipped, by direction (pass-to-fail, fail-to-pass).",
    labels: [...COMPARE_RUN, "direction"],
  }),
  comparePassed: defineFamily({
    name: "llmops_compare_passed",
    type: "gauge",
    help: "1 when the comparison's gates passed, else 0.",
    labels: COMPARE_RUN,
  }),

  // promotion: `llmops status --json`
  promotion: defineFamily({
    name: "llmops_promotion",
    type: "info",
    help: "The version an environment's alias names.",
    labels: ["environment", "name", "alias", "digest", "version"],
  }),
  promotionSince: defineFamily({
    name: "llmops_promotion_since_timestamp_seconds",
    type: "gauge",
    unit: "seconds",
    help: "When the environment's alias was moved to its version, in Unix seconds.",
    labels: ["environment", "name", "alias"],
  }),
  rollout: defineFamily({
    name: "llmops_rollout",
    type: "info",
    help: "The environment's newest canary rollout: candidate, stable version and last decision.",
    labels: ["environment", "name", "candidate", "stable", "version", "decision"],
  }),
  rolloutPercent: defineFamily({
    name: "llmops_rollout_percent",
    type: "gauge",
    help: "Percent of traffic the canary candidate gets after the last decision.",
    labels: ROLLOUT,
  }),
  rolloutStep: defineFamily({
    name: "llmops_rollout_step",
    type: "gauge",
    help: "Index (from 0) of the rollout step in force after the last decision.",
    labels: ROLLOUT,
  }),
  rolloutSteps: defineFamily({ name: "llmops_rollout_steps", type: "gauge", help: "Number of steps of the rollout.", labels: ROLLOUT }),

  // check: dataset checks of one dataset version
  checkPassed: defineFamily({
    name: "llmops_check_passed",
    type: "gauge",
    help: "1 when the dataset check passed, else 0.",
    labels: CHECK,
  }),
  checkFindings: defineFamily({
    name: "llmops_check_findings",
    type: "gauge",
    help: "Findings of the dataset check (duplicates, contaminated cases, PII matches, schema errors).",
    labels: CHECK,
  }),
  checkFindingsByKind: defineFamily({
    name: "llmops_check_findings_by_kind",
    type: "gauge",
    help: "Findings of the dataset check of one kind (email, iban, exact, near, ngram, ...).",
    labels: [...CHECK, "kind"],
  }),
  checkCases: defineFamily({
    name: "llmops_check_cases",
    type: "gauge",
    help: "Cases the dataset checks read.",
    labels: ["dataset", "digest"],
  }),

  // monitor: drift and live quality of an environment
  driftPsi: defineFamily({
    name: "llmops_drift_psi",
    type: "gauge",
    help: "Population stability index of the feature, production sample against reference.",
    labels: DRIFT,
  }),
  driftStatistic: defineFamily({
    name: "llmops_drift_statistic",
    type: "gauge",
    help: "Statistic of a drift test (psi, ks distance, chi-square X2, oov rate) on one aspect (value, length, language, vocabulary, category).",
    labels: [...DRIFT, "test", "aspect"],
  }),
  driftPValue: defineFamily({
    name: "llmops_drift_p_value",
    type: "gauge",
    help: "p-value of a drift test (ks, chi-square) on one aspect of the feature.",
    labels: [...DRIFT, "test", "aspect"],
  }),
  driftDetected: defineFamily({
    name: "llmops_drift_detected",
    type: "gauge",
    help: "1 when the feature drifted significantly, else 0.",
    labels: DRIFT,
  }),
  monitorMetric: defineFamily({
    name: "llmops_monitor_metric",
    type: "gauge",
    help: "The monitoring suite's metric on the live endpoint.",
    labels: MONITOR,
  }),
  monitorBaseline: defineFamily({
    name: "llmops_monitor_baseline",
    type: "gauge",
    help: "The metric in the evidence recorded when the serving version was promoted.",
    labels: MONITOR,
  }),
  monitorDelta: defineFamily({
    name: "llmops_monitor_delta",
    type: "gauge",
    help: "Live minus promoted value of the metric.",
    labels: MONITOR,
  }),
  monitorPValue: defineFamily({
    name: "llmops_monitor_p_value",
    type: "gauge",
    help: "p-value of the paired test (named in the test label) of live against promoted.",
    labels: [...MONITOR, "test"],
  }),
  monitorRegression: defineFamily({
    name: "llmops_monitor_regression",
    type: "gauge",
    help: "1 when the live metric regressed significantly, else 0.",
    labels: MONITOR,
  }),
  monitorAlert: defineFamily({
    name: "llmops_monitor_alert",
    type: "gauge",
    help: "1 when the monitor of the environment and suite is alerting, 0 when everything it judged passed.",
    labels: ["environment", "suite"],
  }),
} as const;

/** 1 for true, 0 for false (OpenMetrics "Booleans"). */
export function bool(value: boolean): number {
  return value ? 1 : 0;
}

import { type Comparison, type GateResult, type LlmopsConfig, type MetricSummary, resolveCompareSettings } from "@llmops/core";
import { evaluateGates, evaluateRegressionGates, noBaselineGate } from "@llmops/eval";

/**
 * A pull request's report judged by this repository's own gates. The pull request's workflow ran
 * its code and config (a fork's, or a branch's that may loosen its own gates), so both its numbers
 * and its gates are the pull request's to choose; the numbers cannot be checked after the fact,
 * but the gates can be replaced by the ones in a trusted checkout (the default branch, where the
 * `workflow_run` workflow runs). A gate that cannot be
 * evaluated from the report (per-slice gates: the report has overall values only; a metric the
 * report lacks, any gate of a report that claims no baseline) leaves the check neutral rather
 * than passing by omission — unless a gate that could be evaluated fails, which decides it.
 */
export interface TrustedJudgement {
  /** This repository's gates, evaluated on the report's numbers. */
  gates: GateResult[];
  /**
   * Gates that could not be evaluated from the report, for people; non-empty means not judged,
   * unless one of `gates` failed (a failure stands whatever the others would have said).
   */
  unchecked: string[];
}

export function judgeWithTrustedGates(comparison: Comparison, config: LlmopsConfig): TrustedJudgement {
  const suite = config.suites.find((s) => s.name === comparison.suite);
  if (!suite) return { gates: [], unchecked: [`suite "${comparison.suite}" is not in this repository's llmops.yaml`] };
  const settings = resolveCompareSettings(config.compare, comparison.suite);
  const unchecked: string[] = [];
  const gates: GateResult[] = [];

  if (comparison.baseline.source === "none") {
    // A head-only report carries no metric values, and its claim that no baseline was found
    // cannot be checked: the run could have dropped the baseline to skip the comparison. So no
    // gate that needs a baseline passes by it; only the no-baseline policy can be judged.
    if (settings.noBaseline === "fail") gates.push(noBaselineGate(comparison.baseline.description));
    const noBaseline = "(a head-only report has no baseline to compare with)";
    if (suite.gates.length > 0) unchecked.push("the suite's gates (a head-only report has no metric values)");
    for (const metric of Object.keys(settings.gates)) unchecked.push(`compare gate ${metric} ${noBaseline}`);
    if (settings.maxCostIncrease !== undefined) unchecked.push(`compare.maxCostIncrease ${noBaseline}`);
    if (settings.maxLatencyIncrease !== undefined) unchecked.push(`compare.maxLatencyIncrease ${noBaseline}`);
    return { gates, unchecked };
  }

  const overall: MetricSummary[] = comparison.metrics.map((m) => ({
    name: m.name,
    kind: m.kind,
    n: m.n,
    mean: m.head,
    sd: 0,
    ci: { low: m.head, high: m.head, level: 0.95, method: "none" },
    higherIsBetter: m.higherIsBetter,
  }));
  for (const gate of suite.gates) {
    const label = `${gate.metric}${gate.slice || gate.eachSlice ? " per slice" : ""}${gate.across ? ` across ${gate.across}` : ""}`;
    if (gate.slice || gate.eachSlice || gate.across) {
      unchecked.push(`${label} (the report has overall values only)`);
      continue;
    }
    if (!overall.some((m) => m.name === gate.metric && m.n > 0)) {
      unchecked.push(`${gate.metric} (not in the report)`);
      continue;
    }
    gates.push(...evaluateGates([gate], { metricsFor: () => overall, sliceValues: () => [] }));
  }
  for (const [metric] of Object.entries(settings.gates)) {
    if (!comparison.metrics.some((m) => m.name === metric)) unchecked.push(`compare gate ${metric} (not in the report)`);
  }
  if (unchecked.length > 0) return { gates, unchecked };
  gates.push(...evaluateRegressionGates(comparison.metrics, settings, comparison.suite));
  return { gates, unchecked };
}

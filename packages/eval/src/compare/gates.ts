import { formatNumber, type GateResult, InputError, type MetricComparison, type ResolvedCompareSettings } from "@llmops/core";
import { atMost } from "../gates.ts";
import { isWorse } from "./metrics.ts";

/** How much worse head is than the baseline, in the metric's direction (negative = better). */
function drop(m: MetricComparison): number {
  return m.higherIsBetter ? m.baseline - m.head : m.head - m.baseline;
}

function findMetric(metrics: readonly MetricComparison[], name: string, suite: string, what: string): MetricComparison {
  const metric = metrics.find((m) => m.name === name);
  if (!metric) {
    throw new InputError(`${what}: suite "${suite}" has no metric "${name}" (it has: ${metrics.map((m) => m.name).join(", ") || "none"})`);
  }
  return metric;
}

function budget(metrics: readonly MetricComparison[], metricName: string, label: string, max: number): GateResult {
  const description = `${label} increase <= ${formatNumber(max * 100)}% vs baseline`;
  const metric = metrics.find((m) => m.name === metricName);
  if (!metric || metric.n === 0) {
    return {
      description,
      metric: metricName,
      actual: null,
      threshold: max,
      passed: false,
      reason: `${label} is not recorded on both sides, so the budget cannot be checked`,
    };
  }
  const increase = metric.head - metric.baseline;
  if (metric.baseline === 0) {
    const passed = atMost(increase, 0);
    const result: GateResult = { description, metric: metricName, actual: null, threshold: max, passed };
    if (!passed) result.reason = `baseline ${label} is 0, head is ${formatNumber(metric.head)}`;
    return result;
  }
  const relativeIncrease = increase / Math.abs(metric.baseline);
  const passed = atMost(relativeIncrease, max);
  const result: GateResult = { description, metric: metricName, actual: relativeIncrease, threshold: max, passed };
  if (!passed) {
    result.reason = `${label} rose ${formatNumber(relativeIncrease * 100)}% (${formatNumber(metric.baseline)} -> ${formatNumber(metric.head)})`;
  }
  return result;
}

/** The regression gates of the compare settings, judged on the metric comparisons. */
export function evaluateRegressionGates(
  metrics: readonly MetricComparison[],
  settings: ResolvedCompareSettings,
  suite: string,
): GateResult[] {
  const results: GateResult[] = [];
  for (const [name, gate] of Object.entries(settings.gates)) {
    const metric = findMetric(metrics, name, suite, `compare gate "${name}"`);
    const worse = drop(metric);
    if (gate.maxDrop !== undefined) {
      const passed = atMost(worse, gate.maxDrop);
      const result: GateResult = {
        description: `${name} drop <= ${formatNumber(gate.maxDrop)} vs baseline`,
        metric: name,
        actual: worse,
        threshold: gate.maxDrop,
        passed,
      };
      if (!passed)
        result.reason = `${name} dropped ${formatNumber(worse)} (${formatNumber(metric.baseline)} -> ${formatNumber(metric.head)})`;
      results.push(result);
    }
    if (gate.maxRelativeDrop !== undefined) {
      const description = `${name} relative drop <= ${formatNumber(gate.maxRelativeDrop * 100)}% vs baseline`;
      if (metric.baseline === 0) {
        const passed = atMost(worse, 0);
        const result: GateResult = { description, metric: name, actual: null, threshold: gate.maxRelativeDrop, passed };
        if (!passed) result.reason = `baseline ${name} is 0, so any drop is unbounded relative to it`;
        results.push(result);
      } else {
        const relativeDrop = worse / Math.abs(metric.baseline);
        const passed = atMost(relativeDrop, gate.maxRelativeDrop);
        const result: GateResult = { description, metric: name, actual: relativeDrop, threshold: gate.maxRelativeDrop, passed };
        if (!passed)
          result.reason = `${name} dropped ${formatNumber(relativeDrop * 100)}% (${formatNumber(metric.baseline)} -> ${formatNumber(metric.head)})`;
        results.push(result);
      }
    }
    if (gate.noSignificantRegression !== undefined) {
      const alpha = gate.noSignificantRegression === true ? settings.alpha : (gate.noSignificantRegression.alpha ?? settings.alpha);
      const regression = metric.test !== "none" && metric.pAdjusted < alpha && isWorse(metric);
      const result: GateResult = {
        description: `no significant regression in ${name} (alpha ${formatNumber(alpha)}, Holm-adjusted)`,
        metric: name,
        actual: metric.pAdjusted,
        threshold: alpha,
        passed: !regression,
      };
      if (regression) result.reason = `${name} regressed ${formatNumber(metric.delta)} (p = ${formatNumber(metric.pAdjusted)} after Holm)`;
      results.push(result);
    }
  }
  if (settings.maxCostIncrease !== undefined) results.push(budget(metrics, "cost", "cost", settings.maxCostIncrease));
  if (settings.maxLatencyIncrease !== undefined) results.push(budget(metrics, "latency_ms", "latency", settings.maxLatencyIncrease));
  return results;
}

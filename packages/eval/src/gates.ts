import { formatNumber, type GateConfig, type GateResult, type MetricSummary } from "@llmops/core";

// The gate type is core's (the suite schema's); re-exported for the modules that take it from here.
export type { GateConfig };

export interface GateData {
  /** Metrics over the rows matching `filter` (all rows for `{}`). */
  metricsFor(filter: Record<string, string>): MetricSummary[];
  /** The values a tag key takes, sorted. */
  sliceValues(key: string): string[];
}

/**
 * How far a value may pass a gate's threshold and still meet it, relative to the threshold's size
 * (absolute below 1). Every gate — a suite's `min`/`max`/`maxGap` and compare's `maxDrop`,
 * `maxRelativeDrop` and cost/latency budgets — compares through atLeast/atMost with it.
 *
 * Metric values are float sums divided by counts (0.8 comes out as 0.7999999999999999; 0.3 − 0.1
 * is above 0.2), and the rounding error of a sum of n terms grows up to about n·2.2e-16 relative:
 * below 1e-9 for any run of up to millions of cases. A real difference is far larger: a rate over
 * n cases moves in steps of 1/n, and a threshold written in YAML has a few digits. So 1e-9 forgives
 * the arithmetic and nothing else. It is relative because absolute rounding error scales with the
 * value (latency in ms, a cost budget in dollars).
 */
export const GATE_TOLERANCE = 1e-9;

function slack(threshold: number): number {
  return GATE_TOLERANCE * Math.max(1, Math.abs(threshold));
}

/** `value >= threshold`, forgiving float rounding (GATE_TOLERANCE). */
export function atLeast(value: number, threshold: number): boolean {
  return value >= threshold - slack(threshold);
}

/** `value <= threshold`, forgiving float rounding (GATE_TOLERANCE). */
export function atMost(value: number, threshold: number): boolean {
  return value <= threshold + slack(threshold);
}

function describeSlice(filter: Record<string, string>): string | undefined {
  const entries = Object.entries(filter);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(",") : undefined;
}

function bound(metric: string, filter: Record<string, string>, op: ">=" | "<=", threshold: number, data: GateData): GateResult {
  const slice = describeSlice(filter);
  const description = `${metric} ${op} ${formatNumber(threshold)}${slice ? ` on ${slice}` : ""}`;
  const summary = data.metricsFor(filter).find((m) => m.name === metric);
  const base = { description, metric, threshold, ...(slice ? { slice } : {}) };
  if (!summary || summary.n === 0) {
    return { ...base, actual: null, passed: false, reason: `no values for ${metric}${slice ? ` on ${slice}` : ""}` };
  }
  const actual = summary.mean;
  const passed = op === ">=" ? atLeast(actual, threshold) : atMost(actual, threshold);
  return {
    ...base,
    actual,
    passed,
    ...(passed
      ? {}
      : { reason: `${metric} is ${formatNumber(actual)}${slice ? ` on ${slice}` : ""}, expected ${op} ${formatNumber(threshold)}` }),
  };
}

/** Evaluates gates in order: one result per bound, and per slice value for `eachSlice`. */
export function evaluateGates(gates: GateConfig[], data: GateData): GateResult[] {
  const results: GateResult[] = [];
  for (const gate of gates) {
    if (gate.maxGap !== undefined) {
      const key = gate.across ?? gate.eachSlice ?? "";
      const description = `${gate.metric} gap across ${key} <= ${formatNumber(gate.maxGap)}`;
      const values = data
        .sliceValues(key)
        .map((value) => ({ value, summary: data.metricsFor({ [key]: value }).find((m) => m.name === gate.metric) }))
        .filter((v) => v.summary && v.summary.n > 0)
        .map((v) => ({ value: v.value, mean: v.summary!.mean }));
      if (values.length < 2) {
        results.push({
          description,
          metric: gate.metric,
          slice: key,
          actual: null,
          threshold: gate.maxGap,
          passed: false,
          reason: `${gate.metric} gap across ${key} needs at least two slices with values, found ${values.length}`,
        });
        continue;
      }
      const low = values.reduce((a, b) => (b.mean < a.mean ? b : a));
      const high = values.reduce((a, b) => (b.mean > a.mean ? b : a));
      const gap = high.mean - low.mean;
      const passed = atMost(gap, gate.maxGap);
      results.push({
        description,
        metric: gate.metric,
        slice: key,
        actual: gap,
        threshold: gate.maxGap,
        passed,
        ...(passed
          ? {}
          : {
              reason: `${gate.metric} gap across ${key} is ${formatNumber(gap)} (${key}=${high.value} ${formatNumber(high.mean)} vs ${key}=${low.value} ${formatNumber(low.mean)}), expected <= ${formatNumber(gate.maxGap)}`,
            }),
      });
      continue;
    }
    const filters = gate.eachSlice ? data.sliceValues(gate.eachSlice).map((value) => ({ [gate.eachSlice!]: value })) : [gate.slice ?? {}];
    if (gate.eachSlice && filters.length === 0) {
      results.push({
        description: `${gate.metric} on each ${gate.eachSlice}`,
        metric: gate.metric,
        slice: gate.eachSlice,
        actual: null,
        threshold: gate.min ?? gate.max ?? 0,
        passed: false,
        reason: `no case has a ${gate.eachSlice} tag`,
      });
      continue;
    }
    for (const filter of filters) {
      if (gate.min !== undefined) results.push(bound(gate.metric, filter, ">=", gate.min, data));
      if (gate.max !== undefined) results.push(bound(gate.metric, filter, "<=", gate.max, data));
    }
  }
  return results;
}

export function gateFailures(results: GateResult[]): string[] {
  return results.filter((g) => !g.passed).map((g) => g.reason ?? g.description);
}

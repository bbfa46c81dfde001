import type { GateResult, MetricSummary } from "@llmops/core";

/** One entry of a suite's `gates:` list (see the suite schema). */
export interface GateConfig {
  metric: string;
  min?: number;
  max?: number;
  slice?: Record<string, string>;
  eachSlice?: string;
  maxGap?: number;
  across?: string;
}

export interface GateData {
  /** Metrics over the rows matching `filter` (all rows for `{}`). */
  metricsFor(filter: Record<string, string>): MetricSummary[];
  /** The values a tag key takes, sorted. */
  sliceValues(key: string): string[];
}

// Float sums make 0.8 come out as 0.7999999999999999; a gate must not fail on that.
const EPSILON = 1e-9;

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

function describeSlice(filter: Record<string, string>): string | undefined {
  const entries = Object.entries(filter);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(",") : undefined;
}

function bound(metric: string, filter: Record<string, string>, op: ">=" | "<=", threshold: number, data: GateData): GateResult {
  const slice = describeSlice(filter);
  const description = `${metric} ${op} ${format(threshold)}${slice ? ` on ${slice}` : ""}`;
  const summary = data.metricsFor(filter).find((m) => m.name === metric);
  const base = { description, metric, threshold, ...(slice ? { slice } : {}) };
  if (!summary || summary.n === 0) {
    return { ...base, actual: null, passed: false, reason: `no values for ${metric}${slice ? ` on ${slice}` : ""}` };
  }
  const actual = summary.mean;
  const passed = op === ">=" ? actual >= threshold - EPSILON : actual <= threshold + EPSILON;
  return {
    ...base,
    actual,
    passed,
    ...(passed ? {} : { reason: `${metric} is ${format(actual)}${slice ? ` on ${slice}` : ""}, expected ${op} ${format(threshold)}` }),
  };
}

/** Evaluates gates in order: one result per bound, and per slice value for `eachSlice`. */
export function evaluateGates(gates: GateConfig[], data: GateData): GateResult[] {
  const results: GateResult[] = [];
  for (const gate of gates) {
    if (gate.maxGap !== undefined) {
      const key = gate.across ?? gate.eachSlice ?? "";
      const description = `${gate.metric} gap across ${key} <= ${format(gate.maxGap)}`;
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
      const passed = gap <= gate.maxGap + EPSILON;
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
              reason: `${gate.metric} gap across ${key} is ${format(gap)} (${key}=${high.value} ${format(high.mean)} vs ${key}=${low.value} ${format(low.mean)}), expected <= ${format(gate.maxGap)}`,
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

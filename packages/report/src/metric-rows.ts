import { formatNumber } from "./format.ts";

/**
 * How metrics become table rows. Every metric is its own row, except percentile metrics: a run
 * that streams reports `ttft_ms_p50` and `ttft_ms_p95` (the 50th and 95th percentiles of time to
 * first token, kind `corpus`), and they are read together, so both tables (the eval job summary
 * and the pull-request comment) show them as one row, "time to first token p50/p95", each cell
 * holding `p50 / p95` as formatPair prints it. This is the one place that pairs them and says
 * how such a pair is printed.
 */

/** What a `<metric>_p50`/`_p95` pair is called in a table; other metrics keep their own name. */
const PAIR_LABELS: Record<string, string> = {
  ttft_ms: "time to first token",
};

export type MetricRow<T> = { kind: "one"; metric: T } | { kind: "pair"; label: string; p50: T; p95: T };

const P50 = /^(.+)_p50$/;

/**
 * The metrics as rows, in their order: a `<base>_p50` metric whose `<base>_p95` is also there
 * (both statistics of a sample, kind `corpus`) becomes one row where the p50 was; the p95 is not
 * repeated.
 */
export function metricRows<T extends { name: string; kind: string }>(metrics: readonly T[]): MetricRow<T>[] {
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const paired = new Set<string>();
  const rows: MetricRow<T>[] = [];
  for (const metric of metrics) {
    if (paired.has(metric.name)) continue;
    const base = P50.exec(metric.name)?.[1];
    const p95 = base === undefined ? undefined : byName.get(`${base}_p95`);
    if (base !== undefined && p95 && metric.kind === "corpus" && p95.kind === "corpus") {
      paired.add(p95.name);
      rows.push({ kind: "pair", label: `${PAIR_LABELS[base] ?? base} p50/p95`, p50: metric, p95 });
    } else rows.push({ kind: "one", metric });
  }
  return rows;
}

/** A p50/p95 pair in one cell: `52 / 61` (each number as `format` prints it, default formatNumber). */
export function formatPair<T>(p50: T, p95: T, format: (value: T) => string = (v) => formatNumber(v as number)): string {
  return `${format(p50)} / ${format(p95)}`;
}

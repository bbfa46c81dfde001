import type { MetricComparison, MetricSummary } from "@llmops/core";
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { renderComparisonMarkdown } from "../src/comparison.ts";
import { formatPair, metricRows } from "../src/metric-rows.ts";
import { renderRunSummaryMarkdown } from "../src/run-summary.ts";
import { comparison, runSummary } from "./fixtures.ts";

const md = new MarkdownIt({ html: true });

function compared(name: string, kind: MetricComparison["kind"], values: Partial<MetricComparison>): MetricComparison {
  return {
    name,
    kind,
    higherIsBetter: false,
    n: 200,
    baseline: 0,
    head: 0,
    delta: 0,
    relativeDelta: null,
    ci: { low: 0, high: 0, level: 0.95, method: "bootstrap" },
    test: "paired-bootstrap",
    pValue: 1,
    pAdjusted: 1,
    verdict: "no significant change",
    ...values,
  };
}

// What compare writes for a streamed suite: the mean with its paired test, then p50 and p95 described.
const ttft = compared("ttft_ms", "mean", {
  baseline: 61.5,
  head: 55.25,
  delta: -6.25,
  relativeDelta: -0.1016,
  ci: { low: -8.5, high: -4, level: 0.95, method: "bootstrap" },
  pValue: 0.0001,
  pAdjusted: 0.0002,
  verdict: "significant improvement",
});
const p50 = compared("ttft_ms_p50", "corpus", {
  baseline: 52,
  head: 48.5,
  delta: -3.5,
  relativeDelta: -0.0673,
  ci: { low: -6, high: -1, level: 0.95, method: "bootstrap" },
  test: "none",
  note: "descriptive",
});
const p95 = compared("ttft_ms_p95", "corpus", {
  baseline: 61,
  head: 57,
  delta: -4,
  relativeDelta: -0.0656,
  ci: { low: -9, high: 1, level: 0.95, method: "bootstrap" },
  test: "none",
  note: "descriptive",
});

describe("metricRows", () => {
  it("pairs <metric>_p50 with <metric>_p95 into one row where the p50 was, and names ttft's", () => {
    const rows = metricRows([
      { name: "exact", kind: "mean" },
      { name: "ttft_ms", kind: "mean" },
      { name: "ttft_ms_p50", kind: "corpus" },
      { name: "ttft_ms_p95", kind: "corpus" },
      { name: "tokens_per_second", kind: "mean" },
    ]);
    expect(rows.map((r) => (r.kind === "one" ? r.metric.name : `${r.label} = ${r.p50.name} + ${r.p95.name}`))).toEqual([
      "exact",
      "ttft_ms",
      "time to first token p50/p95 = ttft_ms_p50 + ttft_ms_p95",
      "tokens_per_second",
    ]);
  });

  it("leaves a lone percentile, or scorer metrics that merely end in _p50, as they are", () => {
    const rows = metricRows([
      { name: "ttft_ms_p50", kind: "corpus" },
      { name: "recall_p50", kind: "mean" },
      { name: "recall_p95", kind: "mean" },
    ]);
    expect(rows.every((r) => r.kind === "one")).toBe(true);
  });

  it("prints a pair as p50 / p95, each number as every table prints numbers", () => {
    expect(formatPair(52, 61.123456)).toBe("52 / 61.12");
    expect(formatPair("a", "b", (s) => s.toUpperCase())).toBe("A / B");
  });
});

describe("the pull-request comment", () => {
  const text = renderComparisonMarkdown([comparison({ metrics: [ttft, p50, p95] })]);

  it("has one row 'time to first token p50/p95' with both sides' percentiles and deltas", () => {
    expect(text).toContain(
      "| time to first token p50/p95 ↓ | 52 / 61 | 48.5 / 57 | -3.5 (-6.7%) [-6, -1] / -4 (-6.6%) [-9, +1] | — | descriptive |",
    );
    expect(text).not.toContain("ttft\\_ms\\_p50");
    expect(text).not.toContain("ttft\\_ms\\_p95");
  });

  it("keeps the tested mean beside it as a row of its own", () => {
    expect(text).toContain("| ttft\\_ms ↓ | 61.5 | 55.25 | -6.25 (-10.2%) [-8.5, -4] | <0.001 | 🟢 significant improvement |");
  });

  it("renders as a table row with six cells", () => {
    const html = md.render(text);
    const row = html.split("<tr>").find((r) => r.includes("time to first token"))!;
    expect(row.match(/<td/g)).toHaveLength(6);
  });
});

describe("the eval job summary", () => {
  const summary = (mean: number, extra: Partial<MetricSummary>): MetricSummary => ({
    name: "x",
    kind: "corpus",
    n: 200,
    mean,
    sd: 12.5,
    ci: { low: mean - 2, high: mean + 3, level: 0.95, method: "bootstrap" },
    higherIsBetter: false,
    ...extra,
  });
  const metrics = [
    summary(55.25, { name: "ttft_ms", kind: "mean" }),
    summary(48.5, { name: "ttft_ms_p50" }),
    summary(57, { name: "ttft_ms_p95" }),
  ];
  const single = (m: MetricSummary): MetricSummary => ({
    ...m,
    n: 1,
    mean: 7,
    sd: 0,
    ci: { low: 7, high: 7, level: 0.95, method: "none" },
  });
  const text = renderRunSummaryMarkdown(
    runSummary({
      metrics,
      slices: [
        { key: "lang", value: "de", metrics: metrics.map((m) => ({ ...m, n: 20 })) },
        { key: "lang", value: "en", metrics: metrics.map(single) },
      ],
    }),
  );

  it("shows the same row with both percentiles and their intervals", () => {
    expect(text).toContain("| ttft\\_ms ↓ | 200 | 55.25 | 12.5 | [53.25, 58.25] (bootstrap) |");
    expect(text).toContain("| time to first token p50/p95 ↓ | 200 | 48.5 / 57 | — | [46.5, 51.5] (bootstrap) / [55, 60] (bootstrap) |");
    expect(text).toContain("| lang=de | time to first token p50/p95 | 20 | 48.5 / 57 | [46.5, 51.5] (bootstrap) / [55, 60] (bootstrap) |");
    // One case: no interval on either side, one dash.
    expect(text).toContain("| lang=en | time to first token p50/p95 | 1 | 7 / 7 | — |");
  });
});

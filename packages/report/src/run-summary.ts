import type { CaseResult, GateResult, MetricSummary, RunSummary } from "@llmops/core";
import { codeSpan, escapeInline, excerpt, stripForbiddenChars } from "./escape.ts";
import { formatNumber, safeUrl } from "./format.ts";
import { formatPair, metricRows } from "./metric-rows.ts";

const MAX_LISTED_ERRORS = 20;
const MAX_LISTED_FAILURES = 20;

function interval(metric: MetricSummary): string {
  if (metric.ci.method === "none") return "—";
  return `[${formatNumber(metric.ci.low)}, ${formatNumber(metric.ci.high)}] (${metric.ci.method})`;
}

/** The intervals of a p50/p95 pair; one dash when neither has one (a single value). */
function pairInterval(p50: MetricSummary, p95: MetricSummary): string {
  return p50.ci.method === "none" && p95.ci.method === "none" ? "—" : formatPair(p50, p95, interval);
}

function metricsTable(metrics: MetricSummary[]): string[] {
  const lines = ["| Metric | n | Mean | SD | 95% CI |", "|---|---:|---:|---:|---|"];
  for (const row of metricRows(metrics)) {
    if (row.kind === "pair") {
      // Percentiles (time to first token p50/p95): their spread is the mean metric's SD, shown on its row.
      const { p50, p95 } = row;
      const arrow = p50.higherIsBetter ? "↑" : "↓";
      lines.push(`| ${escapeInline(row.label)} ${arrow} | ${p50.n} | ${formatPair(p50.mean, p95.mean)} | — | ${pairInterval(p50, p95)} |`);
      continue;
    }
    const m = row.metric;
    const arrow = m.higherIsBetter ? "↑" : "↓";
    lines.push(`| ${escapeInline(m.name)} ${arrow} | ${m.n} | ${formatNumber(m.mean)} | ${formatNumber(m.sd)} | ${interval(m)} |`);
  }
  return lines;
}

export function gatesTable(gates: GateResult[]): string[] {
  const lines = ["| | Gate | Actual | Threshold | Note |", "|---|---|---:|---:|---|"];
  for (const g of gates) {
    const actual = g.actual === null ? "—" : formatNumber(g.actual);
    const slice = g.slice ? ` (${escapeInline(g.slice)})` : "";
    lines.push(
      `| ${g.passed ? "✅" : "❌"} | ${escapeInline(g.description)}${slice} | ${actual} | ${formatNumber(g.threshold)} | ${g.reason ? escapeInline(g.reason) : ""} |`,
    );
  }
  return lines;
}

/** The job summary of one eval run: metrics with intervals, slices, gates, errors and failing cases. */
export function renderRunSummaryMarkdown(summary: RunSummary, cases?: CaseResult[]): string {
  const out: string[] = [];
  const status = summary.passed ? "✅ passed" : "❌ failed";
  out.push(`## Eval ${codeSpan(summary.suite)}: ${status}`, "");
  const facts = [
    `${summary.cases} case results`,
    `${summary.errors} errors`,
    `providers: ${summary.providers.map((p) => codeSpan(p)).join(", ") || "—"}`,
  ];
  if (summary.model) facts.push(`model: ${codeSpan(summary.model.ref)} (${codeSpan(summary.model.digest.slice(0, 19))})`);
  if (summary.dataset) facts.push(`dataset: ${codeSpan(summary.dataset.ref)} (${codeSpan(summary.dataset.digest.slice(0, 19))})`);
  if (summary.shard) facts.push(`shard ${summary.shard.index}/${summary.shard.count}`);
  out.push(facts.join(" · "), "");
  if (!summary.complete) out.push("> [!WARNING]", "> This run is incomplete (interrupted or a single shard); it is not a full result.", "");
  const runUrl = safeUrl(summary.runUrl);
  if (runUrl) out.push(`[Workflow run](${runUrl})`, "");

  out.push("### Metrics", "");
  if (summary.metrics.length === 0) out.push("_No metrics._");
  else out.push(...metricsTable(summary.metrics));
  out.push("");

  if (summary.slices.length > 0) {
    out.push("### Slices", "", "| Slice | Metric | n | Mean | 95% CI |", "|---|---|---:|---:|---|");
    for (const slice of summary.slices) {
      for (const row of metricRows(slice.metrics)) {
        const label = escapeInline(`${slice.key}=${slice.value}`);
        if (row.kind === "pair") {
          const { p50, p95 } = row;
          out.push(`| ${label} | ${escapeInline(row.label)} | ${p50.n} | ${formatPair(p50.mean, p95.mean)} | ${pairInterval(p50, p95)} |`);
        } else {
          const m = row.metric;
          out.push(`| ${label} | ${escapeInline(m.name)} | ${m.n} | ${formatNumber(m.mean)} | ${interval(m)} |`);
        }
      }
    }
    out.push("");
  }

  if (summary.gates.length > 0) out.push("### Gates", "", ...gatesTable(summary.gates), "");

  if (cases && cases.length > 0) {
    const errored = cases.filter((c) => c.error !== null);
    if (errored.length > 0) {
      out.push(`### Errors (${errored.length})`, "");
      for (const c of errored.slice(0, MAX_LISTED_ERRORS)) {
        out.push(`- ${codeSpan(caseLabel(c))}: ${escapeInline(excerpt(stripForbiddenChars(c.error ?? ""), 300))}`);
      }
      if (errored.length > MAX_LISTED_ERRORS) out.push(`- … and ${errored.length - MAX_LISTED_ERRORS} more`);
      out.push("");
    }
    const failed = cases.filter((c) => c.error === null && !c.pass);
    if (failed.length > 0) {
      out.push(`### Failing cases (${failed.length})`, "");
      for (const c of failed.slice(0, MAX_LISTED_FAILURES)) {
        const reasons = c.scores
          .filter((s) => !s.pass)
          .map((s) => `${s.name}${s.reason ? `: ${excerpt(s.reason, 200)}` : ""}`)
          .join("; ");
        out.push(`- ${codeSpan(caseLabel(c))}: ${escapeInline(reasons || "failed")}`);
      }
      if (failed.length > MAX_LISTED_FAILURES) out.push(`- … and ${failed.length - MAX_LISTED_FAILURES} more`);
      out.push("");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/**
 * The line that links the interactive HTML report (`report.html`, a workflow artifact) from a job
 * summary or a pull request comment. The text is fixed and the URL, built from the runner's own
 * values, is linked only when it is plain http(s); otherwise the line is empty.
 */
export function htmlReportLine(url: string | undefined): string {
  const link = safeUrl(url);
  return link
    ? `📊 [Interactive report](${link}): every case side by side, with filters, word diffs and history (one HTML file from this run's artifacts, opens in a browser)`
    : "";
}

export function caseLabel(c: Pick<CaseResult, "id" | "repeat">): string {
  return c.repeat > 0 ? `${c.id}#${c.repeat}` : c.id;
}

import type { Comparison, FlippedCase, HistoryPoint, MetricComparison } from "@llmops/core";
import { codeBlock, codeSpan, escapeHtml, escapeInline, excerpt, mermaidLabel } from "./escape.ts";
import { formatNumber, formatP, formatPercent, formatSigned, safeUrl } from "./format.ts";
import { formatPair, metricRows } from "./metric-rows.ts";
import { gatesTable, htmlReportLine } from "./run-summary.ts";

/** GitHub rejects issue comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export type { HistoryPoint };

/** One gate setting that differs between the base branch's config and the pull request's. */
export interface GateChange {
  /** What the gate is on: `suite qa: pass_rate`, `compare: exact`, `compare: baseline`. */
  subject: string;
  /** Which setting: `min`, `maxDrop`, `noSignificantRegression`. */
  setting: string;
  /** The base branch's value, or null when it had none. */
  before: string | null;
  /** The pull request's value, or null when it removes the setting. */
  after: string | null;
}

export interface ComparisonMarkdownOptions {
  title?: string;
  /** Where the full results live (the workflow run's artifact); flipped cases link here. */
  artifactUrl?: string;
  /** Values of the main metric over recent baselines, oldest first, keyed by suite. */
  history?: Record<string, HistoryPoint[]>;
  /** The metric whose trend is charted; defaults to the first compared metric. */
  mainMetric?: string;
  /** Total budget in characters; the default leaves room for the sticky comment's earlier runs. */
  maxLength?: number;
  /** Flipped cases shown with excerpts before the rest are listed by id. */
  maxFlipDetails?: number;
  /** Characters of input/expected/output shown per flipped case. */
  excerptLength?: number;
  /** Gate settings this pull request changes in llmops.yaml, keyed by suite, shown at the top so a reviewer sees them. */
  gateChanges?: Record<string, GateChange[]>;
  /** Where the numbers came from when that limits what they prove (a fork's run), shown at the top. */
  provenance?: string;
  /** The uploaded HTML report (the artifact's URL), linked under the headline. */
  htmlReportUrl?: string;
}

export function commentMarker(suite: string): string {
  // The suite name is user-chosen; keep the marker a single safe token.
  return `<!-- llmops:compare suite=${suite.replace(/[^A-Za-z0-9_.:/-]/g, "_")} -->`;
}

/** How much of each cuttable part is shown; truncation shrinks these in order. */
interface Budget {
  flipDetails: number;
  flipIds: number;
  history: number;
  listIds: number;
}

const VERDICT_ICON: Record<MetricComparison["verdict"], string> = {
  "significant regression": "🔻 significant regression",
  "significant improvement": "🟢 significant improvement",
  "no significant change": "⚪ no significant change",
};

function deltaCell(m: MetricComparison): string {
  const ci = m.ci.method === "none" ? "" : ` [${formatSigned(m.ci.low)}, ${formatSigned(m.ci.high)}]`;
  const rel = m.relativeDelta === null ? "" : ` (${formatPercent(m.relativeDelta)})`;
  return `${formatSigned(m.delta)}${rel}${ci}`;
}

function metricsTable(c: Comparison): string[] {
  if (c.metrics.length === 0) return ["_No metrics to compare._"];
  const lines = ["| Metric | Baseline | Head | Δ (95% CI) | p (Holm) | Verdict |", "|---|---:|---:|---|---:|---|"];
  for (const row of metricRows(c.metrics)) {
    if (row.kind === "one") {
      const m = row.metric;
      const arrow = m.higherIsBetter ? "↑" : "↓";
      lines.push(
        `| ${escapeInline(m.name)} ${arrow} | ${formatNumber(m.baseline)} | ${formatNumber(m.head)} | ${deltaCell(m)} | ${formatP(m.pAdjusted)} | ${VERDICT_ICON[m.verdict]} |`,
      );
      continue;
    }
    // Percentiles (time to first token p50/p95): descriptive, the mean metric beside them carries the test.
    const { p50, p95 } = row;
    const arrow = p50.higherIsBetter ? "↑" : "↓";
    const descriptive = p50.test === "none" && p95.test === "none";
    const p = descriptive ? "—" : formatPair(p50.pAdjusted, p95.pAdjusted, formatP);
    const verdict = descriptive ? "descriptive" : formatPair(p50.verdict, p95.verdict, (v) => VERDICT_ICON[v]);
    lines.push(
      `| ${escapeInline(row.label)} ${arrow} | ${formatPair(p50.baseline, p95.baseline)} | ${formatPair(p50.head, p95.head)} | ${formatPair(p50, p95, deltaCell)} | ${p} | ${verdict} |`,
    );
  }
  return lines;
}

/** Mermaid's xychart-beta (rendered by GitHub) has no error bars, so bars show Δ and the table alongside carries the intervals. */
function deltaChart(c: Comparison): string[] {
  // Only metrics on a unit scale share an axis meaningfully; latency and cost stay in the table.
  const chartable = c.metrics.filter((m) => Math.abs(m.baseline) <= 1 && Math.abs(m.head) <= 1);
  if (chartable.length === 0) return [];
  const extent = Math.max(0.01, ...chartable.flatMap((m) => [Math.abs(m.delta), Math.abs(m.ci.low), Math.abs(m.ci.high)]));
  const bound = Math.ceil(extent * 100) / 100;
  const names = chartable.map((m) => `"${mermaidLabel(m.name)}"`).join(", ");
  const values = chartable.map((m) => Number(m.delta.toFixed(4))).join(", ");
  return [
    "```mermaid",
    "xychart-beta",
    '    title "Δ head − baseline per metric (95% CI in the table)"',
    `    x-axis [${names}]`,
    `    y-axis "Δ" ${-bound} --> ${bound}`,
    `    bar [${values}]`,
    "```",
  ];
}

function trendChart(metric: MetricComparison, history: HistoryPoint[]): string[] {
  if (history.length === 0) return [];
  const points = [...history, { label: "this PR", value: metric.head }];
  const labels = points.map((p) => `"${mermaidLabel(p.label, 20)}"`).join(", ");
  const values = points.map((p) => Number(p.value.toFixed(4))).join(", ");
  return [
    "```mermaid",
    "xychart-beta",
    `    title "${mermaidLabel(metric.name)} over recent baselines"`,
    `    x-axis [${labels}]`,
    `    y-axis "${mermaidLabel(metric.name)}"`,
    `    line [${values}]`,
    "```",
  ];
}

function idList(ids: string[], shown: number): string {
  const listed = ids.slice(0, shown).map((id) => codeSpan(id));
  const more = ids.length - listed.length;
  if (more > 0) listed.push(`… and ${more} more`);
  return listed.join(", ");
}

function flipDetail(f: FlippedCase, excerptLength: number): string[] {
  const arrow = f.direction === "pass-to-fail" ? "🔻 pass → fail" : "🟢 fail → pass";
  const block = (label: string, text: string | null | undefined) =>
    text === undefined
      ? []
      : [`**${label}**`, "", text === null ? "_(no output: the provider errored)_" : codeBlock(excerpt(text, excerptLength)), ""];
  return [
    `<details><summary>${arrow}: <code>${escapeHtml(excerpt(f.id, 200))}</code></summary>`,
    "",
    ...block("Input", f.input),
    ...block("Expected", f.expected),
    ...block("Baseline output", f.baselineOutput),
    ...block("Head output", f.headOutput),
    "</details>",
  ];
}

function headline(c: Comparison, title: string | undefined): string[] {
  const regressions = c.metrics.filter((m) => m.verdict === "significant regression");
  const improvements = c.metrics.filter((m) => m.verdict === "significant improvement");
  const failedGates = c.gates.filter((g) => !g.passed);
  const icon = c.verdict === "pass" ? "✅" : "❌";
  const heading = title ? escapeInline(title) : `llmops compare: ${codeSpan(c.suite)}`;
  const parts = [
    regressions.length > 0
      ? `${regressions.length} significant regression${regressions.length === 1 ? "" : "s"} (${regressions.map((m) => escapeInline(m.name)).join(", ")})`
      : "no significant regression",
    improvements.length > 0
      ? `${improvements.length} significant improvement${improvements.length === 1 ? "" : "s"} (${improvements.map((m) => escapeInline(m.name)).join(", ")})`
      : "no significant improvement",
  ];
  if (c.gates.length > 0)
    parts.push(failedGates.length > 0 ? `${failedGates.length} of ${c.gates.length} gates failed` : `all ${c.gates.length} gates passed`);
  return [`### ${icon} ${heading}`, "", `**Verdict: ${c.verdict}** — ${parts.join("; ")}.`, ""];
}

const MAX_GATE_CHANGES = 50;

function gateChangeLines(changes: GateChange[]): string[] {
  if (changes.length === 0) return [];
  const value = (v: string | null) => v ?? "(none)";
  const listed = changes.slice(0, MAX_GATE_CHANGES).map((g) => `${g.subject} ${g.setting} ${value(g.before)} → ${value(g.after)}`);
  if (changes.length > MAX_GATE_CHANGES) listed.push(`… and ${changes.length - MAX_GATE_CHANGES} more`);
  // Escaped as one line: every part is the pull request's own text.
  return ["> [!WARNING]", `> **Gates changed in this PR** (llmops.yaml, base branch → this PR): ${escapeInline(listed.join("; "))}.`, ""];
}

function renderOne(c: Comparison, options: ComparisonMarkdownOptions, budget: Budget): { text: string; cuts: string[] } {
  const out: string[] = [commentMarker(c.suite), ...headline(c, options.title)];
  const report = htmlReportLine(options.htmlReportUrl);
  if (report) out.push(report, "");
  if (options.provenance) out.push("> [!CAUTION]", `> ${escapeInline(options.provenance)}`, "");
  out.push(...gateChangeLines(options.gateChanges?.[c.suite] ?? []));
  const cuts: string[] = [];
  const artifact = safeUrl(options.artifactUrl);
  if (c.baseline.source === "none") {
    out.push("> [!NOTE]", `> No baseline found (${escapeInline(c.baseline.description)}): this is a head-only report.`, "");
  } else {
    const digest = c.baseline.digest ? ` (${codeSpan(c.baseline.digest.slice(0, 19))})` : "";
    out.push(
      `Baseline: ${escapeInline(c.baseline.description)}${digest} · ${c.matched} matched cases · ${c.added.length} added · ${c.removed.length} removed · ${c.changed.length} changed`,
      "",
    );
  }
  out.push(...metricsTable(c), "");
  if (c.baseline.source !== "none") {
    const chart = deltaChart(c);
    if (chart.length > 0) out.push(...chart, "");
  }
  const history = options.history?.[c.suite] ?? [];
  const main = c.metrics.find((m) => m.name === options.mainMetric) ?? c.metrics[0];
  if (main && history.length > 0) {
    const shown = history.slice(Math.max(0, history.length - budget.history));
    if (shown.length < history.length) cuts.push(`${history.length - shown.length} older history points`);
    out.push(...trendChart(main, shown), "");
  }
  if (c.gates.length > 0) out.push("#### Gates", "", ...gatesTable(c.gates), "");

  const lists: [string, string[]][] = [
    ["Added cases (not in the baseline)", c.added],
    ["Removed cases (not in head)", c.removed],
    ["Changed cases (same id, different input or expected)", c.changed],
  ];
  for (const [label, ids] of lists) {
    if (ids.length === 0) continue;
    if (ids.length > budget.listIds) cuts.push(`${ids.length - budget.listIds} ids of ${label.split(" (")[0]?.toLowerCase()}`);
    out.push(`**${label}: ${ids.length}** — ${idList(ids, budget.listIds)}`, "");
  }

  if (c.flips.length > 0) {
    // Regressions matter most to a reviewer, so pass→fail comes first.
    const flips = [...c.flips.filter((f) => f.direction === "pass-to-fail"), ...c.flips.filter((f) => f.direction === "fail-to-pass")];
    const down = flips.filter((f) => f.direction === "pass-to-fail").length;
    const link = artifact ? ` · [full results](${artifact})` : "";
    out.push(`#### Flipped cases: ${down} pass → fail, ${flips.length - down} fail → pass${link}`, "");
    const detailed = flips.slice(0, budget.flipDetails);
    for (const f of detailed) out.push(...flipDetail(f, options.excerptLength ?? 400), "");
    const rest = flips.slice(detailed.length);
    if (rest.length > 0) {
      const listed = rest.slice(0, budget.flipIds);
      const items = listed.map((f) => `${f.direction === "pass-to-fail" ? "🔻" : "🟢"} ${codeSpan(excerpt(f.id, 200))}`);
      if (listed.length > 0) out.push(`More flipped cases: ${items.join(", ")}`, "");
      const hidden = rest.length - listed.length;
      if (hidden > 0)
        out.push(
          `… and ${hidden} more flipped cases${artifact ? ` in the [results artifact](${artifact})` : " in the results artifact"}.`,
          "",
        );
    }
    const omittedDetails = Math.min(flips.length, options.maxFlipDetails ?? 20) - detailed.length;
    if (omittedDetails > 0) cuts.push(`excerpts of ${omittedDetails} flipped cases`);
    const omittedIds = rest.length - Math.min(rest.length, budget.flipIds);
    if (omittedIds > 0 && budget.flipIds < Number.MAX_SAFE_INTEGER) cuts.push(`ids of ${omittedIds} flipped cases`);
  }
  if (artifact && c.flips.length === 0) out.push(`[Full results](${artifact})`, "");
  return { text: out.join("\n"), cuts };
}

function withCuts(rendered: { text: string; cuts: string[] }): string {
  if (rendered.cuts.length === 0) return `${rendered.text.trimEnd()}\n`;
  return `${rendered.text.trimEnd()}\n\n> [!NOTE]\n> Shortened to fit GitHub's comment limit; left out: ${rendered.cuts.join(", ")}.\n`;
}

/** One suite's section, shrunk in a fixed order until it fits: flipped-case excerpts, flipped ids, older history, case id lists. */
export function renderSuiteComparisonMarkdown(c: Comparison, options: ComparisonMarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? 60_000;
  const budget: Budget = {
    flipDetails: options.maxFlipDetails ?? 20,
    flipIds: 500,
    history: options.history?.[c.suite]?.length ?? 0,
    listIds: 200,
  };
  const order: (keyof Budget)[] = ["flipDetails", "flipIds", "history", "listIds"];
  let text = withCuts(renderOne(c, options, budget));
  for (const key of order) {
    while (text.length > maxLength && budget[key] > 0) {
      budget[key] = Math.floor(budget[key] / 2);
      text = withCuts(renderOne(c, options, budget));
    }
  }
  if (text.length > maxLength) {
    // Only the fixed parts are left (a huge metric or gate table): cut at a line boundary and say so.
    const note = "\n\n> [!NOTE]\n> Shortened to fit GitHub's comment limit; see the results artifact for the rest.\n";
    const cut = text.lastIndexOf("\n", maxLength - note.length);
    text = `${text.slice(0, Math.max(0, cut))}${note}`;
  }
  return text;
}

/**
 * Markdown for one or more suites. Each suite's section starts with its hidden marker, so a
 * sticky comment per suite can be found again; `maxLength` is shared across suites.
 */
export function renderComparisonMarkdown(comparisons: Comparison[], options: ComparisonMarkdownOptions = {}): string {
  if (comparisons.length === 0) return "_No suites were compared._\n";
  const total = options.maxLength ?? 60_000;
  const share = Math.floor(total / comparisons.length) - 2;
  return comparisons.map((c) => renderSuiteComparisonMarkdown(c, { ...options, maxLength: share })).join("\n");
}

/** The job summary takes up to 1 MiB; stay well under it in bytes, not only characters. */
export const JOB_SUMMARY_BUDGET = 400_000;

/**
 * The Markdown of a compare report directory, as the compare pipeline (@llmops/eval) asks for it:
 * each suite's `comment.md` within a sticky comment's budget, and `summary.md` within the job
 * summary's. `gateChanges` gives the gate settings a pull request changes, per suite.
 */
export function comparisonRenderers(
  options: Omit<ComparisonMarkdownOptions, "history" | "mainMetric" | "maxLength" | "gateChanges"> & {
    gateChanges?: (suite: string) => GateChange[];
  } = {},
) {
  const { gateChanges, ...common } = options;
  const changes = (suites: string[]) =>
    gateChanges ? { gateChanges: Object.fromEntries(suites.map((suite) => [suite, gateChanges(suite)])) } : {};
  return {
    suite(c: Comparison, context: { history: HistoryPoint[]; mainMetric: string | undefined }): string {
      return renderSuiteComparisonMarkdown(c, {
        ...common,
        ...changes([c.suite]),
        ...(context.history.length > 0 ? { history: { [c.suite]: context.history } } : {}),
        ...(context.mainMetric ? { mainMetric: context.mainMetric } : {}),
      });
    },
    summary(comparisons: Comparison[], context: { history: Record<string, HistoryPoint[]> }): string {
      return renderComparisonMarkdown(comparisons, {
        ...common,
        ...changes(comparisons.map((c) => c.suite)),
        history: context.history,
        maxLength: JOB_SUMMARY_BUDGET,
      });
    },
  };
}

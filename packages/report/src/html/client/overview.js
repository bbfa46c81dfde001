// @ts-check
import { formatNumber, formatSigned } from "@llmops/core";
import { formatP } from "../../format.ts";
import { h, link, percent, srOnly } from "./dom.js";

/**
 * @import { GateResult, MetricComparison, MetricSummary } from "@llmops/core"
 * @import { ReportData, RunData, SuiteData } from "../model.ts"
 * @import { Criteria } from "./filter.ts"
 * @import { Child } from "./dom.js"
 */

/**
 * The overview tab: per suite, the verdict, each metric with its interval drawn as a bar, the
 * deltas with their intervals and verdicts, the gates, the flipped cases and the slices. Every
 * number is also in the text beside its bar, so the bars add nothing a screen reader misses.
 */

/** @typedef {(criteria: Partial<Criteria>) => void} ShowCases */

/** @type {Record<MetricComparison["verdict"], string>} */
const VERDICT_CLASS = {
  "significant regression": "bad",
  "significant improvement": "good",
  "no significant change": "neutral",
};

/**
 * The axis shared by a metric's bars: [0, 1] for values that are all in it (rates, scores), else 0 to the largest value.
 * @param {number[]} values
 * @returns {[number, number]}
 */
function scaleOf(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [0, 1];
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  if (low >= 0 && high <= 1) return [0, 1];
  const min = Math.min(0, low);
  const max = high > min ? high + (high - min) * 0.05 : min + 1;
  return [min, max];
}

/**
 * A bar with the interval shaded and the estimate marked; `label` says all of it in words.
 * @param {number} value
 * @param {number | undefined} low
 * @param {number | undefined} high
 * @param {[number, number]} scale
 * @param {string} label
 * @param {string} [tone]
 */
function intervalBar(value, low, high, scale, label, tone = "") {
  const bar = h("span", { class: `ci ${tone}`.trim(), role: "img", "aria-label": label });
  if (low !== undefined && high !== undefined) {
    const from = percent(Math.min(low, high), scale[0], scale[1]);
    const to = percent(Math.max(low, high), scale[0], scale[1]);
    const range = h("span", { class: "ci-range" });
    range.style.left = `${from}%`;
    range.style.width = `${Math.max(0.5, to - from)}%`;
    bar.appendChild(range);
  }
  const mark = h("span", { class: "ci-mark" });
  mark.style.left = `${percent(value, scale[0], scale[1])}%`;
  bar.appendChild(mark);
  return bar;
}

/**
 * A bar for a difference: zero in the middle, the interval of Δ shaded.
 * @param {MetricComparison} m
 */
function deltaBar(m) {
  const tested = m.ci.method !== "none";
  const extent = Math.max(1e-12, Math.abs(m.delta), Math.abs(m.ci.low), Math.abs(m.ci.high)) * 1.1;
  const interval = tested ? `, 95% interval ${formatSigned(m.ci.low)} to ${formatSigned(m.ci.high)}` : "";
  const bar = intervalBar(
    m.delta,
    tested ? m.ci.low : undefined,
    tested ? m.ci.high : undefined,
    [-extent, extent],
    `difference ${formatSigned(m.delta)}${interval}`,
    `delta ${VERDICT_CLASS[m.verdict]}`,
  );
  bar.appendChild(h("span", { class: "ci-zero" }));
  return bar;
}

/**
 * @param {{ mean: number; ci: MetricSummary["ci"] } | undefined} m
 * @param {[number, number]} scale
 * @param {string} side
 */
function valueCell(m, scale, side) {
  if (!m) return h("td", null, "—");
  const tested = m.ci.method !== "none";
  const interval = tested ? `, 95% interval ${formatNumber(m.ci.low)} to ${formatNumber(m.ci.high)}` : "";
  return h(
    "td",
    { class: "metric-value" },
    h("span", { class: "num" }, formatNumber(m.mean)),
    " ",
    h("span", { class: "muted ci-text" }, tested ? `[${formatNumber(m.ci.low)}, ${formatNumber(m.ci.high)}]` : ""),
    intervalBar(m.mean, tested ? m.ci.low : undefined, tested ? m.ci.high : undefined, scale, `${side} ${formatNumber(m.mean)}${interval}`),
  );
}

/** @param {boolean} higherIsBetter */
function direction(higherIsBetter) {
  return h(
    "span",
    { class: "direction", title: higherIsBetter ? "higher is better" : "lower is better" },
    higherIsBetter ? "↑" : "↓",
    srOnly(higherIsBetter ? " (higher is better)" : " (lower is better)"),
  );
}

/**
 * @param {string} caption
 * @param {string[]} columns
 * @param {HTMLElement[]} rows
 * @param {string} className
 */
function table(caption, columns, rows, className) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: className },
      h("caption", null, caption),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          columns.map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h("tbody", null, rows),
    ),
  );
}

/**
 * @param {SuiteData} suite
 * @param {NonNullable<SuiteData["comparison"]>} comparison
 */
function comparedMetricsTable(suite, comparison) {
  const head = new Map(suite.head.metrics.map((m) => [m.name, m]));
  const base = new Map((suite.baseline?.metrics ?? []).map((m) => [m.name, m]));
  const rows = comparison.metrics.map((m) => {
    const hm = head.get(m.name);
    const bm = base.get(m.name);
    const scale = scaleOf([m.baseline, m.head, ...(hm ? [hm.ci.low, hm.ci.high] : []), ...(bm ? [bm.ci.low, bm.ci.high] : [])]);
    /** @type {MetricSummary["ci"]} */
    const none = { low: 0, high: 0, level: 0.95, method: "none" };
    return h(
      "tr",
      null,
      h("th", { scope: "row" }, m.name, " ", direction(m.higherIsBetter)),
      valueCell(bm ?? { mean: m.baseline, ci: none }, scale, "baseline"),
      valueCell(hm ?? { mean: m.head, ci: none }, scale, "head"),
      h(
        "td",
        { class: "metric-value" },
        h("span", { class: "num" }, formatSigned(m.delta)),
        " ",
        h("span", { class: "muted ci-text" }, m.ci.method === "none" ? "" : `[${formatSigned(m.ci.low)}, ${formatSigned(m.ci.high)}]`),
        deltaBar(m),
      ),
      h("td", { class: "num" }, m.test === "none" ? "—" : formatP(m.pAdjusted)),
      h(
        "td",
        null,
        h("span", { class: `badge ${VERDICT_CLASS[m.verdict]}` }, m.verdict),
        m.note ? h("div", { class: "muted small" }, m.note) : null,
      ),
    );
  });
  return table(
    `Metrics of ${suite.name}: baseline and head with 95% intervals, and the paired difference`,
    ["Metric", "Baseline", "Head", "Δ head − baseline (95% CI)", "p (Holm)", "Verdict"],
    rows,
    "metrics",
  );
}

/**
 * @param {string} caption
 * @param {MetricSummary[]} metrics
 */
function headMetricsTable(caption, metrics) {
  const rows = metrics.map((m) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, m.name, " ", direction(m.higherIsBetter)),
      h("td", { class: "num" }, String(m.n)),
      valueCell(m, scaleOf([m.mean, m.ci.low, m.ci.high]), "mean"),
      h("td", { class: "num" }, formatNumber(m.sd)),
    ),
  );
  return table(caption, ["Metric", "n", "Mean (95% CI)", "SD"], rows, "metrics");
}

/**
 * @param {string} suite
 * @param {GateResult[]} gates
 */
function gatesTable(suite, gates) {
  const rows = gates.map((g) =>
    h(
      "tr",
      null,
      h("td", null, h("span", { class: `badge ${g.passed ? "good" : "bad"}` }, g.passed ? "✓ passed" : "✗ failed")),
      h("td", null, g.description, g.slice ? h("span", { class: "muted" }, ` (${g.slice})`) : null),
      h("td", { class: "num" }, g.actual === null ? "—" : formatNumber(g.actual)),
      h("td", { class: "num" }, formatNumber(g.threshold)),
      h("td", null, g.reason ?? ""),
    ),
  );
  return table(`Gates of ${suite}`, ["Result", "Gate", "Actual", "Threshold", "Note"], rows, "gates");
}

/**
 * @param {RunData} run
 * @param {string} label
 */
function runFacts(run, label) {
  /** @type {Child[]} */
  const facts = [
    h("strong", null, `${label}: `),
    `${run.cases} case results, ${run.errors} errors`,
    run.providers.length ? ` · providers ${run.providers.join(", ")}` : null,
    run.model ? ` · model ${run.model.ref} (${run.model.digest.slice(0, 19)})` : null,
    run.dataset ? ` · dataset ${run.dataset.ref} (${run.dataset.digest.slice(0, 19)})` : null,
    run.commit ? ` · commit ${run.commit.slice(0, 12)}` : null,
  ];
  if (run.runUrl) facts.push(" · ", link(run.runUrl, "workflow run"));
  else if (run.runText) facts.push(` · run ${run.runText}`);
  return h("p", { class: "facts" }, facts);
}

/** @param {SuiteData} suite */
export function suiteVerdict(suite) {
  return suite.comparison ? suite.comparison.verdict : suite.head.passed ? "pass" : "fail";
}

/**
 * @param {SuiteData} suite
 * @param {number} index
 * @param {ShowCases} showCases
 */
function suiteCard(suite, index, showCases) {
  const comparison = suite.comparison;
  const verdict = suiteVerdict(suite);
  const headingId = `suite-${index}`;
  const card = h(
    "article",
    { class: "suite-card", "aria-labelledby": headingId },
    h(
      "h2",
      { id: headingId },
      h("span", { class: `badge big ${verdict === "pass" ? "good" : "bad"}` }, verdict === "pass" ? "✓ pass" : "✗ fail"),
      " ",
      suite.name,
    ),
  );
  if (!suite.head.complete)
    card.appendChild(h("p", { class: "warning" }, "This run is incomplete (interrupted or a single shard): it is not a full result."));
  if (comparison) {
    const b = comparison.baseline;
    card.appendChild(
      h(
        "p",
        { class: "facts" },
        h("strong", null, "Baseline: "),
        b.description,
        b.digest ? ` (${b.digest.slice(0, 19)})` : "",
        b.source === "none"
          ? null
          : ` · ${comparison.matched} matched cases · ${comparison.added} added · ${comparison.removed} removed · ${comparison.changed} changed`,
      ),
    );
  }
  card.appendChild(runFacts(suite.head, "Head"));
  if (suite.baseline) card.appendChild(runFacts(suite.baseline, "Baseline run"));

  if (comparison && comparison.baseline.source !== "none" && comparison.metrics.length > 0)
    card.appendChild(comparedMetricsTable(suite, comparison));
  else if (suite.head.metrics.length > 0)
    card.appendChild(headMetricsTable(`Metrics of ${suite.name} (head) with 95% intervals`, suite.head.metrics));
  else card.appendChild(h("p", { class: "muted" }, "No metrics."));

  const gates = comparison ? comparison.gates : suite.head.gates;
  if (gates.length > 0) {
    const failed = gates.filter((g) => !g.passed).length;
    card.appendChild(h("h3", null, failed > 0 ? `Gates: ${failed} of ${gates.length} failed` : `Gates: all ${gates.length} passed`));
    card.appendChild(gatesTable(suite.name, gates));
  }

  const actions = h("div", { class: "actions" });
  /**
   * @param {string} label
   * @param {Partial<Criteria>} criteria
   */
  const action = (label, criteria) => {
    const button = h("button", { type: "button" }, label);
    button.addEventListener("click", () => showCases(criteria));
    actions.appendChild(button);
  };
  if (comparison && comparison.passToFail + comparison.failToPass > 0) {
    card.appendChild(h("h3", null, `Flipped cases: ${comparison.passToFail} pass → fail, ${comparison.failToPass} fail → pass`));
    if (comparison.passToFail > 0) action(`Show the ${comparison.passToFail} pass → fail cases`, { suite: index, flip: "pass-to-fail" });
    if (comparison.failToPass > 0) action(`Show the ${comparison.failToPass} fail → pass cases`, { suite: index, flip: "fail-to-pass" });
  }
  action("Show head's failing cases", { suite: index, outcome: "failing" });
  card.appendChild(actions);

  if (suite.head.slices.length > 0) {
    const details = h("details", { class: "slices" }, h("summary", null, `Slices of head (${suite.head.slices.length})`));
    for (const slice of suite.head.slices) details.appendChild(headMetricsTable(`${slice.key} = ${slice.value}`, slice.metrics));
    card.appendChild(details);
  }
  return card;
}

/**
 * @param {HTMLElement} panel
 * @param {ReportData} data
 * @param {ShowCases} showCases
 */
export function renderOverview(panel, data, showCases) {
  if (data.suites.length === 0) {
    panel.appendChild(h("p", null, "This report holds no suites."));
    return;
  }
  const failing = data.suites.filter((s) => suiteVerdict(s) === "fail").length;
  panel.appendChild(
    h(
      "p",
      { class: "lead" },
      `${data.suites.length} suite${data.suites.length === 1 ? "" : "s"}, ${data.rows.length} case results: `,
      failing > 0 ? h("strong", { class: "bad-text" }, `${failing} failing`) : h("strong", { class: "good-text" }, "all passing"),
      ".",
    ),
  );
  data.suites.forEach((suite, index) => {
    panel.appendChild(suiteCard(suite, index, showCases));
  });
}

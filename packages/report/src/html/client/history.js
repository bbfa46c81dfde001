// @ts-check
import { formatNumber } from "@llmops/core";
import { formatWhen, h, link } from "./dom.js";

/**
 * @import UPlot from "uplot"
 * @import { HistoryVersion, HtmlReportHistory, ReportData } from "../model.ts"
 */

/**
 * The history tab: what the alias pointed to over time, from the store. One line chart per suite
 * and metric (uPlot, bundled into the page): the metric recorded as evidence on each version from
 * the moment the alias moved to it, its 95% interval as a band, and this report's head as a last
 * point. Each chart has its numbers in a table beside it, and the moves are listed with who made
 * them, from which run, and the evidence and promotions recorded on each version.
 */

/**
 * The uPlot global that the library's script (run before this one in the page) defines.
 * @returns {typeof UPlot}
 */
function uPlotLibrary() {
  return /** @type {{ uPlot: typeof UPlot }} */ (/** @type {unknown} */ (globalThis)).uPlot;
}

/**
 * @typedef {object} Point
 * @property {number} time seconds since the epoch
 * @property {HistoryVersion} version
 * @property {number | null} mean
 * @property {number | null} low
 * @property {number | null} high
 */

/**
 * @typedef {object} Series
 * @property {string} suite
 * @property {string} metric
 * @property {boolean} higherIsBetter
 * @property {Point[]} points
 * @property {number | null} head this report's head value of the metric, when the report has the suite
 */

/** @param {string | undefined} iso */
function seconds(iso) {
  const time = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(time) ? undefined : time / 1000;
}

/**
 * Every (suite, metric) with evidence on some version the alias pointed to, and its value at each move.
 * @param {HtmlReportHistory} history
 * @param {ReportData} data
 * @returns {Series[]}
 */
function seriesOf(history, data) {
  const versions = new Map(history.versions.map((v) => [v.digest, v]));
  /** @type {Map<string, Series>} */
  const found = new Map();
  for (const version of history.versions) {
    for (const evidence of version.evidence) {
      for (const m of evidence.metrics) {
        const key = JSON.stringify([evidence.suite, m.name]);
        if (found.has(key)) continue;
        const suite = data.suites.find((s) => s.name === evidence.suite);
        const head = suite?.head.metrics.find((hm) => hm.name === m.name)?.mean ?? null;
        found.set(key, { suite: evidence.suite, metric: m.name, higherIsBetter: m.higherIsBetter, points: [], head });
      }
    }
  }
  const moves = [...history.moves].sort((a, b) => (seconds(a.when) ?? 0) - (seconds(b.when) ?? 0));
  for (const series of found.values()) {
    for (const move of moves) {
      const time = seconds(move.when);
      const version = versions.get(move.to);
      if (time === undefined || !version) continue;
      const metric = version.evidence.find((e) => e.suite === series.suite)?.metrics.find((m) => m.name === series.metric);
      series.points.push({ time, version, mean: metric?.mean ?? null, low: metric?.low ?? null, high: metric?.high ?? null });
    }
  }
  return [...found.values()].filter((s) => s.points.some((p) => p.mean !== null));
}

/**
 * @param {string} name
 * @param {string} fallback
 */
function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** @param {number | null} v */
const shown = (v) => (v === null || v === undefined ? "—" : formatNumber(v));

/**
 * @param {HTMLElement} target
 * @param {Series} series
 * @param {number | undefined} now
 */
function chart(target, series, now) {
  const uPlot = uPlotLibrary();
  const xs = series.points.map((p) => p.time);
  const means = series.points.map((p) => p.mean);
  const lows = series.points.map((p) => p.low);
  const highs = series.points.map((p) => p.high);
  /** @type {(number | null)[]} */
  const heads = series.points.map(() => null);
  const last = series.points[series.points.length - 1];
  if (last && now !== undefined && now > last.time) {
    // The alias still points at its last version: its step runs on to now, where this report's head is.
    xs.push(now);
    means.push(last.mean);
    lows.push(last.low);
    highs.push(last.high);
    heads.push(series.head);
  }
  const text = cssVar("--text", "#1f2328");
  const grid = cssVar("--grid", "#d0d7de");
  const accent = cssVar("--accent", "#0969da");
  const band = cssVar("--band", "rgba(9,105,218,0.18)");
  const headColor = cssVar("--head", "#8250df");
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  // The alias stays on a version until it moves again: steps, not slopes.
  const steps = uPlot.paths.stepped?.({ align: 1 });
  /** @type {UPlot.Options} */
  const options = {
    width: Math.max(260, target.clientWidth || 600),
    height: 240,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
    scales: { x: { time: true } },
    series: [
      { label: "time (UTC)" },
      {
        label: `${series.metric} at the alias's version`,
        stroke: accent,
        width: 2,
        points: { show: true, size: 7 },
        spanGaps: true,
        paths: steps,
        value: (_u, v) => shown(v),
      },
      { label: "95% low", stroke: band, width: 1, points: { show: false }, spanGaps: true, paths: steps, value: (_u, v) => shown(v) },
      { label: "95% high", stroke: band, width: 1, points: { show: false }, spanGaps: true, paths: steps, value: (_u, v) => shown(v) },
      {
        label: "this report's head",
        stroke: headColor,
        width: 0,
        points: { show: true, size: 9, fill: headColor },
        value: (_u, v) => shown(v),
      },
    ],
    bands: [{ series: [3, 2], fill: band }],
    axes: [axis, { ...axis, values: (_u, splits) => splits.map((v) => formatNumber(v)) }],
  };
  return new uPlot(options, [xs, means, lows, highs, heads], target);
}

/** @param {Series} series */
function dataTable(series) {
  return h(
    "details",
    { class: "chart-data" },
    h("summary", null, `Values of ${series.metric} (table)`),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        null,
        h("caption", null, `${series.suite}: ${series.metric} per version of the alias`),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            ["Alias moved", "Version", "Mean", "95% CI"].map((c) => h("th", { scope: "col" }, c)),
          ),
        ),
        h(
          "tbody",
          null,
          series.points.map((p) =>
            h(
              "tr",
              null,
              h("td", null, formatWhen(new Date(p.time * 1000).toISOString())),
              h("td", null, p.version.label),
              h("td", { class: "num" }, shown(p.mean)),
              h("td", { class: "num" }, p.low === null || p.high === null ? "—" : `[${formatNumber(p.low)}, ${formatNumber(p.high)}]`),
            ),
          ),
          series.head === null
            ? null
            : h(
                "tr",
                null,
                h("td", null, "this report"),
                h("td", null, "head"),
                h("td", { class: "num" }, formatNumber(series.head)),
                h("td", null, ""),
              ),
        ),
      ),
    ),
  );
}

/** @param {HtmlReportHistory} history */
function movesTable(history) {
  const versions = new Map(history.versions.map((v) => [v.digest, v]));
  /** @param {string | null} digest */
  const label = (digest) => (digest === null ? "(none)" : (versions.get(digest)?.label ?? digest.slice(0, 19)));
  const moves = [...history.moves].sort((a, b) => (seconds(b.when) ?? 0) - (seconds(a.when) ?? 0));
  const rows = moves.map((m) => {
    const version = versions.get(m.to);
    const evidence = version?.evidence ?? [];
    const promotions = version?.promotions ?? [];
    return h(
      "tr",
      null,
      h("td", null, formatWhen(m.when)),
      h("td", null, h("code", null, label(m.to))),
      h("td", null, label(m.from)),
      h("td", null, m.actor ?? "—"),
      // A run on the GitHub server is linked; a URL from anywhere else is only shown (data.ts `runLink`).
      h("td", null, m.runUrl ? link(m.runUrl, "run") : m.runText ? h("span", { class: "url-text" }, m.runText) : "—"),
      h(
        "td",
        null,
        evidence.length === 0
          ? "none"
          : evidence.map((e) =>
              h(
                "div",
                null,
                h("span", { class: `badge ${e.passed ? "good" : "bad"}` }, e.passed ? "✓ passed" : "✗ failed"),
                ` ${e.suite}${e.complete ? "" : " (incomplete)"} `,
                h("span", { class: "muted" }, formatWhen(e.when)),
              ),
            ),
      ),
      h(
        "td",
        null,
        promotions.length === 0
          ? "none"
          : promotions.map((p) =>
              h(
                "div",
                null,
                formatWhen(p.when),
                " ",
                h(
                  "span",
                  { class: "muted" },
                  Object.entries(p.annotations)
                    .map(([k, v]) => `${k.replace(/^(dev|org)\.llmops\./, "")}=${v}`)
                    .join(", "),
                ),
              ),
            ),
      ),
    );
  });
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "moves" },
      h("caption", null, `Moves of ${history.name}:${history.alias}, newest first, with the evidence recorded on each version`),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          ["When", "Version", "From", "By", "Run", "Eval evidence", "Promotions"].map((c) => h("th", { scope: "col" }, c)),
        ),
      ),
      h("tbody", null, rows),
    ),
  );
}

/**
 * Fills the history panel. Charts take the panel's width, so call it when the panel is visible.
 * @param {HTMLElement} panel
 * @param {ReportData} data
 * @returns {UPlot[]}
 */
export function renderHistory(panel, data) {
  const history = data.history;
  if (!history) {
    panel.appendChild(
      h(
        "p",
        null,
        "No store history in this report: `llmops report html --history NAME:ALIAS` (or a baseline taken from an alias) adds the versions that alias pointed to, with their evidence.",
      ),
    );
    return [];
  }
  const times = history.moves.map((m) => m.when).sort();
  panel.appendChild(h("h2", { class: "history-title" }, "History of ", h("code", null, `${history.name}:${history.alias}`)));
  panel.appendChild(
    h(
      "p",
      { class: "lead" },
      history.moves.length === 0
        ? "The alias has no recorded moves."
        : `${history.moves.length} moves from ${formatWhen(times[0])} to ${formatWhen(times[times.length - 1])}, over ${history.versions.length} versions.`,
    ),
  );
  const all = seriesOf(history, data);
  if (all.length === 0)
    panel.appendChild(h("p", { class: "muted" }, "No eval evidence is recorded on these versions, so there is nothing to chart."));
  const now = seconds(data.generatedAt);
  /** @type {UPlot[]} */
  const charts = [];
  for (const series of all) {
    const target = h("div", {
      class: "chart",
      role: "img",
      "aria-label": `Line chart of ${series.metric} of suite ${series.suite} per version of the alias; its values are in the table below it.`,
    });
    panel.appendChild(
      h(
        "figure",
        { class: "history-chart" },
        h("figcaption", null, `${series.suite} · ${series.metric} (${series.higherIsBetter ? "higher" : "lower"} is better)`),
        target,
        dataTable(series),
      ),
    );
    charts.push(chart(target, series, now));
  }
  panel.appendChild(h("h3", null, "Moves"));
  panel.appendChild(movesTable(history));
  return charts;
}

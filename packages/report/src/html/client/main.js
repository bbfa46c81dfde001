// @ts-check
import { formatNumber } from "@llmops/core";
import { renderDetail } from "./detail.js";
import { byId, formatWhen, h, link } from "./dom.js";
import { ALL_ROWS, filterRows, RowSearch, sliceValue } from "./filter.ts";
import { renderHistory } from "./history.js";
import { renderOverview } from "./overview.js";
import { expandReportData, rowTags } from "./rows.ts";
import { CaseTable } from "./table.js";

/**
 * @import UPlot from "uplot"
 * @import { ReportData, RowData } from "../model.ts"
 * @import { Criteria } from "./filter.ts"
 */

/**
 * The page's entry: reads the embedded JSON (page.ts writes it; nothing in it is ever parsed as
 * markup), then draws the three tabs. Once the case table has its rows, the document element gets
 * `data-state="ready"`, which the tests and the benchmark wait for.
 */

/** @type {ReportData} */
const data = expandReportData(JSON.parse(byId("llmops-report-data").textContent ?? "{}"));
const rows = data.rows;

// ---- header --------------------------------------------------------------------------------
{
  const meta = byId("report-meta");
  meta.append(
    `Made ${formatWhen(data.generatedAt)} · ${data.suites.length} suite${data.suites.length === 1 ? "" : "s"} · ${rows.length} case results`,
  );
  if (data.runUrl) meta.append(" · ", link(data.runUrl, "workflow run"));
  const trimmed = data.trimmed;
  if (trimmed) {
    const budget = trimmed.maxBytes >= 1e6 ? `${formatNumber(trimmed.maxBytes / 1e6)} MB` : `${formatNumber(trimmed.maxBytes)} bytes`;
    meta.after(
      h(
        "p",
        { class: "warning", id: "report-trimmed" },
        `To keep this page's case text within ${budget}, ${trimmed.rows} of ${rows.length} case results show only the first ${trimmed.length} characters of each text, or none of it. The results files have all of it.`,
      ),
    );
  }
}

// ---- cases ----------------------------------------------------------------------------------
const search = new RowSearch(rows);
/** @type {Criteria} */
let criteria = { ...ALL_ROWS };
const detail = h(
  "section",
  { class: "case-detail", id: "case-detail", "aria-labelledby": "case-detail-title" },
  h("h3", { id: "case-detail-title" }, "Case"),
  h(
    "p",
    { class: "muted" },
    "Choose a case in the table (click it, or move with the arrow keys and press Enter) to read it in full, with the two outputs compared word by word.",
  ),
);
const status = h("p", { class: "case-count", id: "case-count", role: "status", "aria-live": "polite" });
const announce = h("p", { class: "sr-only", role: "status", "aria-live": "polite" });

const table = new CaseTable(rows, data.suites, (position) => {
  const index = table.rowAt(position);
  if (index === undefined) return;
  announce.textContent = renderDetail(detail, data, /** @type {RowData} */ (rows[index]));
  detail.scrollIntoView({ block: "nearest" });
});

/**
 * A labelled form field.
 * @template {"input" | "select"} K
 * @param {K} tag
 * @param {string} id
 * @param {string} label
 * @param {Record<string, string>} [attributes]
 */
function control(tag, id, label, attributes = {}) {
  const field = h(tag, { id, ...attributes });
  return { wrap: h("div", { class: "field" }, h("label", { for: id }, label), field), field };
}

/**
 * @param {HTMLSelectElement} select
 * @param {[string, string][]} values
 */
function options(select, values) {
  select.replaceChildren(...values.map(([value, label]) => h("option", { value }, label)));
}

const hasBaseline = data.suites.some((s) => s.baseline !== null);
const queryField = control("input", "f-search", "Search", {
  type: "search",
  placeholder: "id, input, expected, output",
  autocomplete: "off",
  spellcheck: "false",
});
const suiteField = control("select", "f-suite", "Suite");
options(suiteField.field, [["-1", "All suites"], ...data.suites.map((s, i) => /** @type {[string, string]} */ ([String(i), s.name]))]);
const outcomeField = control("select", "f-outcome", "Head outcome");
options(outcomeField.field, [
  ["all", "Any outcome"],
  ["failing", "Failing (failed or errored)"],
  ["errors", "Errored"],
  ["passing", "Passing"],
]);
const flipField = control("select", "f-flip", "Change from baseline");
options(flipField.field, [
  ["all", "Any"],
  ["flipped", "Flipped either way"],
  ["pass-to-fail", "Pass → fail"],
  ["fail-to-pass", "Fail → pass"],
]);
flipField.field.disabled = !hasBaseline;
const sliceField = control("select", "f-slice", "Slice");
{
  /** @type {Map<string, Set<string>>} */
  const seen = new Map();
  for (const row of rows) {
    for (const [key, value] of Object.entries(rowTags(row))) {
      let values = seen.get(key);
      if (!values) {
        values = new Set();
        seen.set(key, values);
      }
      if (values.size < 500) values.add(value);
    }
  }
  /** @type {[string, string][]} */
  const slices = [["", "All slices"]];
  for (const key of [...seen.keys()].sort())
    for (const value of [...(seen.get(key) ?? [])].sort()) slices.push([sliceValue(key, value), `${key} = ${value}`]);
  options(sliceField.field, slices);
  sliceField.field.disabled = slices.length === 1;
}
const reset = h("button", { type: "button", id: "f-reset" }, "Clear filters");

function applyFilters() {
  const shownRows = filterRows(rows, criteria, search);
  table.show(shownRows);
  status.textContent = `Showing ${shownRows.length} of ${rows.length} case results`;
}

function readControls() {
  criteria = {
    suite: Number(suiteField.field.value),
    outcome: /** @type {Criteria["outcome"]} */ (outcomeField.field.value),
    flip: /** @type {Criteria["flip"]} */ (flipField.field.value),
    slice: sliceField.field.value,
    query: queryField.field.value,
  };
  applyFilters();
}

function writeControls() {
  suiteField.field.value = String(criteria.suite);
  outcomeField.field.value = criteria.outcome;
  flipField.field.value = criteria.flip;
  sliceField.field.value = criteria.slice;
  queryField.field.value = criteria.query;
}

let typing = 0;
queryField.field.addEventListener("input", () => {
  clearTimeout(typing);
  typing = window.setTimeout(readControls, 120);
});
queryField.field.addEventListener("keydown", (event) => {
  if (event.key !== "Enter") return;
  clearTimeout(typing);
  readControls();
});
for (const field of [suiteField.field, outcomeField.field, flipField.field, sliceField.field])
  field.addEventListener("change", readControls);
reset.addEventListener("click", () => {
  criteria = { ...ALL_ROWS };
  writeControls();
  applyFilters();
});

byId("panel-cases").append(
  h("h2", { class: "sr-only" }, "Cases"),
  h(
    "div",
    { class: "filters", role: "search", "aria-label": "Filter cases" },
    queryField.wrap,
    data.suites.length > 1 ? suiteField.wrap : null,
    outcomeField.wrap,
    flipField.wrap,
    sliceField.wrap,
    h("div", { class: "field field-button" }, reset),
  ),
  status,
  announce,
  table.element,
  detail,
);

// ---- tabs (WAI-ARIA tabs: one tab stop, arrows move between them) ---------------------------
const TABS = /** @type {const} */ (["overview", "cases", "history"]);
/** @typedef {(typeof TABS)[number]} Tab */
/** @type {UPlot[] | undefined} */
let charts;

/**
 * @param {string} name
 * @returns {name is Tab}
 */
const isTab = (name) => /** @type {readonly string[]} */ (TABS).includes(name);

/**
 * @param {Tab} tab
 * @param {boolean} [focus]
 */
function selectTab(tab, focus = false) {
  for (const name of TABS) {
    const button = byId(`tab-${name}`);
    const selected = name === tab;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    byId(`panel-${name}`).hidden = !selected;
  }
  if (focus) byId(`tab-${tab}`).focus();
  if (tab === "cases") table.resize();
  if (tab === "history" && !charts) charts = renderHistory(byId("panel-history"), data);
  if (location.hash !== `#${tab}`) history.replaceState(null, "", `#${tab}`);
}

byId("tablist").addEventListener("click", (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest("[role=tab]");
  const tab = button ? button.id.replace(/^tab-/, "") : "";
  if (isTab(tab)) selectTab(tab);
});
byId("tablist").addEventListener("keydown", (event) => {
  const current = TABS.findIndex((t) => byId(`tab-${t}`).getAttribute("aria-selected") === "true");
  /** @type {Record<string, number>} */
  const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: TABS.length - 1 };
  if (!Object.hasOwn(moves, event.key)) return;
  event.preventDefault();
  const next = /** @type {number} */ (moves[event.key]);
  selectTab(/** @type {Tab} */ (TABS[(next + TABS.length) % TABS.length]), true);
});

/**
 * The overview's "show these cases" buttons.
 * @param {Partial<Criteria>} partial
 */
function showCases(partial) {
  criteria = { ...ALL_ROWS, ...partial };
  writeControls();
  applyFilters();
  selectTab("cases");
  table.element.focus();
}

// ---- start ----------------------------------------------------------------------------------
renderOverview(byId("panel-overview"), data, showCases);
applyFilters();
const initial = location.hash.slice(1);
selectTab(isTab(initial) ? initial : "overview");
let resizing = 0;
window.addEventListener("resize", () => {
  cancelAnimationFrame(resizing);
  resizing = requestAnimationFrame(() => {
    table.resize();
    for (const chart of charts ?? []) {
      const width = chart.root.parentElement?.clientWidth ?? 0;
      if (width > 0) chart.setSize({ width: Math.max(260, width), height: 240 });
    }
  });
});
table.resize();
performance.mark("llmops-report-ready");
document.documentElement.dataset.state = "ready";

// @ts-check
import { formatNumber } from "@llmops/core";
import { diffIsUseful, diffWords } from "./diff.ts";
import { h, srOnly } from "./dom.js";
import {
  rowBaseline,
  rowExpected,
  rowFlip,
  rowHead,
  rowInput,
  rowLabel,
  rowSuite,
  rowTags,
  STATUS_ICON,
  STATUS_WORD,
  sideCost,
  sideError,
  sideLatency,
  sideOutput,
  sideScores,
  sideStatus,
} from "./rows.ts";

/**
 * @import { ReportData, RowData, ScoreData, SideData } from "../model.ts"
 * @import { DiffPart } from "./diff.ts"
 */

/**
 * One case in full: input, expected, baseline and head outputs side by side with a word diff
 * (removed words marked in the baseline's, added words in head's), each scorer's verdict on both,
 * latency, cost and errors.
 */

/**
 * @param {string} label
 * @param {string | null} text
 * @param {string} [extra]
 */
function block(label, text, extra = "") {
  return h(
    "div",
    { class: `block ${extra}`.trim() },
    h("h4", null, label),
    text === null ? h("p", { class: "muted" }, "—") : h("pre", { class: "text" }, text),
  );
}

/**
 * One output with the words only it has marked.
 * @param {string} label
 * @param {DiffPart[]} parts
 * @param {-1 | 1} keep
 * @param {SideData | null} side
 */
function diffPane(label, parts, keep, side) {
  const pre = h("pre", { class: "text diff", "aria-label": label });
  for (const part of parts) {
    if (part.op === 0) pre.appendChild(document.createTextNode(part.text));
    else if (part.op === keep) {
      pre.appendChild(
        keep === -1
          ? h("del", null, srOnly("[removed: "), part.text, srOnly("]"))
          : h("ins", null, srOnly("[added: "), part.text, srOnly("]")),
      );
    }
  }
  const status = side ? `${STATUS_ICON[sideStatus(side)]} ${STATUS_WORD[sideStatus(side)]}` : "not in this run";
  const tone = side ? (sideStatus(side) === 1 ? "good" : "bad") : "neutral";
  return h("div", { class: "block" }, h("h4", null, label, " ", h("span", { class: `badge ${tone}` }, status)), pre);
}

/** @param {RowData} row */
function outputs(row) {
  const head = rowHead(row);
  const baseline = rowBaseline(row);
  const headText = head ? (sideOutput(head) ?? "") : "";
  const baselineText = baseline ? (sideOutput(baseline) ?? "") : "";
  const wrap = h("div", { class: "outputs" });
  /** @type {DiffPart[]} */
  let parts;
  if (head && baseline) {
    parts = diffWords(baselineText, headText);
    const note = diffIsUseful(parts)
      ? "Words only in the baseline's output are struck through; words only in head's are underlined."
      : baselineText === headText
        ? "The two outputs are the same."
        : "The outputs share no words (or differ too much for a word diff).";
    wrap.appendChild(h("p", { class: "muted small" }, note));
  } else {
    parts = [];
    if (baselineText) parts.push({ op: -1, text: baselineText });
    if (headText) parts.push({ op: 1, text: headText });
  }
  wrap.appendChild(
    h("div", { class: "side-by-side" }, diffPane("Baseline output", parts, -1, baseline), diffPane("Head output", parts, 1, head)),
  );
  for (const [label, side] of /** @type {const} */ ([
    ["Baseline error", baseline],
    ["Head error", head],
  ])) {
    const error = side ? sideError(side) : null;
    if (error !== null) wrap.appendChild(block(label, error, "error"));
  }
  return wrap;
}

/** @param {ScoreData | 0 | undefined} score */
function scoreText(score) {
  if (!score) return "—";
  return `${score[1] ? "✓" : "✗"} ${formatNumber(score[0])}`;
}

/**
 * @param {ScoreData | 0 | undefined} score
 * @returns {HTMLElement}
 */
function scoreCell(score) {
  const reason = score ? score[2] : undefined;
  return h("td", { class: "num" }, scoreText(score), reason ? h("div", { class: "muted small reason" }, reason) : null);
}

/**
 * @param {RowData} row
 * @param {string[]} scorers
 */
function scoresTable(row, scorers) {
  const head = rowHead(row);
  const baseline = rowBaseline(row);
  const rows = scorers.map((name, i) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, name),
      scoreCell(baseline ? sideScores(baseline)[i] : undefined),
      scoreCell(head ? sideScores(head)[i] : undefined),
    ),
  );
  /**
   * @param {string} label
   * @param {(side: SideData) => string} value
   */
  const measure = (label, value) =>
    h(
      "tr",
      null,
      h("th", { scope: "row" }, label),
      h("td", { class: "num" }, baseline ? value(baseline) : "—"),
      h("td", { class: "num" }, head ? value(head) : "—"),
    );
  rows.push(measure("latency (ms)", (s) => formatNumber(sideLatency(s))));
  rows.push(
    measure("cost", (s) => {
      const cost = sideCost(s);
      return cost === null ? "—" : formatNumber(cost);
    }),
  );
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "scores" },
      h("caption", null, "Scores (✓ passed, ✗ failed), latency and cost"),
      h(
        "thead",
        null,
        h("tr", null, h("th", { scope: "col" }, "Scorer"), h("th", { scope: "col" }, "Baseline"), h("th", { scope: "col" }, "Head")),
      ),
      h("tbody", null, rows),
    ),
  );
}

/**
 * Fills `panel` with the case; returns a one-line description for the live region.
 * @param {HTMLElement} panel
 * @param {ReportData} data
 * @param {RowData} row
 */
export function renderDetail(panel, data, row) {
  const suite = data.suites[rowSuite(row)];
  const flip = rowFlip(row);
  const flipText = flip === 1 ? "pass → fail" : flip === 2 ? "fail → pass" : "";
  const tags = Object.entries(rowTags(row));
  panel.replaceChildren(
    h("h3", { id: "case-detail-title", tabindex: "-1" }, "Case ", h("code", null, rowLabel(row))),
    h(
      "p",
      { class: "facts" },
      data.suites.length > 1 && suite ? `suite ${suite.name} · ` : "",
      flipText ? h("span", { class: `badge ${flip === 1 ? "bad" : "good"}` }, `flipped ${flipText}`) : null,
      tags.length ? ` ${tags.map(([k, v]) => `${k}=${v}`).join(", ")}` : "",
    ),
    block("Input", rowInput(row)),
    block("Expected", rowExpected(row)),
    outputs(row),
    scoresTable(row, suite?.scorers ?? []),
  );
  const head = rowHead(row);
  return `Case ${rowLabel(row)}: head ${head ? STATUS_WORD[sideStatus(head)] : "absent"}${flipText ? `, flipped ${flipText}` : ""}`;
}

// @ts-check
import { formatNumber } from "@llmops/core";
import { h } from "./dom.js";
import {
  rowBaseline,
  rowExpected,
  rowFlip,
  rowHead,
  rowInput,
  rowLabel,
  rowSuite,
  STATUS_ICON,
  STATUS_WORD,
  sideCost,
  sideLatency,
  sideScores,
  sideStatus,
  sideText,
} from "./rows.ts";

/** @import { RowData, SideData, SuiteData } from "../model.ts" */

/**
 * The case table: an ARIA grid that keeps only the rows in view (plus a margin) in the document,
 * so ten thousand cases scroll as smoothly as ten. Rows have one height (a CSS variable per screen
 * width); the body is as tall as all of them and the rendered rows are moved into place.
 * Keyboard: the grid is one tab stop; arrows, Page Up/Down, Home and End move the current row,
 * Enter or Space opens it.
 */

/**
 * @typedef {object} Column
 * @property {string} name
 * @property {string} className
 * @property {(row: RowData, suites: SuiteData[]) => string} text
 */

/** Cells show the start of long texts; the case view shows all of them. */
const CELL_CHARS = 240;

/** @param {string | null | undefined} text */
function cell(text) {
  if (!text) return "";
  if (text.length <= CELL_CHARS) return text.replace(/\s+/g, " ");
  // Cut before a surrogate pair rather than through it.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(CELL_CHARS - 1)) ? CELL_CHARS - 1 : CELL_CHARS;
  const short = `${text.slice(0, end)}…`;
  return short.replace(/\s+/g, " ");
}

/** @param {RowData} row */
function outcome(row) {
  const head = rowHead(row);
  const flip = rowFlip(row);
  const state = head ? `${STATUS_ICON[sideStatus(head)]} ${STATUS_WORD[sideStatus(head)]}` : "– removed";
  if (flip === 1) return `${state} ↓ was pass`;
  if (flip === 2) return `${state} ↑ was fail`;
  return rowBaseline(row) || !head ? state : `${state} (new)`;
}

/**
 * @param {SideData | null} side
 * @param {string[]} scorers
 */
function scores(side, scorers) {
  if (!side) return "";
  /** @type {string[]} */
  const parts = [];
  sideScores(side).forEach((score, i) => {
    if (score) parts.push(`${scorers[i] ?? "?"} ${formatNumber(score[0])}`);
  });
  return parts.join(" · ");
}

/** @type {Column[]} */
const COLUMNS = [
  { name: "Outcome", className: "c-outcome", text: outcome },
  { name: "Case", className: "c-id", text: (row) => rowLabel(row) },
  { name: "Input", className: "c-input", text: (row) => cell(rowInput(row)) },
  { name: "Expected", className: "c-expected", text: (row) => cell(rowExpected(row)) },
  { name: "Baseline output", className: "c-baseline", text: (row) => cell(sideText(rowBaseline(row))) },
  { name: "Head output", className: "c-head", text: (row) => cell(sideText(rowHead(row))) },
  { name: "Head scores", className: "c-scores", text: (row, suites) => scores(rowHead(row), suites[rowSuite(row)]?.scorers ?? []) },
  {
    name: "Latency (ms)",
    className: "c-latency num",
    text: (row) => {
      const side = rowHead(row) ?? rowBaseline(row);
      return side ? formatNumber(sideLatency(side)) : "";
    },
  },
  {
    name: "Cost",
    className: "c-cost num",
    text: (row) => {
      const head = rowHead(row);
      const cost = head ? sideCost(head) : null;
      return cost === null ? "" : formatNumber(cost);
    },
  },
];

/** Rows rendered above and below the visible ones. */
const OVERSCAN = 8;

export class CaseTable {
  /**
   * @param {readonly RowData[]} rows
   * @param {SuiteData[]} suites
   * @param {(position: number) => void} onOpen called when a row is opened (click, Enter, Space) with its position among the shown rows
   */
  constructor(rows, suites, onOpen) {
    this.rows = rows;
    this.suites = suites;
    this.onOpen = onOpen;
    /** @type {number[]} indices (into all rows) of the rows shown, in order */
    this.shown = [];
    this.active = -1;
    this.rowHeight = 52;
    /** @type {HTMLElement[]} */
    this.pool = [];
    this.frame = 0;
    this.header = h(
      "div",
      { role: "row", class: "grid-row grid-header", "aria-rowindex": 1 },
      COLUMNS.map((c) => h("div", { role: "columnheader", class: `grid-cell ${c.className}` }, c.name)),
    );
    this.body = h("div", { role: "rowgroup", class: "grid-body" });
    this.element = h(
      "div",
      {
        role: "grid",
        class: "grid",
        id: "case-grid",
        tabindex: 0,
        "aria-label": "Cases (arrow keys move, Enter opens a case)",
        "aria-colcount": COLUMNS.length,
        "aria-readonly": "true",
      },
      h("div", { role: "rowgroup", class: "grid-head" }, this.header),
      this.body,
    );
    this.element.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.element.addEventListener("keydown", (event) => this.onKey(event));
    this.body.addEventListener("click", (event) => {
      const target = /** @type {HTMLElement} */ (event.target).closest(".grid-row");
      const position = target instanceof HTMLElement ? Number(target.dataset.index) : Number.NaN;
      if (!Number.isInteger(position)) return;
      this.setActive(position, false);
      this.onOpen(position);
    });
    this.element.addEventListener("focus", () => {
      if (this.active < 0 && this.shown.length > 0) this.setActive(0, false);
    });
  }

  /**
   * Shows these rows (indices into all rows), keeping the current one when it is still among them.
   * @param {number[]} indices
   */
  show(indices) {
    const current = this.active >= 0 ? this.shown[this.active] : undefined;
    this.shown = indices;
    this.element.setAttribute("aria-rowcount", String(indices.length + 1));
    this.body.style.height = `${indices.length * this.rowHeight}px`;
    this.active = current === undefined ? -1 : indices.indexOf(current);
    if (this.active < 0) {
      this.element.removeAttribute("aria-activedescendant");
      this.element.scrollTop = 0;
    }
    this.render();
    if (this.active >= 0) this.setActive(this.active);
  }

  /**
   * The row index (into all rows) at a shown position.
   * @param {number} position
   */
  rowAt(position) {
    return this.shown[position];
  }

  /** Re-reads the row height (it changes with the screen width) and redraws. */
  resize() {
    const value = Number.parseFloat(getComputedStyle(this.element).getPropertyValue("--row-height"));
    if (Number.isFinite(value) && value > 0) this.rowHeight = value;
    this.body.style.height = `${this.shown.length * this.rowHeight}px`;
    this.render();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    const headerHeight = this.header.offsetHeight;
    const viewport = this.element.clientHeight || 480;
    const top = Math.max(0, this.element.scrollTop - headerHeight);
    const first = Math.max(0, Math.floor(top / this.rowHeight) - OVERSCAN);
    const last = Math.min(this.shown.length, Math.ceil((top + viewport) / this.rowHeight) + OVERSCAN);
    const needed = Math.max(0, last - first);
    while (this.pool.length < needed) {
      this.pool.push(
        h(
          "div",
          { role: "row", class: "grid-row" },
          COLUMNS.map((c) => h("div", { role: "gridcell", class: `grid-cell ${c.className}` })),
        ),
      );
    }
    /** @type {HTMLElement[]} */
    const inView = [];
    for (let position = first; position < last; position++) {
      // Consecutive positions map to distinct pooled rows, and a row keeps its element while it stays in view.
      const element = /** @type {HTMLElement} */ (this.pool[position % this.pool.length]);
      const index = /** @type {number} */ (this.shown[position]);
      if (element.dataset.index !== String(position) || element.dataset.row !== String(index)) {
        const row = /** @type {RowData} */ (this.rows[index]);
        element.dataset.index = String(position);
        element.dataset.row = String(index);
        element.id = `case-row-${position}`;
        element.setAttribute("aria-rowindex", String(position + 2));
        const head = rowHead(row);
        const flip = rowFlip(row);
        element.className = `grid-row ${head ? `s${sideStatus(head)}` : "absent"}${flip ? ` flip${flip}` : ""}`;
        COLUMNS.forEach((column, c) => {
          /** @type {HTMLElement} */ (element.children[c]).textContent = column.text(row, this.suites);
        });
      }
      element.style.transform = `translateY(${position * this.rowHeight}px)`;
      element.setAttribute("aria-selected", position === this.active ? "true" : "false");
      inView.push(element);
    }
    // In document order as on screen, so reading the grid goes top to bottom.
    const children = this.body.children;
    if (children.length !== inView.length || inView.some((element, i) => children[i] !== element)) this.body.replaceChildren(...inView);
    if (this.active >= first && this.active < last) this.element.setAttribute("aria-activedescendant", `case-row-${this.active}`);
    else this.element.removeAttribute("aria-activedescendant");
  }

  /**
   * Makes a shown position the current row, scrolled into view.
   * @param {number} position
   * @param {boolean} [scroll]
   */
  setActive(position, scroll = true) {
    if (this.shown.length === 0) return;
    this.active = Math.max(0, Math.min(this.shown.length - 1, position));
    if (scroll) {
      const headerHeight = this.header.offsetHeight;
      const top = this.active * this.rowHeight;
      const view = this.element.clientHeight - headerHeight;
      if (top < this.element.scrollTop) this.element.scrollTop = top;
      else if (top + this.rowHeight > this.element.scrollTop + view) this.element.scrollTop = top + this.rowHeight - view;
    }
    this.render();
  }

  /** @param {KeyboardEvent} event */
  onKey(event) {
    if (this.shown.length === 0) return;
    const page = Math.max(1, Math.floor(this.element.clientHeight / this.rowHeight) - 1);
    const current = this.active;
    /** @type {Record<string, number>} */
    const moves = {
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      PageDown: current + page,
      PageUp: current - page,
      Home: 0,
      End: this.shown.length - 1,
    };
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      if (current >= 0) this.onOpen(current);
      return;
    }
    if (!Object.hasOwn(moves, event.key)) return;
    const next = /** @type {number} */ (moves[event.key]);
    event.preventDefault();
    this.setActive(next);
  }
}

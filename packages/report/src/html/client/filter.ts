import type { RowData } from "../model.ts";
import {
  rowBaseline,
  rowExpected,
  rowFlip,
  rowHead,
  rowId,
  rowInput,
  rowSuite,
  rowTags,
  sideError,
  sideOutput,
  sideStatus,
} from "./rows.ts";

/** What the case table shows: the filters of the cases tab. Pure, so it is tested without a browser. */
export interface Criteria {
  /** Suite index, or -1 for every suite. */
  suite: number;
  /** Head's outcome: every row, failing (failed or errored), errored only, or passing. */
  outcome: "all" | "failing" | "errors" | "passing";
  /** Flipped cases (pass/fail changed from baseline to head): either way or one direction. */
  flip: "all" | "flipped" | "pass-to-fail" | "fail-to-pass";
  /** A slice as `key=value` (`sliceValue`), or "" for every slice. */
  slice: string;
  /** Text searched for, case-insensitively, in the id, input, expected value, outputs and errors. */
  query: string;
}

export const ALL_ROWS: Criteria = { suite: -1, outcome: "all", flip: "all", slice: "", query: "" };

/** The option value of a slice; the separator cannot occur in a key (tags are one line of text). */
export function sliceValue(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

/** Lower-cased searchable text of each row, made the first time a search needs it. */
export class RowSearch {
  private readonly rows: readonly RowData[];
  private readonly texts: (string | undefined)[];

  constructor(rows: readonly RowData[]) {
    this.rows = rows;
    this.texts = new Array(rows.length);
  }

  text(index: number): string {
    let text = this.texts[index];
    if (text === undefined) {
      const row = this.rows[index] as RowData;
      const head = rowHead(row);
      const baseline = rowBaseline(row);
      text = [
        rowId(row),
        rowInput(row),
        rowExpected(row) ?? "",
        head ? (sideOutput(head) ?? "") : "",
        head ? (sideError(head) ?? "") : "",
        baseline ? (sideOutput(baseline) ?? "") : "",
        baseline ? (sideError(baseline) ?? "") : "",
      ]
        .join("\n")
        .toLowerCase();
      this.texts[index] = text;
    }
    return text;
  }
}

function outcomeMatches(row: RowData, outcome: Criteria["outcome"]): boolean {
  if (outcome === "all") return true;
  const head = rowHead(row);
  if (!head) return false;
  const status = sideStatus(head);
  if (outcome === "failing") return status !== 1;
  if (outcome === "errors") return status === 2;
  return status === 1;
}

function flipMatches(row: RowData, flip: Criteria["flip"]): boolean {
  if (flip === "all") return true;
  const direction = rowFlip(row);
  if (flip === "flipped") return direction !== 0;
  return flip === "pass-to-fail" ? direction === 1 : direction === 2;
}

/** Indices of the rows that meet every criterion, in row order. */
export function filterRows(rows: readonly RowData[], criteria: Criteria, search: RowSearch = new RowSearch(rows)): number[] {
  const needle = criteria.query.trim().toLowerCase();
  const separator = criteria.slice.indexOf("\u0000");
  const sliceKey = separator >= 0 ? criteria.slice.slice(0, separator) : "";
  const sliceVal = separator >= 0 ? criteria.slice.slice(separator + 1) : "";
  const out: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as RowData;
    if (criteria.suite >= 0 && rowSuite(row) !== criteria.suite) continue;
    if (!outcomeMatches(row, criteria.outcome)) continue;
    if (!flipMatches(row, criteria.flip)) continue;
    if (separator >= 0 && rowTags(row)[sliceKey] !== sliceVal) continue;
    if (needle && !search.text(i).includes(needle)) continue;
    out.push(i);
  }
  return out;
}

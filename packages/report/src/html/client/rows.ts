import type { EmbeddedReportData, ReportData, RowData, SideData, Status } from "../model.ts";

/** Named access to the page's row tuples (model.ts `RowData`), so the rest of the client reads as words. */

export const rowSuite = (row: RowData): number => row[0];
export const rowId = (row: RowData): string => row[1];
export const rowRepeat = (row: RowData): number => row[2];
export const rowInput = (row: RowData): string => row[3];
export const rowExpected = (row: RowData): string | null => row[4];
export const rowTags = (row: RowData): Record<string, string> => row[5];
export const rowHead = (row: RowData): SideData | null => row[6] || null;
export const rowBaseline = (row: RowData): SideData | null => row[7] || null;
export const rowFlip = (row: RowData): 0 | 1 | 2 => row[8];

export const sideStatus = (side: SideData): Status => side[0];
export const sideOutput = (side: SideData): string | null => side[1];
export const sideError = (side: SideData): string | null => side[2];
export const sideLatency = (side: SideData): number => side[3];
export const sideCost = (side: SideData): number | null => side[4];
/** Scores aligned with the suite's `scorers`; shorter when later scorers gave nothing. */
export const sideScores = (side: SideData): SideData[5] => side[5];

/** A row's label: its id, with `#repeat` after the first repeat (as the Markdown and JUnit reports write it). */
export function rowLabel(row: RowData): string {
  const repeat = rowRepeat(row);
  return repeat > 0 ? `${rowId(row)}#${repeat}` : rowId(row);
}

export const STATUS_WORD: Record<Status, string> = { 0: "fail", 1: "pass", 2: "error" };
export const STATUS_ICON: Record<Status, string> = { 0: "✗", 1: "✓", 2: "⚠" };

/** The text shown for one side's output: the output, else the provider's error. */
export function sideText(side: SideData | null): string {
  if (!side) return "";
  const output = sideOutput(side);
  return output ?? `error: ${sideError(side) ?? ""}`;
}

/**
 * The page's data as the client works with it: each row's tags are its tag set (shared objects),
 * and a baseline output embedded as a delta against head's (model.ts `TextDelta`) is text again.
 * Rows are changed in place.
 */
export function expandReportData(data: EmbeddedReportData): ReportData {
  const rows = data.rows as unknown as RowData[];
  for (const [i, embedded] of data.rows.entries()) {
    const row = rows[i] as RowData;
    row[5] = data.tagSets[embedded[5]] ?? {};
    const head = embedded[6];
    const baseline = embedded[7];
    if (!baseline) continue;
    const output = baseline[1];
    if (output === null || typeof output === "string") continue;
    const base = head ? (head[1] ?? "") : "";
    const [prefix, middle, suffix] = output;
    baseline[1] = base.slice(0, prefix) + middle + base.slice(base.length - suffix);
  }
  return data as unknown as ReportData;
}

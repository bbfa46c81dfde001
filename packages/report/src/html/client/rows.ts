import type { EmbeddedReportData, ReportData, RowData, ScoreData, SideBlock, SideData, Status } from "../model.ts";

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

/** The text of a delta (model.ts `TextDelta`) against `base`, or the text itself. */
function expandText(text: string | null | [number, string, number], base: string): string | null {
  if (text === null || typeof text === "string") return text;
  const [prefix, middle, suffix] = text;
  return base.slice(0, prefix) + middle + base.slice(base.length - suffix);
}

/** Row `i` of a block's side, or 0 where the case is not in that run. */
function sideAt(
  side: SideBlock | undefined,
  i: number,
  errors: Map<number, string>,
  reasons: Map<number, string>[],
  base: string,
): SideData | 0 {
  const status = side?.status.charAt(i);
  if (!side || !status || status === "-") return 0;
  const scores: (ScoreData | 0)[] = side.scores.map((column, j) => {
    const pass = column.pass.charAt(i);
    const score = column.score[i];
    if (!pass || pass === "-" || score === null || score === undefined) return 0;
    const data: ScoreData = [score, pass === "1" ? 1 : 0];
    const reason = reasons[j]?.get(i);
    if (reason !== undefined) data.push(reason);
    return data;
  });
  return [
    Number(status) as Status,
    expandText(side.output[i] ?? null, base),
    errors.get(i) ?? null,
    side.latency[i] ?? 0,
    side.cost?.[i] ?? null,
    scores,
  ];
}

/**
 * The page's data as the client works with it: rows (`RowData`) of its blocks of columns
 * (model.ts `RowBlock`), each row's tags its tag set (one object per set, shared), its input the
 * case's vars one per line as `name: value`, and a baseline output embedded as a delta against
 * head's (model.ts `TextDelta`) text again.
 */
export function expandReportData(data: EmbeddedReportData): ReportData {
  const tagSets = data.tagSets.map((pairs) => {
    // Own properties whatever the key: a tag may be named `__proto__` or `constructor`.
    const tags: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, value] of pairs) tags[key] = value;
    return tags;
  });
  const rows: RowData[] = [];
  for (const block of data.blocks) {
    const vars = data.suites[block.suite]?.vars ?? [];
    const pairs = (list: [number, string][] | undefined) => new Map(list ?? []);
    const headErrors = pairs(block.head?.error);
    const headReasons = (block.head?.scores ?? []).map((c) => pairs(c.reason));
    const baselineErrors = pairs(block.baseline?.error);
    const baselineReasons = (block.baseline?.scores ?? []).map((c) => pairs(c.reason));
    for (let i = 0; i < block.id.length; i++) {
      const input = block.input[i] ?? "";
      const head = sideAt(block.head, i, headErrors, headReasons, "");
      const baseline = sideAt(block.baseline, i, baselineErrors, baselineReasons, head ? (head[1] ?? "") : "");
      rows.push([
        block.suite,
        block.idPrefix + (block.id[i] ?? ""),
        block.repeat?.[i] ?? 0,
        typeof input === "string"
          ? input
          : input.flatMap((value, k) => (value === null ? [] : [`${vars[k] ?? `var ${k + 1}`}: ${value}`])).join("\n"),
        block.expected[i] ?? null,
        tagSets[block.tags?.[i] ?? 0] ?? {},
        head,
        baseline,
        (Number(block.flip?.charAt(i) ?? 0) || 0) as RowData[8],
      ]);
    }
  }
  const { blocks: _blocks, tagSets: _tagSets, ...rest } = data;
  return { ...rest, rows };
}

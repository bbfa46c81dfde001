import type { CaseResult, Comparison, GateResult, MetricComparison, MetricSummary, RunSummary, SliceSummary } from "@llmops/core";

/**
 * The HTML report's two contracts: what the renderer is given (plain results, comparisons and
 * store history; loading them from files or a store is the caller's), and the JSON embedded in the
 * page for its client code (`client/`), which imports these types only.
 */

// ---- Input --------------------------------------------------------------------------------

/** One run of a suite: its summary and its rows (`results.jsonl`), in memory or read as they come. */
export interface HtmlReportRun {
  summary: RunSummary;
  cases: Iterable<CaseResult> | AsyncIterable<CaseResult>;
}

export interface HtmlReportSuite {
  head: HtmlReportRun;
  /** The baseline's rows, shown beside head's; null or absent for a head-only report. */
  baseline?: HtmlReportRun | null;
  /** The suite's comparison (deltas, verdicts, regression gates, flips), as `llmops compare` wrote it. */
  comparison?: Comparison | null;
}

/** One version an alias pointed to, with the evidence recorded on it. */
export interface HistoryVersion {
  digest: string;
  /** `v3`, else a short digest. */
  label: string;
  /** The version's creation time, when recorded. */
  created?: string;
  /** Eval evidence on the version, newest first: one entry per suite (the newest of each). */
  evidence: HistoryEvidence[];
  /** Promotion records on the version (referrers of the promotion type), newest first. */
  promotions: HistoryPromotion[];
}

export interface HistoryEvidence {
  suite: string;
  /** When the evidence was recorded. */
  when?: string;
  passed: boolean;
  complete: boolean;
  metrics: HistoryMetric[];
}

export interface HistoryMetric {
  name: string;
  mean: number;
  /** The 95% interval; absent when the run had none (`method: none`). */
  low?: number;
  high?: number;
  higherIsBetter: boolean;
}

export interface HistoryPromotion {
  digest: string;
  when?: string;
  /** The record's `dev.llmops.*` / `org.llmops.*` annotations (environment, actor, …), as text. */
  annotations: Record<string, string>;
}

export interface HistoryMove {
  when: string;
  from: string | null;
  to: string;
  actor?: string;
  /** The workflow run that moved the alias; in the page only when it is on the GitHub server (`HtmlReportInput.serverUrl`). */
  runUrl?: string;
  /** In the page: a run URL from anywhere else, shown as text and never linked (the report sets it). */
  runText?: string;
}

/** `name:alias` over time: its moves (oldest first) and the versions they pointed to. */
export interface HtmlReportHistory {
  name: string;
  alias: string;
  moves: HistoryMove[];
  versions: HistoryVersion[];
}

export interface HtmlReportInput {
  /** The page's heading; default "llmops report: <suites>". */
  title?: string;
  suites: HtmlReportSuite[];
  history?: HtmlReportHistory | null;
  /** When the report was made (ISO 8601), shown in its header; default now. */
  generatedAt?: string;
  /** The workflow run that made it, linked from the header when it is an http(s) URL. */
  runUrl?: string;
  /**
   * The GitHub server whose workflow runs may be linked (GITHUB_SERVER_URL); default
   * https://github.com. Run URLs from results and store records link only to this origin; any
   * other is shown as text.
   */
  serverUrl?: string;
  /** Longest text kept per field (input var, expected, output, error, reason), in UTF-16 units; default 20,000. */
  maxTextLength?: number;
  /**
   * Budget for the case text of the whole page (inputs, expected values, outputs, errors,
   * reasons), in UTF-8 bytes; default 100 MB. Once a row would go over it, that row and the rest
   * keep only the first `TRIMMED_TEXT_LENGTH` characters of each text, and the page says so.
   */
  maxTextBytes?: number;
}

// ---- Embedded data (the page's JSON) --------------------------------------------------------

/** A row's outcome on one side: 0 failed its scorers, 1 passed, 2 the provider errored. */
export type Status = 0 | 1 | 2;

/** One scorer's verdict on a row: score, passed (1) or not (0), and its reason when it gave one. */
export type ScoreData = [score: number, pass: 0 | 1, reason?: string];

/** One side of a row. `scores` is aligned with the suite's `scorers`; 0 where that scorer gave nothing. */
export type SideData = [
  status: Status,
  output: string | null,
  error: string | null,
  latencyMs: number,
  cost: number | null,
  scores: (ScoreData | 0)[],
];

/** How a case's pass/fail changed from baseline to head: 0 not flipped (or unpaired), 1 pass → fail, 2 fail → pass. */
export type Flip = 0 | 1 | 2;

/**
 * Text given as another text with its middle replaced: [length of the shared start, the middle,
 * length of the shared end]. A baseline output is embedded so against head's output of the same
 * row when they share enough (unchanged or lightly edited outputs, the common case); `expandReportData`
 * (client/rows.ts) turns it back into text when the page loads.
 */
export type TextDelta = [prefix: number, middle: string, suffix: number];

/** One case and repeat. A side is 0 when the case is not in that run (added in head, removed from it). */
export type RowData = [
  suite: number,
  id: string,
  repeat: number,
  input: string,
  expected: string | null,
  tags: Record<string, string>,
  head: SideData | 0,
  baseline: SideData | 0,
  flip: Flip,
];

export interface RunData {
  suite: string;
  model?: { ref: string; digest: string };
  dataset?: { ref: string; digest: string };
  providers: string[];
  startedAt: string;
  finishedAt: string;
  complete: boolean;
  cases: number;
  errors: number;
  passed: boolean;
  metrics: MetricSummary[];
  slices: SliceSummary[];
  gates: GateResult[];
  /** The run's workflow run, when it is on the GitHub server (`HtmlReportInput.serverUrl`). */
  runUrl?: string;
  /** A run URL from anywhere else, shown as text and never linked. */
  runText?: string;
  commit?: string;
}

export interface ComparisonData {
  verdict: "pass" | "fail";
  baseline: Comparison["baseline"];
  matched: number;
  added: number;
  removed: number;
  changed: number;
  metrics: MetricComparison[];
  gates: GateResult[];
  /** Flipped cases by direction (the rows carry which). */
  passToFail: number;
  failToPass: number;
}

export interface SuiteData {
  name: string;
  head: RunData;
  baseline: RunData | null;
  comparison: ComparisonData | null;
  /** Score names in row order (`SideData.scores`). */
  scorers: string[];
  /** Var names of the suite's cases, in the order `RowBlock.input` gives their values. */
  vars: string[];
  /** Tag keys seen on the suite's rows (slices). */
  tagKeys: string[];
}

/** The page's text budget (`HtmlReportInput.maxTextBytes`), when it cut some rows' text short. */
export interface TrimmedText {
  /** Rows whose texts were cut to `length` characters each. */
  rows: number;
  maxBytes: number;
  length: number;
}

export interface ReportData {
  version: 2;
  title: string;
  generatedAt: string;
  runUrl: string | null;
  suites: SuiteData[];
  history: HtmlReportHistory | null;
  rows: RowData[];
  trimmed: TrimmedText | null;
}

// ---- Rows as embedded: columns, a block of rows at a time -----------------------------------

/**
 * Up to a few hundred rows of one suite, as columns: what the rows repeat (keys, var names, nulls,
 * brackets) is written once per block instead of once per row, and columns whose every value is
 * the default are left out. page.ts writes the blocks as the rows are read; `expandReportData`
 * (client/rows.ts) makes `RowData` of them.
 */
export interface RowBlock {
  suite: number;
  /** The start every id of the block shares; `id` holds the rest of each. */
  idPrefix: string;
  id: string[];
  /** Absent when every row is repeat 0. */
  repeat?: number[];
  /**
   * What each case was asked: its vars' values (strings as they are, other values as JSON) in the
   * order of the suite's `vars`, null where the case lacks one; or, for a case without vars, its
   * rendered prompt as one text. The page shows a case's vars one per line as `name: value`.
   */
  input: (string | (string | null)[])[];
  expected: (string | null)[];
  /** Each row's index into `tagSets`; absent when every row has set 0. */
  tags?: number[];
  /** Each row's `Flip` as a digit; absent when no row flipped. */
  flip?: string;
  /** Absent when no row of the block has this side. */
  head?: SideBlock;
  baseline?: SideBlock;
}

/** One side of a block's rows. */
export interface SideBlock {
  /** Each row's `Status` as a digit, "-" where the case is not in this run. */
  status: string;
  /** Null where the row has no output (errored, or not in this run); the baseline's may be a `TextDelta` against head's. */
  output: (string | null | TextDelta)[];
  /** [row, error] of the rows whose provider errored; absent when none did. */
  error?: [number, string][];
  /** 0 where the case is not in this run. */
  latency: number[];
  /** Absent when no row has a cost. */
  cost?: (number | null)[];
  /** One per scorer of the suite, in `SuiteData.scorers` order (later scorers may be missing). */
  scores: ScoreBlock[];
}

export interface ScoreBlock {
  /** Null where the scorer gave nothing. */
  score: (number | null)[];
  /** Each row's verdict as a digit, 1 passed, 0 failed, "-" nothing. */
  pass: string;
  /** [row, reason] of the verdicts with a reason; absent when none has one. */
  reason?: [number, string][];
}

/** The page's JSON as written: `ReportData` with its rows as blocks, and the tag sets (key, value pairs) they index. */
export interface EmbeddedReportData extends Omit<ReportData, "rows"> {
  blocks: RowBlock[];
  tagSets: [string, string][][];
}

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
  runUrl?: string;
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
  /** Longest text kept per field (input, expected, output, error, reason), in UTF-16 units; default 20,000. */
  maxTextLength?: number;
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
 * row when they share enough (unchanged or lightly edited outputs, the common case); `expandRows`
 * (client/rows.ts) turns it back into text when the page loads.
 */
export type TextDelta = [prefix: number, middle: string, suffix: number];

/** A side as embedded in the page: the baseline's output may be a `TextDelta` against head's. */
export type EmbeddedSideData = [
  status: Status,
  output: string | null | TextDelta,
  error: string | null,
  latencyMs: number,
  cost: number | null,
  scores: (ScoreData | 0)[],
];

/**
 * A row as embedded in the page: its tags as an index into `tagSets` (rows share a few sets), the
 * baseline as `EmbeddedSideData`. The client works with `RowData` (client/rows.ts `expandReportData`).
 */
export type EmbeddedRowData = [
  suite: number,
  id: string,
  repeat: number,
  input: string,
  expected: string | null,
  tags: number,
  head: SideData | 0,
  baseline: EmbeddedSideData | 0,
  flip: Flip,
];

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
  runUrl?: string;
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
  /** Tag keys seen on the suite's rows (slices). */
  tagKeys: string[];
}

export interface ReportData {
  version: 1;
  title: string;
  generatedAt: string;
  runUrl: string | null;
  suites: SuiteData[];
  history: HtmlReportHistory | null;
  rows: RowData[];
}

/** The page's JSON as written: `ReportData` with rows as embedded, and the tag sets they index. */
export interface EmbeddedReportData extends Omit<ReportData, "rows"> {
  rows: EmbeddedRowData[];
  tagSets: Record<string, string>[];
}

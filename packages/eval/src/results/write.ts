import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type CaseResult, InputError, type RunSummary, writeFileAtomic } from "@llmops/core";
import { parseResults, parseSummary, resultsPathOf } from "./parse.ts";
import { type FileRenderOptions, type JUnitTotals, junitTotalsOfFile, renderMarkdownFromResults, writeJUnitFromResults } from "./render.ts";
import { resultLine } from "./stream.ts";

export const RESULTS_FILE = "results.jsonl";
export const SUMMARY_FILE = "summary.json";
/**
 * The largest summary.json read back from a store's evidence: a summary is a few KB to a few MB
 * (metrics, slices, gates), and a referrer is anyone-with-write-access's file, so every reader
 * reads it with this cap instead of the store's default for any evidence file.
 */
export const SUMMARY_FILE_MAX_BYTES = 16 * 1024 * 1024;
export const JUNIT_FILE = "junit.xml";
export const MARKDOWN_FILE = "summary.md";

/**
 * JUnit and Markdown come from `@llmops/report`, which sits above eval in the layering; the
 * caller passes the renderers in. For a run streamed to disk they are fed rows read back from
 * results.jsonl, a bounded number at a time (render.ts): JUnit a chunk of rows per call, the
 * Markdown summary only the errored and failing rows it lists.
 */
export interface Renderers {
  junit?: (summary: RunSummary, cases: CaseResult[]) => string;
  markdown?: (summary: RunSummary, cases?: CaseResult[]) => string;
}

export interface WrittenRun {
  dir: string;
  summaryPath: string;
  resultsPath: string;
  junitPath?: string;
  markdownPath?: string;
}

export function toJsonl(rows: CaseResult[]): string {
  return rows.map(resultLine).join("");
}

/**
 * Writes results.jsonl, junit.xml, summary.md and, last, summary.json — each via a temp file and
 * rename, so a reader sees old or new files, never half-written ones, and a summary only once the
 * rows it describes are in place.
 */
export async function writeRunOutputs(
  dir: string,
  summary: RunSummary,
  rows: CaseResult[],
  renderers: Renderers = {},
): Promise<WrittenRun> {
  await mkdir(dir, { recursive: true });
  const written: WrittenRun = { dir, summaryPath: join(dir, SUMMARY_FILE), resultsPath: join(dir, RESULTS_FILE) };
  await writeFileAtomic(written.resultsPath, toJsonl(rows));
  if (renderers.junit) {
    written.junitPath = join(dir, JUNIT_FILE);
    await writeFileAtomic(written.junitPath, renderers.junit(summary, rows));
  }
  if (renderers.markdown) {
    written.markdownPath = join(dir, MARKDOWN_FILE);
    await writeFileAtomic(written.markdownPath, renderers.markdown(summary, rows));
  }
  await writeFileAtomic(written.summaryPath, summaryJson(summary));
  return written;
}

function summaryJson(summary: RunSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/**
 * The outputs of a run whose results.jsonl is already in place in `dir` (streamed there as the
 * run went, see `AtomicFileWriter`): junit.xml and summary.md rendered from that file without
 * holding its rows (see render.ts), then, last, summary.json — the same files, in the same order,
 * as `writeRunOutputs` writes for rows in memory.
 */
export async function writeStreamedRunOutputs(
  dir: string,
  summary: RunSummary,
  renderers: Renderers = {},
  options: FileRenderOptions & { totals?: JUnitTotals } = {},
): Promise<WrittenRun> {
  const written: WrittenRun = { dir, summaryPath: join(dir, SUMMARY_FILE), resultsPath: join(dir, RESULTS_FILE) };
  if (renderers.junit) {
    written.junitPath = join(dir, JUNIT_FILE);
    const totals = options.totals ?? (await junitTotalsOfFile(written.resultsPath));
    await writeJUnitFromResults(renderers.junit, summary, written.resultsPath, written.junitPath, totals, options);
  }
  if (renderers.markdown) {
    written.markdownPath = join(dir, MARKDOWN_FILE);
    await writeFileAtomic(written.markdownPath, await renderMarkdownFromResults(renderers.markdown, summary, written.resultsPath, options));
  }
  await writeFileAtomic(written.summaryPath, summaryJson(summary));
  return written;
}

async function readText(file: string, missing: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: ${code === "ENOENT" ? `not found (${missing})` : `cannot be read (${code})`}`);
  }
}

/** A results directory's summary.json, validated: one-line errors name the file. */
export async function readRunSummary(dir: string): Promise<RunSummary> {
  const summaryPath = join(dir, SUMMARY_FILE);
  return parseSummary(await readText(summaryPath, "expected the output directory of an eval run"), summaryPath);
}

/** Reads a results directory (summary.json + results.jsonl), validating both. */
export async function readRunOutputs(dir: string): Promise<{ summary: RunSummary; rows: CaseResult[] }> {
  const summary = await readRunSummary(dir);
  const resultsPath = resultsPathOf(dir, summary, join(dir, SUMMARY_FILE));
  const rows = parseResults(await readText(resultsPath, "the summary names it"), resultsPath);
  return { summary, rows };
}

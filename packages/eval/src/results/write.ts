import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type CaseResult, InputError, type RunSummary, writeFileAtomic } from "@llmops/core";
import { parseResults, parseSummary, resultsPathOf } from "./parse.ts";

export const RESULTS_FILE = "results.jsonl";
export const SUMMARY_FILE = "summary.json";
export const JUNIT_FILE = "junit.xml";
export const MARKDOWN_FILE = "summary.md";

/**
 * JUnit and Markdown come from `@llmops/report`, which sits above eval in the layering; the
 * caller passes the renderers in.
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
  return rows.map((row) => `${JSON.stringify(row)}\n`).join("");
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
  await writeFileAtomic(written.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
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

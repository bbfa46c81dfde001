import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type CaseResult, caseResultSchema, InputError, type RunSummary, runSummarySchema, writeFileAtomic } from "@llmops/core";

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

/** Reads a results directory (summary.json + results.jsonl), validating both. */
export async function readRunOutputs(dir: string): Promise<{ summary: RunSummary; rows: CaseResult[] }> {
  const summaryPath = join(dir, SUMMARY_FILE);
  let text: string;
  try {
    text = await readFile(summaryPath, "utf8");
  } catch {
    throw new InputError(`${summaryPath}: not found (expected the output directory of an eval run)`);
  }
  let summary: RunSummary;
  try {
    summary = runSummarySchema.parse(JSON.parse(text));
  } catch (error) {
    throw new InputError(`${summaryPath}: not a valid eval summary (${(error as Error).message.split("\n")[0]})`);
  }
  const resultsPath = join(dir, summary.results);
  let lines: string;
  try {
    lines = await readFile(resultsPath, "utf8");
  } catch {
    throw new InputError(`${resultsPath}: not found (the summary names it)`);
  }
  const rows: CaseResult[] = [];
  lines.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    try {
      rows.push(caseResultSchema.parse(JSON.parse(line)));
    } catch {
      throw new InputError(`${resultsPath}:${i + 1}: expected a case result as JSON`);
    }
  });
  return { summary, rows };
}

import { isAbsolute, resolve } from "node:path";
import { type CaseResult, caseResultSchema, InputError, type RunSummary, runSummarySchema } from "@llmops/core";
import type { z } from "zod";

/**
 * Readers of a run's `summary.json` and `results.jsonl`. They come from elsewhere (shard
 * artifacts, a baseline from another branch, evidence in a store), so every field is validated
 * and every error is one line naming the file.
 */

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const where = issue.path.length > 0 ? `${issue.path.map(String).join(".")}: ` : "";
  return `${where}${issue.message}`.replace(/\s*\n\s*/g, " ");
}

/** Parses `summary.json` text; `source` names it in errors. */
export function parseSummary(text: string, source: string): RunSummary {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = runSummarySchema.safeParse(json);
  if (!parsed.success) throw new InputError(`${source}: not an eval summary: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/**
 * One line of `results.jsonl` (1-based `line`, for errors): undefined for a blank line. With
 * `validate` false the row is what `JSON.parse` gives, for a file this process has just written.
 */
export function parseResultLine(text: string, source: string, line: number, validate = true): CaseResult | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new InputError(`${source}:${line}: not valid JSON`);
  }
  if (!validate) return json as CaseResult;
  const parsed = caseResultSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`${source}:${line}: not a case result: ${firstIssue(parsed.error)}`);
  return parsed.data;
}

/** Parses `results.jsonl` text (one case result per line); errors name the line. */
export function parseResults(text: string, source: string): CaseResult[] {
  const cases: CaseResult[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const row = parseResultLine(lines[i] as string, source, i + 1);
    if (row) cases.push(row);
  }
  return cases;
}

/**
 * Where a summary's `results` file is. It is relative to the summary's directory and must stay
 * inside it: a summary from elsewhere must not make us read (and quote lines of) any file.
 */
export function resultsPathOf(directory: string, summary: RunSummary, summaryFile: string): string {
  const name = summary.results;
  if (isAbsolute(name) || name.split(/[\\/]/).some((part) => part === ".." || part === "")) {
    throw new InputError(`${summaryFile}: results "${name}" is not a file path inside the summary's directory`);
  }
  return resolve(directory, name);
}

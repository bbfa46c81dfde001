import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import {
  COMPARE_REPORT_FILE,
  COMPARISON_FILE,
  type CompareReport,
  type Comparison,
  compareReportSchema,
  comparisonSchema,
  InputError,
  runSummarySchema,
} from "@llmops/core";
import { SUMMARY_FILE as EVAL_SUMMARY_FILE, findResultsDirectories } from "@llmops/eval";
import { z } from "zod";

/**
 * The result documents `llmops metrics` reads, told apart by their shape: every one is a JSON
 * object with `schemaVersion: 1` and fields no other kind has. Reading and telling apart happen
 * here; each kind is then checked against its own schema, so a document that looks like one
 * kind but breaks its schema is named with what is wrong, not as "unknown".
 */

export type ResultKind = "eval" | "compare-report" | "comparison" | "status" | "check" | "monitor";

export const RESULT_KIND_DESCRIPTIONS: Readonly<Record<ResultKind, string>> = {
  eval: "eval results (summary.json)",
  "compare-report": "a compare report (report.json)",
  comparison: "a suite's comparison (comparison.json)",
  status: "`llmops status --json`",
  check: "`llmops check --json`",
  monitor: "`llmops monitor --json`",
};

/** Far above any result document; a bigger file is the wrong file (results.jsonl, a dataset). */
const MAX_RESULT_BYTES = 64 * 1024 * 1024;

export interface ResultDocument {
  /** Absolute path of the JSON file read. */
  file: string;
  json: unknown;
}

/**
 * The result documents at a path: the file itself; a directory's summary.json (eval results),
 * report.json (a compare report) or comparison.json (one suite's directory of a compare report);
 * or, for a directory with none of them, the summary.json of every eval results directory below
 * it (the parent `llmops eval` writes suites into). Exit 2, naming the path, for anything else.
 */
export async function readResultDocuments(input: string, cwd: string): Promise<ResultDocument[]> {
  const given = path.resolve(cwd, input);
  const info = await stat(given).catch(() => undefined);
  if (!info) throw new InputError(`${input}: no such file or directory`);
  if (!info.isDirectory()) return [await readJsonDocument(given)];
  const found: string[] = [];
  for (const name of [EVAL_SUMMARY_FILE, COMPARE_REPORT_FILE, COMPARISON_FILE]) {
    if ((await stat(path.join(given, name)).catch(() => undefined))?.isFile()) found.push(name);
  }
  if (found.length > 1) throw new InputError(`${input}: holds both ${found.join(" and ")}; name the file`);
  if (found.length === 1) return [await readJsonDocument(path.join(given, found[0]!))];
  const runs = await findResultsDirectories(given);
  if (runs.length === 0)
    throw new InputError(
      `${input}: a directory without ${EVAL_SUMMARY_FILE} (eval results), ${COMPARE_REPORT_FILE} (a compare report) or ${COMPARISON_FILE} (one suite's comparison), in it or below`,
    );
  return Promise.all(runs.map((dir) => readJsonDocument(path.join(dir, EVAL_SUMMARY_FILE))));
}

async function readJsonDocument(file: string): Promise<ResultDocument> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new InputError(`${file}: no such file`);
  if (info.size > MAX_RESULT_BYTES)
    throw new InputError(`${file}: ${info.size} bytes is not a result document (at most ${MAX_RESULT_BYTES})`);
  const text = await readFile(file, "utf8");
  try {
    return { file, json: JSON.parse(text) };
  } catch (error) {
    throw new InputError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Which kind a document is by its fields (undefined: none). */
export function detectResultKind(json: unknown): ResultKind | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json) || !("schemaVersion" in json)) return undefined;
  const has = (key: string) => key in json;
  const array = (key: string) => Array.isArray((json as Record<string, unknown>)[key]);
  if (has("suiteDigest")) return "eval";
  if (has("flips") && has("baseline")) return "comparison";
  // Both list environments: a monitoring pass says whether it is alerting, a status does not.
  if (array("environments")) return has("alerting") ? "monitor" : "status";
  if (array("suites")) return "compare-report";
  if (array("checks")) return "check";
  return undefined;
}

/** The document's kind, or exit 2 naming the file and what it can read. */
export function requireResultKind(document: ResultDocument): ResultKind {
  const kind = detectResultKind(document.json);
  if (kind) {
    const version = (document.json as { schemaVersion: unknown }).schemaVersion;
    if (version !== 1) throw new InputError(`${document.file}: schemaVersion ${JSON.stringify(version)} is not supported (expected 1)`);
    return kind;
  }
  const known = Object.values(RESULT_KIND_DESCRIPTIONS).join(", ");
  throw new InputError(`${document.file}: not a result llmops metrics reads; expected one of: ${known}`);
}

/** `json` checked against `schema`; exit 2 naming the file, the kind and the first problems, on one line. */
export function parseResult<T extends z.ZodType>(schema: T, document: ResultDocument, kind: ResultKind): z.output<T> {
  const parsed = schema.safeParse(document.json);
  if (parsed.success) return parsed.data;
  const problems = z.prettifyError(parsed.error).replace(/\s*\n\s*/g, "; ");
  throw new InputError(`${document.file}: not valid as ${RESULT_KIND_DESCRIPTIONS[kind]}: ${problems.slice(0, 500)}`);
}

export function parseEvalSummary(document: ResultDocument) {
  return parseResult(runSummarySchema, document, "eval");
}

export function parseComparison(document: ResultDocument): Comparison {
  return parseResult(comparisonSchema, document, "comparison");
}

/** A compare report's comparisons, read from its suite directories beside report.json. */
export async function readCompareReport(document: ResultDocument): Promise<{ report: CompareReport; comparisons: Comparison[] }> {
  const report = parseResult(compareReportSchema, document, "compare-report");
  const dir = path.dirname(document.file);
  const comparisons: Comparison[] = [];
  for (const entry of report.suites) {
    const file = path.join(dir, entry.directory, COMPARISON_FILE);
    const read = await readJsonDocument(file).catch((error: unknown) => {
      throw new InputError(`${document.file}: suite ${entry.suite}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const comparison = parseComparison(read);
    if (comparison.suite !== entry.suite)
      throw new InputError(
        `${file}: is the comparison of suite ${comparison.suite}, but ${COMPARE_REPORT_FILE} lists it as ${entry.suite}`,
      );
    comparisons.push(comparison);
  }
  return { report, comparisons };
}

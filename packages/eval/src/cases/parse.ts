import {
  type CaseConfig,
  type CaseFileFormat,
  ConfigError,
  caseConfigSchema,
  formatYamlPath,
  parseLocatedYaml,
  type SourceLocation,
} from "@llmops/core";
import { parse as parseCsv } from "csv-parse/sync";
import { LineSplitter, LineTooLongError } from "../lines.ts";
import { caseIssue } from "./conversation.ts";

/** One row of a cases file before validation, with a way to say where any part of it is. */
export interface RawCase {
  value: unknown;
  /** `[3]`: the row's position in the file. */
  yamlPath: string;
  locate(path: readonly PropertyKey[]): SourceLocation;
}

const KNOWN_EXTENSIONS: Record<string, CaseFileFormat> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "json",
  ".csv": "csv",
  ".yaml": "yaml",
  ".yml": "yaml",
};

export function caseFileFormat(file: string): CaseFileFormat | undefined {
  const dot = file.lastIndexOf(".");
  return dot === -1 ? undefined : KNOWN_EXTENSIONS[file.slice(dot).toLowerCase()];
}

/**
 * Splits a CSV, JSON or YAML cases file into rows (JSONL is streamed by `JsonlCaseReader`);
 * syntax errors are ConfigErrors at file:line:column.
 */
export function parseCaseFile(
  text: string,
  format: Exclude<CaseFileFormat, "jsonl">,
  file: string,
  options: ParseCaseFileOptions = {},
): RawCase[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return format === "csv" ? parseCsvCases(text, file, options) : parseYamlCases(body, file);
}

export interface ParseCaseFileOptions {
  /**
   * Eval cases: a CSV column named `messages` or `toolResults` is a ConfigError (CSV cannot hold
   * them), not a var. Off for other readers of case files, to whom it is a column like any other.
   */
  caseFieldColumns?: "error" | "vars";
}

/**
 * The longest line a JSONL cases file may have: far more than any case needs, and short enough
 * to be one string (V8 strings stop at 2^29 - 24 characters).
 */
export const MAX_CASE_LINE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a JSONL cases file pushed in chunks, one line at a time, so neither the file's text nor
 * its rows are ever held at once: each non-blank line is parsed and handed to `onRow` with its
 * line number, then dropped. Syntax errors (and a line over `maxLineBytes`) are ConfigErrors at
 * file:line, exactly as for the whole text at once.
 */
export class JsonlCaseReader {
  readonly #file: string;
  readonly #onRow: (row: RawCase, line: number) => void;
  readonly #splitter: LineSplitter;
  #rows = 0;

  constructor(file: string, onRow: (row: RawCase, line: number) => void, options: { maxLineBytes?: number } = {}) {
    this.#file = file;
    this.#onRow = onRow;
    this.#splitter = new LineSplitter((text, line) => this.#line(text, line), {
      maxLineBytes: options.maxLineBytes ?? MAX_CASE_LINE_BYTES,
    });
  }

  /** The chunk may be reused once this returns. */
  push(chunk: Uint8Array): void {
    this.#guard(() => this.#splitter.push(chunk));
  }

  end(): void {
    this.#guard(() => this.#splitter.end());
  }

  #guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      throw new ConfigError(`expected lines of at most ${error.maxBytes} bytes; this one is longer`, `[${this.#rows}]`, {
        file: this.#file,
        line: error.line,
        column: 1,
      });
    }
  }

  #line(text: string, line: number): void {
    if (text.trim() === "") return;
    const at = { file: this.#file, line, column: 1 };
    const yamlPath = `[${this.#rows}]`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`expected one JSON object per line (${(error as Error).message})`, yamlPath, at);
    }
    this.#rows++;
    this.#onRow({ value, yamlPath, locate: () => at }, line);
  }
}

function parseCsvCases(text: string, file: string, options: ParseCaseFileOptions): RawCase[] {
  let records: { record: Record<string, string>; info: { bytes: number } }[];
  try {
    records = parseCsv(text, {
      columns: (header: string[]) => header.map((name) => name.trim()),
      bom: true,
      skip_empty_lines: true,
      info: true,
      // Explicit, so a file mixing CRLF and LF rows does not leave a stray \r in the last column.
      record_delimiter: ["\r\n", "\n", "\r"],
    }) as typeof records;
  } catch (error) {
    const e = error as { message: string; lines?: number };
    throw new ConfigError(`expected RFC 4180 CSV with a header row (${e.message})`, "", { file, line: e.lines ?? 1, column: 1 });
  }
  // csv-parse's own line count drifts on CRLF inside quoted fields; count from byte offsets instead.
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  let line = 1;
  const header = records[0] ? Object.keys(records[0].record) : [];
  const unfit = options.caseFieldColumns === "error" ? header.find((column) => NOT_IN_CSV.has(column)) : undefined;
  if (unfit !== undefined) {
    throw new ConfigError(
      `expected no "${unfit}" column: CSV cannot hold conversation messages or tool results; use a JSONL, JSON or YAML cases file (name the column vars.${unfit} for a var)`,
      "",
      { file, line: 1, column: 1 },
    );
  }
  return records.map(({ record, info }, i) => {
    const consumed = bytes.subarray(offset, info.bytes).toString("utf8");
    line += breaks(consumed);
    offset = info.bytes;
    // The record ends on the line before its delimiter (none after the last record) and starts as many lines earlier as its quoted fields span.
    const end = /[\r\n]$/.test(consumed) ? line - 1 : line;
    const start = end - Object.values(record).reduce((n, v) => n + breaks(v), 0);
    const at = { file, line: start, column: 1 };
    return { value: csvRow(record), yamlPath: `[${i}]`, locate: () => at };
  });
}

function breaks(text: string): number {
  return text.match(/\r\n|\n|\r/g)?.length ?? 0;
}

/** Case fields a CSV cell cannot hold (they are lists of objects): a column named so is an error, not a var. */
const NOT_IN_CSV = new Set(["messages", "toolResults"]);

/**
 * CSV columns are flat: `id`, `expected`, `tags.<k>`, `metadata.<k>`; any other column (or
 * `vars.<k>`) is a var. `messages` and `toolResults` cannot be written in CSV: loading eval cases
 * refuses such columns (`caseFieldColumns: "error"`); a column `vars.messages` is the var of that name.
 */
function csvRow(record: Record<string, string>): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  const row: Record<string, unknown> = { vars };
  for (const [column, value] of Object.entries(record)) {
    if (column === "id") row.id = value;
    else if (column === "expected") {
      // An empty cell means "no expectation", as a missing key would in JSONL.
      if (value !== "") row.expected = value;
    } else if (column.startsWith("tags.") || column.startsWith("metadata.")) {
      const dot = column.indexOf(".");
      const group = column.slice(0, dot);
      const bucket = (row[group] ?? {}) as Record<string, unknown>;
      bucket[column.slice(dot + 1)] = value;
      row[group] = bucket;
    } else vars[column.startsWith("vars.") ? column.slice(5) : column] = value;
  }
  return row;
}

function parseYamlCases(text: string, file: string): RawCase[] {
  const doc = parseLocatedYaml(text, file);
  const wrapped = doc.value !== null && typeof doc.value === "object" && !Array.isArray(doc.value) && "cases" in doc.value;
  const list = wrapped ? (doc.value as { cases: unknown }).cases : doc.value;
  const base = wrapped ? ["cases"] : [];
  if (!Array.isArray(list)) throw new ConfigError("expected a list of cases (or {cases: [...]})", formatYamlPath(base), doc.locate(base));
  return list.map((value, i) => ({
    value,
    yamlPath: formatYamlPath([...base, i]),
    locate: (path: readonly PropertyKey[]) => doc.locate([...base, i, ...path]),
  }));
}

const STRUCTURED_KEYS = new Set(["id", "vars", "expected", "tags", "metadata", "messages", "toolResults"]);

/**
 * Validates a row as a case. A row with `vars` has the inline-case shape; a flat row (common in
 * JSONL datasets: `{"question": …, "answer": …}`) keeps `id`, `expected`, `tags`, `metadata`,
 * `messages` and `toolResults` and makes every other key a var (so a chat dataset's
 * `{"messages": [...]}` rows are conversations).
 */
export function validateCaseRow(row: RawCase): CaseConfig {
  const value = row.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError("expected a case: an object of vars (or {vars, expected, id, tags})", row.yamlPath, row.locate([]));
  }
  let shaped: Record<string, unknown> = value as Record<string, unknown>;
  if (!("vars" in shaped) || (shaped.vars !== null && typeof shaped.vars !== "object")) {
    const vars: Record<string, unknown> = {};
    const rest: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(shaped)) (STRUCTURED_KEYS.has(key) ? rest : vars)[key] = v;
    shaped = { ...rest, vars };
  } else if (Object.keys(shaped).some((key) => !STRUCTURED_KEYS.has(key))) {
    const extra = Object.keys(shaped).filter((key) => !STRUCTURED_KEYS.has(key));
    throw new ConfigError(
      `unknown key "${extra.join('", "')}" (a case with vars has only id, vars, expected, tags, metadata, messages, toolResults)`,
      row.yamlPath,
      row.locate([extra[0]!]),
    );
  }
  const result = caseConfigSchema.safeParse(shaped);
  if (result.success) {
    const issue = caseIssue(result.data);
    if (issue) throw new ConfigError(issue.message, `${row.yamlPath}.${formatYamlPath(issue.path)}`, row.locate(issue.path));
    // The schema copies vars key by key (values as they are, `__proto__` keys dropped): keep the
    // parsed object instead, which is the same and no larger, so a case holds one copy of its vars.
    const vars = shaped.vars as Record<string, unknown>;
    if (Object.getPrototypeOf(vars) === Object.prototype && !Object.hasOwn(vars, "__proto__")) result.data.vars = vars;
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
  throw new ConfigError(issue.message, `${row.yamlPath}.${formatYamlPath(path)}`, row.locate(path));
}

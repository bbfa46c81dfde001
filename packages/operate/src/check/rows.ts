import { isUtf8 } from "node:buffer";
import { open, readFile } from "node:fs/promises";
import { type CaseFileFormat, ConfigError, oneLine } from "@llmops/core";
import { caseFileFormat, parseCaseFile, type RawCase } from "@llmops/eval";
import { LineReader } from "./line-reader.ts";

/** What can be wrong with a row before any check looks at it. */
export const ROW_PROBLEMS = [
  "encoding",
  "too-long",
  "invalid-json",
  "not-an-object",
  "too-deep",
  "unreadable-file",
  "file-too-large",
] as const;
export type RowProblemKind = (typeof ROW_PROBLEMS)[number];

export interface RowProblem {
  kind: RowProblemKind;
  message: string;
}

/** One row of a case file (or one line of a JSONL file, blank and broken ones included). */
export interface DatasetRow {
  line: number;
  /** The row as parsed; undefined when it could not be (see problems) or the line is blank. */
  value: unknown;
  /** The raw value as written for CSV rows is rebuilt from eval's case shape; this is eval's shape, for validateCaseRow. */
  raw?: RawCase;
  problems: RowProblem[];
  /** JSONL: the line as read (undefined when too long), for a redacted copy of a line that is not JSON. */
  text?: string;
  blank: boolean;
}

/**
 * Whole-file formats (JSON, YAML, CSV) are parsed at once; past this size a file is reported, not
 * read: JSONL is streamed at any size.
 */
export const WHOLE_FILE_MAX_BYTES = 64 * 1024 * 1024;

const READ_CHUNK_BYTES = 256 * 1024;

export function formatOf(path: string): CaseFileFormat | undefined {
  return caseFileFormat(path);
}

/**
 * Streams the rows of one case file into `onRow`, in order; JSONL a line at a time (memory bounded
 * by `maxLineBytes`), other formats parsed whole (bounded by WHOLE_FILE_MAX_BYTES). `onRow` is
 * synchronous, so a row is done with before the next is made and its garbage dies young (rows
 * queued behind awaits would survive into the old generation and grow the heap); `afterChunk`
 * is awaited after each chunk of a JSONL file, where a writer can wait for its buffer to drain. Problems of
 * the bytes (not UTF-8, too long, not JSON, a file that does not parse) are rows with problems,
 * not exceptions: a check reports them. Only an unreadable path throws.
 */
export async function readRows(
  path: string,
  displayPath: string,
  format: CaseFileFormat,
  options: { maxLineBytes: number; signal?: AbortSignal; afterChunk?: () => Promise<void> },
  onRow: (row: DatasetRow) => void,
): Promise<void> {
  if (format === "jsonl") return readJsonl(path, options, onRow);
  return readWholeFile(path, displayPath, format, onRow);
}

async function readJsonl(
  path: string,
  options: { maxLineBytes: number; signal?: AbortSignal; afterChunk?: () => Promise<void> },
  onRow: (row: DatasetRow) => void,
): Promise<void> {
  const reader = new LineReader(({ line, text, invalidUtf8, tooLong }) => {
    if (tooLong) {
      onRow({
        line,
        value: undefined,
        problems: [{ kind: "too-long", message: `line longer than ${options.maxLineBytes} bytes; not read` }],
        blank: false,
      });
      return;
    }
    const problems: RowProblem[] = invalidUtf8
      ? [{ kind: "encoding", message: "not valid UTF-8 (read with U+FFFD in place of the bad bytes)" }]
      : [];
    if (text === undefined || text.trim() === "") {
      onRow({ line, value: undefined, problems, text, blank: problems.length === 0 });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // V8's message quotes the line; only the position is kept, so no data reaches a report.
      const at = /position (\d+)/.exec(oneLine(error));
      problems.push({ kind: "invalid-json", message: `not valid JSON${at ? ` (at character ${Number(at[1]) + 1})` : ""}` });
      onRow({ line, value: undefined, problems, text, blank: false });
      return;
    }
    onRow({ line, value, problems, text, blank: false });
  }, options.maxLineBytes);

  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (;;) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      reader.push(buffer.subarray(0, bytesRead));
      await options.afterChunk?.();
    }
    reader.end();
    await options.afterChunk?.();
  } finally {
    await handle.close();
  }
}

/** Lines (1-based) of `bytes` that are not valid UTF-8. */
function invalidUtf8Lines(bytes: Buffer): number[] {
  if (isUtf8(bytes)) return [];
  const lines: number[] = [];
  let start = 0;
  let line = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    if (!isUtf8(bytes.subarray(start, end))) lines.push(line);
    start = end + 1;
    line++;
  }
  return lines;
}

async function readWholeFile(
  path: string,
  displayPath: string,
  format: Exclude<CaseFileFormat, "jsonl">,
  onRow: (row: DatasetRow) => void,
): Promise<void> {
  const handle = await open(path, "r");
  let bytes: Buffer;
  try {
    const { size } = await handle.stat();
    if (size > WHOLE_FILE_MAX_BYTES) {
      onRow({
        line: 1,
        value: undefined,
        problems: [
          {
            kind: "file-too-large",
            message: `${size} bytes; ${format.toUpperCase()} files are read whole, up to ${WHOLE_FILE_MAX_BYTES} bytes (write large datasets as JSONL, which is streamed)`,
          },
        ],
        blank: false,
      });
      return;
    }
    bytes = await readFile(handle);
  } finally {
    await handle.close();
  }
  for (const line of invalidUtf8Lines(bytes)) {
    onRow({
      line,
      value: undefined,
      problems: [{ kind: "encoding", message: "not valid UTF-8 (read with U+FFFD in place of the bad bytes)" }],
      blank: false,
    });
  }
  let rows: RawCase[];
  try {
    rows = parseCaseFile(bytes.toString("utf8"), format, displayPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    onRow({
      line: error.location?.line ?? 1,
      value: undefined,
      problems: [{ kind: "unreadable-file", message: `not ${format.toUpperCase()} cases: ${error.expected.slice(0, 300)}` }],
      blank: false,
    });
    return;
  }
  for (const raw of rows) {
    const line = raw.locate([]).line;
    onRow({ line, value: format === "csv" ? csvAsWritten(raw.value) : raw.value, raw, problems: [], blank: false });
  }
}

/**
 * A CSV row as its columns, from eval's case shape (`id`, `expected`, `tags.k`, `metadata.k`, any
 * other column a var): what a JSON Schema of the file's rows describes.
 */
function csvAsWritten(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const row = value as {
    id?: string;
    expected?: string;
    vars: Record<string, unknown>;
    tags?: Record<string, string>;
    metadata?: Record<string, unknown>;
  };
  if (row.id !== undefined) out.id = row.id;
  for (const [key, v] of Object.entries(row.vars)) out[key] = v;
  if (row.expected !== undefined) out.expected = row.expected;
  for (const [key, v] of Object.entries(row.tags ?? {})) out[`tags.${key}`] = v;
  for (const [key, v] of Object.entries(row.metadata ?? {})) out[`metadata.${key}`] = v;
  return out;
}

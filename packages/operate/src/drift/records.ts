import { type FileHandle, open, stat } from "node:fs/promises";
import { InputError } from "@llmops/core";
import { LineSplitter, parseCaseFile } from "@llmops/eval";

/**
 * Reads the records of a sample or reference file, one object at a time, so drift keeps only the
 * values of its features, never the records. The file comes from production and is hostile:
 * JSONL lines over MAX_RECORD_LINE_BYTES, lines that are not JSON objects and rows that are not
 * objects are skipped and counted (with the first few line numbers), never fatal; JSON and CSV are
 * parsed whole, so they may not exceed MAX_WHOLE_FILE_BYTES. Only the first `maxRecords` records
 * are read; the JSONL lines after them are counted.
 */

export const RECORD_FORMATS = ["jsonl", "json", "csv"] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

export const MAX_RECORD_LINE_BYTES = 1024 * 1024;
export const MAX_WHOLE_FILE_BYTES = 256 * 1024 * 1024;
/** How many skipped line numbers a result lists. */
const LISTED_SKIPS = 5;

export interface RecordStats {
  /** Records handed to `onRecord`. */
  records: number;
  /** Lines or rows that were not records (bad JSON, too long, not an object). */
  skipped: number;
  /** The first few of them (line numbers for JSONL and CSV, positions for JSON). */
  skippedAt: number[];
  /** More records followed the first `maxRecords`. */
  truncated: boolean;
  /** JSONL: non-blank lines after the first `maxRecords` records, counted but not read. */
  unread: number;
}

/** The format a file name implies, if any. */
export function recordFormat(file: string): RecordFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".csv")) return "csv";
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads `path` (shown as `display` in errors), calling `onRecord` for each record object. */
export async function readRecords(
  path: string,
  options: { format?: RecordFormat | undefined; maxRecords: number; display: string },
  onRecord: (record: Record<string, unknown>) => void,
): Promise<RecordStats> {
  const format = options.format ?? recordFormat(path);
  if (!format) throw new InputError(`${options.display}: expected a .jsonl, .json or .csv file (or set format)`);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${options.display}: ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`);
  }
  if (!info.isFile()) throw new InputError(`${options.display}: is not a file`);
  const stats: RecordStats = { records: 0, skipped: 0, skippedAt: [], truncated: false, unread: 0 };
  const skip = (at: number) => {
    stats.skipped++;
    if (stats.skippedAt.length < LISTED_SKIPS) stats.skippedAt.push(at);
  };
  const take = (value: unknown, at: number) => {
    if (stats.records >= options.maxRecords) {
      stats.truncated = true;
      stats.unread++;
      return;
    }
    if (!isObject(value)) return skip(at);
    stats.records++;
    onRecord(value);
  };
  if (format === "jsonl") {
    const splitter = new LineSplitter(
      (text, line) => {
        if (text.trim() === "") return;
        if (stats.records >= options.maxRecords) return take(undefined, line);
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return skip(line);
        }
        take(value, line);
      },
      { maxLineBytes: MAX_RECORD_LINE_BYTES, onTooLong: skip },
    );
    await readChunks(path, options.display, (chunk) => splitter.push(chunk));
    splitter.end();
    return stats;
  }
  if (info.size > MAX_WHOLE_FILE_BYTES) {
    throw new InputError(`${options.display}: ${format.toUpperCase()} files are read whole, and this one is over 256 MiB; use JSONL`);
  }
  const text = await readWhole(path, options.display);
  if (format === "csv") {
    // The case loader's CSV reader: a header row; each row becomes { vars: { column: value } }.
    for (const [i, row] of parseCaseFile(text, "csv", options.display).entries()) take(row.value, row.locate([]).line || i + 2);
    return stats;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new InputError(`${options.display}: not JSON (${(error as Error).message.split("\n")[0]})`);
  }
  const list = Array.isArray(parsed) ? parsed : isObject(parsed) && Array.isArray(parsed.cases) ? parsed.cases : undefined;
  if (!list) throw new InputError(`${options.display}: expected a JSON array of records (or {"cases": [...]})`);
  for (const [i, value] of list.entries()) take(value, i);
  return stats;
}

async function readChunks(path: string, display: string, push: (chunk: Buffer) => void): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw new InputError(`${display}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    const buffer = Buffer.allocUnsafe(256 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      push(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

async function readWhole(path: string, display: string): Promise<string> {
  const chunks: Buffer[] = [];
  await readChunks(path, display, (chunk) => chunks.push(Buffer.from(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

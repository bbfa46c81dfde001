import { createReadStream } from "node:fs";
import type { CaseResult } from "@llmops/core";
import { LineSplitter } from "../lines.ts";
import { parseResultLine } from "./parse.ts";

/** Moved to `@llmops/core`; re-exported for eval's callers. */
export { AtomicFileWriter } from "@llmops/core";

/** One line of results.jsonl: what `toJsonl` writes for a row. */
export function resultLine(row: CaseResult): string {
  return `${JSON.stringify(row)}\n`;
}

/**
 * The rows of a results.jsonl file one at a time, without reading the whole file into memory.
 * `validate: true` (the default) checks each row as `parseResults` does, with the same one-line
 * errors naming file and line; `false` trusts a file this process has just written (rows are
 * then exactly what `JSON.parse` gives).
 */
export async function* readResultsFile(
  path: string,
  options: { validate?: boolean; source?: string } = {},
): AsyncGenerator<CaseResult, void, undefined> {
  const validate = options.validate ?? true;
  const source = options.source ?? path;
  // Rows parsed from one chunk, handed out before the next chunk is read.
  const rows: CaseResult[] = [];
  const splitter = new LineSplitter((text, line) => {
    const row = parseResultLine(text, source, line, validate);
    if (row) rows.push(row);
  });
  const stream = createReadStream(path);
  try {
    for await (const chunk of stream) {
      splitter.push(chunk as Buffer);
      yield* rows.splice(0);
    }
    splitter.end();
    yield* rows.splice(0);
  } finally {
    stream.destroy();
  }
}

/** Batches of up to `size` rows of a results file, in file order. */
export async function* readResultsBatches(
  path: string,
  size: number,
  options: { validate?: boolean; source?: string } = {},
): AsyncGenerator<CaseResult[], void, undefined> {
  let batch: CaseResult[] = [];
  for await (const row of readResultsFile(path, options)) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Every row of a results file this run has just written, unvalidated (`toJsonl` of them gives the file back). */
export async function readAllResults(path: string): Promise<CaseResult[]> {
  const rows: CaseResult[] = [];
  for await (const row of readResultsFile(path, { validate: false })) rows.push(row);
  return rows;
}

import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { finished } from "node:stream/promises";
import type { CaseResult } from "@llmops/core";
import { LineSplitter } from "../lines.ts";
import { parseResultLine } from "./parse.ts";

/** One line of results.jsonl: what `toJsonl` writes for a row. */
export function resultLine(row: CaseResult): string {
  return `${JSON.stringify(row)}\n`;
}

/**
 * A file written as a stream and put in place at the end: text goes to a temp file beside `path`
 * and `finish` renames it, so a reader sees the previous file or the whole new one, never part of
 * one (what `writeFileAtomic` gives for a file written at once). results.jsonl is written so as a
 * run goes, one `resultLine` per row.
 */
export class AtomicFileWriter {
  readonly path: string;
  readonly temp: string;
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private settled = false;

  private constructor(path: string, temp: string, stream: WriteStream) {
    this.path = path;
    this.temp = temp;
    this.stream = stream;
    stream.on("error", (error) => {
      this.failure ??= error;
    });
  }

  /** Creates the directory and the temp file (errors such as EACCES surface here). */
  static async open(path: string): Promise<AtomicFileWriter> {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    const stream = createWriteStream(temp, { flags: "wx" });
    const writer = new AtomicFileWriter(path, temp, stream);
    await once(stream, "open");
    return writer;
  }

  /**
   * Appends text. Returns a promise only when the stream's buffer is full: wait for it before
   * writing more, and memory stays bounded however slow the disk.
   */
  write(text: string): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    if (this.settled) throw new Error(`${this.path}: written after it was finished`);
    if (this.stream.write(text)) return undefined;
    return once(this.stream, "drain").then(() => undefined);
  }

  /** Flushes and closes the temp file and renames it to `path`; on failure removes it and throws. */
  async finish(): Promise<void> {
    if (this.settled) throw new Error(`${this.path}: already finished or aborted`);
    this.settled = true;
    try {
      if (this.failure) throw this.failure;
      this.stream.end();
      await finished(this.stream);
      await rename(this.temp, this.path);
    } catch (error) {
      this.stream.destroy();
      await rm(this.temp, { force: true }).catch(() => {});
      throw error;
    }
  }

  /** Drops the temp file (a run that failed); the previous `path`, if any, is left as it was. */
  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    this.stream.destroy();
    await finished(this.stream).catch(() => {});
    await rm(this.temp, { force: true }).catch(() => {});
  }
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

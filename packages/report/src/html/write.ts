import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AtomicFileWriter, InputError } from "@llmops/core";
import type { HtmlReportInput } from "./model.ts";
import { htmlReportChunks } from "./page.ts";

export interface WrittenHtmlReport {
  /** Absolute path of the file. */
  path: string;
  bytes: number;
  /** Rows in the report (cases × repeats). */
  cases: number;
  /** Rows whose case text was cut short to keep the page within its budget (`HtmlReportInput.maxTextBytes`). */
  trimmed: number;
}

/** Throws an InputError (exit 2) when `path` is a directory: the report is a file, and renaming onto a directory fails late and obscurely. */
export async function assertNotDirectory(path: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (found?.isDirectory())
    throw new InputError(`${path} is a directory: give the report's file name, such as ${join(path, "report.html")}`);
}

/**
 * Writes the report to `file` as it is rendered, through a temp file beside it renamed at the end:
 * a reader sees the previous file or the whole new one, and memory holds one chunk at a time.
 */
export async function writeHtmlReport(input: HtmlReportInput, file: string): Promise<WrittenHtmlReport> {
  const path = resolve(file);
  await assertNotDirectory(path);
  const writer = await AtomicFileWriter.open(path);
  let bytes = 0;
  try {
    const chunks = htmlReportChunks(input);
    let next = await chunks.next();
    while (!next.done) {
      bytes += Buffer.byteLength(next.value, "utf8");
      await writer.write(next.value);
      next = await chunks.next();
    }
    await writer.finish();
    return { path, bytes, cases: next.value.cases, trimmed: next.value.trimmed };
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

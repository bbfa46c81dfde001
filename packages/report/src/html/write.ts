import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { finished } from "node:stream/promises";
import { InputError } from "@llmops/core";
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
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const stream = createWriteStream(temp, { flags: "wx" });
  let failure: Error | undefined;
  stream.on("error", (error) => {
    failure ??= error;
  });
  let bytes = 0;
  try {
    await once(stream, "open");
    const chunks = htmlReportChunks(input);
    let next = await chunks.next();
    while (!next.done) {
      if (failure) throw failure;
      bytes += Buffer.byteLength(next.value, "utf8");
      if (!stream.write(next.value)) await once(stream, "drain");
      next = await chunks.next();
    }
    stream.end();
    await finished(stream);
    if (failure) throw failure;
    await rename(temp, path);
    return { path, bytes, cases: next.value.cases, trimmed: next.value.trimmed };
  } catch (error) {
    stream.destroy();
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

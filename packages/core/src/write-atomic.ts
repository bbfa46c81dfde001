import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { finished } from "node:stream/promises";

/**
 * Writes through a temp file beside the target and a rename, so a reader sees the old file or the
 * new one, never half of it; the temp file is removed when the write fails. `durable` also
 * fsyncs the data before the rename, for stores that must survive a crash.
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: { durable?: boolean; mode?: number } = {},
): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await open(temp, "w", options.mode ?? 0o666);
    try {
      await handle.writeFile(data);
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
}

/**
 * A file written as a stream and put in place at the end: text goes to a temp file beside `path`
 * and `finish` renames it, so a reader sees the previous file or the whole new one, never part of
 * one (what `writeFileAtomic` gives for a file written at once). eval's results.jsonl is written so
 * as a run goes, one row per line; the HTML report so as it is rendered.
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

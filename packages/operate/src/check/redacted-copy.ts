import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { AtomicFileWriter, type CaseFileFormat, ConfigError, oneLine, type PiiKind } from "@llmops/core";
import { parseCaseFile } from "@llmops/eval";
import { RedactedCopyError } from "./errors.ts";
import { MAX_NESTING, nestingDepth, visitStrings } from "./fields.ts";
import { findPii, redactPii } from "./pii/detect.ts";
import { WHOLE_FILE_MAX_BYTES } from "./rows.ts";

/**
 * A copy of a value with every string (and object key) redacted; keys that become equal after
 * redaction get `#2`, `#3` … so no entry is lost. Objects are built without a prototype, so a
 * `__proto__` key stays a plain key. `value` must nest at most MAX_NESTING deep.
 */
export function redactValue(value: unknown, kinds: ReadonlySet<PiiKind>): unknown {
  if (typeof value === "string") return redactPii(value, kinds);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, kinds));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value)) {
      let name = redactPii(key, kinds);
      for (let n = 2; Object.hasOwn(out, name); n++) name = `${redactPii(key, kinds)}#${n}`;
      out[name] = redactValue((value as Record<string, unknown>)[key], kinds);
    }
    return out;
  }
  return value;
}

/**
 * A redacted copy of the checked case files, built in a temporary directory beside `dest` and
 * renamed into place only when every file is written and verified, so `dest` is either absent or
 * complete: never half-written, never holding a match. JSONL is written a line at a time as the
 * check reads it (each value redacted as JSON, so escapes cannot hide anything); JSON, YAML and
 * CSV files are redacted whole afterwards and parsed again to verify that no match is left.
 */
export class RedactedCopy {
  readonly dest: string;
  readonly #temp: string;
  readonly #kinds: ReadonlySet<PiiKind>;
  #writer: AtomicFileWriter | undefined;
  readonly #titles = new Set<string>();
  #draining: Promise<void> | undefined;
  files = 0;
  droppedLines = 0;
  readonly droppedFiles: string[] = [];

  private constructor(dest: string, temp: string, kinds: ReadonlySet<PiiKind>) {
    this.dest = dest;
    this.#temp = temp;
    this.#kinds = kinds;
  }

  /** Refuses a `dest` that exists and is not an empty directory: a redacted copy never overwrites data. */
  static async open(dest: string, kinds: ReadonlySet<PiiKind>): Promise<RedactedCopy> {
    const target = resolve(dest);
    const existing = await stat(target).catch(() => undefined);
    if (existing && (!existing.isDirectory() || (await readdir(target)).length > 0)) {
      throw new RedactedCopyError(dest, "expected a new or empty directory; it exists and is not empty");
    }
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    await mkdir(temp);
    return new RedactedCopy(target, temp, kinds);
  }

  /**
   * A file's path in the copy: its name redacted too (a file may be named after a person), with
   * placeholders as `_EMAIL_` so every filesystem accepts them, and `-2`, `-3` … should two
   * names become one.
   */
  #titleOf(title: string): string {
    const base = title
      .split("/")
      .map((part) => redactPii(part, this.#kinds).replace(/<([A-Z_]+)>/g, "_$1_"))
      .join("/");
    let name = base;
    for (let n = 2; this.#titles.has(name); n++) {
      const dot = base.lastIndexOf(".");
      name = dot > base.lastIndexOf("/") ? `${base.slice(0, dot)}-${n}${base.slice(dot)}` : `${base}-${n}`;
    }
    this.#titles.add(name);
    return name;
  }

  async #open(title: string): Promise<AtomicFileWriter> {
    return AtomicFileWriter.open(join(this.#temp, ...this.#titleOf(title).split("/")));
  }

  /** Starts a JSONL file; its lines follow with `line`. */
  async beginJsonl(title: string): Promise<void> {
    this.#writer = await this.#open(title);
  }

  /**
   * One line of the current JSONL file, redacted: a parsed row as JSON with its strings redacted;
   * a line that is not JSON as text; a line that cannot be redacted safely (too long to hold, JSON
   * nested too deep to walk) is left blank, so line numbers still match the original.
   */
  line(row: { value: unknown; text?: string | undefined; blank: boolean; unsafe: boolean }): void {
    let out: string;
    if (row.blank) out = row.text ?? "";
    else if (row.unsafe) {
      out = "";
      this.droppedLines++;
    } else if (row.value !== undefined) out = JSON.stringify(redactValue(row.value, this.#kinds));
    else if (row.text !== undefined) out = redactPii(row.text, this.#kinds);
    else {
      out = "";
      this.droppedLines++;
    }
    // Written at once; when the stream's buffer is full, `drain` (after the chunk) waits for it.
    this.#draining ??= this.#writer!.write(`${out}\n`);
  }

  /** Waits until the current file's buffered lines are written (call between chunks). */
  async drain(): Promise<void> {
    const draining = this.#draining;
    this.#draining = undefined;
    await draining;
  }

  async endJsonl(): Promise<void> {
    await this.drain();
    const writer = this.#writer!;
    this.#writer = undefined;
    await writer.finish();
    this.files++;
  }

  /**
   * A JSON, YAML or CSV file redacted whole: JSON as values, YAML and CSV line by line as text
   * (neither can hide characters in escapes that a line-level scan would miss, except YAML's
   * double-quoted escapes, which the verification catches). The result is parsed again and every
   * string scanned; a file that still holds a match, or no longer parses, is a RedactedCopyError.
   */
  async wholeFile(title: string, source: string, format: Exclude<CaseFileFormat, "jsonl">): Promise<void> {
    const { size } = await stat(source);
    if (size > WHOLE_FILE_MAX_BYTES) {
      this.droppedFiles.push(title);
      return;
    }
    const text = (await readFile(source)).toString("utf8");
    let redacted: string;
    if (format === "json") {
      let value: unknown;
      try {
        value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
      } catch {
        this.droppedFiles.push(title);
        return;
      }
      if (nestingDepth(value) > MAX_NESTING) {
        this.droppedFiles.push(title);
        return;
      }
      redacted = `${JSON.stringify(redactValue(value, this.#kinds), null, 2)}\n`;
    } else {
      redacted = text
        .split("\n")
        .map((line) => redactPii(line, this.#kinds))
        .join("\n");
    }
    this.#verify(title, redacted, format);
    const writer = await this.#open(title);
    try {
      await writer.write(redacted);
      await writer.finish();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    this.files++;
  }

  #verify(title: string, text: string, format: Exclude<CaseFileFormat, "jsonl">): void {
    let rows: ReturnType<typeof parseCaseFile>;
    try {
      rows = parseCaseFile(text, format, title);
    } catch (error) {
      const where = error instanceof ConfigError && error.location ? ` (line ${error.location.line})` : "";
      throw new RedactedCopyError(this.dest, `${title}: no longer parses once redacted${where}; ${oneLine(error).slice(0, 200)}`);
    }
    for (const row of rows) {
      visitStrings(
        row.value,
        "",
        (value) => {
          if (findPii(value, this.#kinds).length > 0) {
            throw new RedactedCopyError(
              this.dest,
              `${title}: line ${row.locate([]).line} still holds personal data once redacted (hidden in escapes?); expected a file a line scan can redact, such as JSONL`,
            );
          }
        },
        true,
      );
    }
  }

  /** Puts the copy in place (an empty `dest` directory is replaced). */
  async finish(): Promise<void> {
    if (this.#writer) throw new Error("redacted copy: a JSONL file is still open");
    // Only an empty directory goes (rmdir refuses anything else, and rename then fails).
    await rmdir(this.dest).catch(() => {});
    try {
      await rename(this.#temp, this.dest);
    } catch (error) {
      await this.abort();
      throw new RedactedCopyError(this.dest, `cannot be put in place (${(error as NodeJS.ErrnoException).code ?? oneLine(error)})`, {
        cause: error,
      });
    }
  }

  /** Removes everything written so far; `dest` is left as it was. */
  async abort(): Promise<void> {
    await this.#writer?.abort();
    this.#writer = undefined;
    await rm(this.#temp, { recursive: true, force: true });
  }
}

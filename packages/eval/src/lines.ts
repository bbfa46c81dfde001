/** A line longer than a splitter's limit: `line` is its 1-based number. */
export class LineTooLongError extends Error {
  readonly line: number;
  readonly maxBytes: number;
  constructor(line: number, maxBytes: number) {
    super(`line ${line} is longer than ${maxBytes} bytes`);
    this.name = "LineTooLongError";
    this.line = line;
    this.maxBytes = maxBytes;
  }
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits UTF-8 bytes, pushed in chunks of any size, into lines, as `text.split("\n")` splits the
 * decoded text: only `\n` ends a line (a lone `\r` does not), one `\r` before it is dropped, a
 * final line without `\n` is a line, and a U+FEFF at the very start is dropped. Lines are numbered
 * from 1, blank ones included (they are passed on too). Each line is decoded on its own (`\n`
 * never occurs inside a multi-byte UTF-8 sequence), so only the line being assembled is held.
 * Chunks are not kept after `push` returns: a caller may reuse its buffer.
 *
 * A line over `maxLineBytes` throws LineTooLongError, unless `onTooLong` is given: the line is then
 * skipped (its bytes up to the next `\n` are never held), `onTooLong` gets its number, and
 * splitting goes on, so a reader that tolerates bad lines stays bounded by a file's longest line.
 */
export class LineSplitter {
  readonly #onLine: (text: string, line: number) => void;
  readonly #onTooLong: ((line: number) => void) | undefined;
  readonly #maxBytes: number;
  /** Inside an over-long line being skipped. */
  #skipping = false;
  /** Copies of the bytes of the line being assembled, from earlier chunks. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Lines passed on so far. */
  #lines = 0;
  #ended = false;

  constructor(onLine: (text: string, line: number) => void, options: { maxLineBytes?: number; onTooLong?: (line: number) => void } = {}) {
    this.#onLine = onLine;
    this.#onTooLong = options.onTooLong;
    this.#maxBytes = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
  }

  push(chunk: Uint8Array): void {
    if (this.#ended) throw new Error("LineSplitter: push after end");
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(LF, start);
      const end = newline === -1 ? bytes.length : newline;
      if (this.#skipping || this.#pendingBytes + (end - start) > this.#maxBytes) {
        if (!this.#onTooLong) throw new LineTooLongError(this.#lines + 1, this.#maxBytes);
        if (!this.#skipping) {
          this.#pending = [];
          this.#pendingBytes = 0;
          this.#onTooLong(++this.#lines);
        }
        this.#skipping = newline === -1;
        if (newline === -1) return;
        start = newline + 1;
        continue;
      }
      if (newline === -1) {
        // Copied: the caller may reuse the chunk's memory once push returns.
        this.#pending.push(Buffer.from(bytes.subarray(start, end)));
        this.#pendingBytes += end - start;
        return;
      }
      if (this.#pending.length === 0) this.#emit(bytes, start, end);
      else {
        this.#pending.push(bytes.subarray(start, end));
        const line = Buffer.concat(this.#pending, this.#pendingBytes + (end - start));
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#emit(line, 0, line.length);
      }
      start = newline + 1;
    }
  }

  /** Passes on the last line when the input does not end with `\n`. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#skipping = false;
    if (this.#pending.length === 0) return;
    const line = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#emit(line, 0, line.length);
  }

  #emit(bytes: Buffer, start: number, end: number): void {
    const stop = end > start && bytes[end - 1] === CR ? end - 1 : end;
    let text = bytes.toString("utf8", start, stop);
    if (this.#lines === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.#onLine(text, ++this.#lines);
  }
}

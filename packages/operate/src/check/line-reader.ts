import { isUtf8 } from "node:buffer";

/** One line of a file as the reader hands it on: text only when it was short enough to hold. */
export interface ReadLine {
  /** 1-based, blank lines included. */
  line: number;
  /** The line decoded as UTF-8 (invalid bytes become U+FFFD); undefined when it was too long. */
  text: string | undefined;
  /** The bytes were not valid UTF-8. */
  invalidUtf8: boolean;
  /** Longer than the limit: skipped without being held. */
  tooLong: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits bytes pushed in chunks into lines on `\n` (one `\r` before it dropped, a final line
 * without `\n` kept, a UTF-8 BOM at the very start dropped), checking each line's UTF-8 before
 * decoding it, so a dataset's bad bytes are reported instead of silently replaced. A line over
 * `maxLineBytes` is passed on as `tooLong` and its bytes are never held: memory stays bounded by
 * the limit however long a hostile line is. Chunks may be reused once `push` returns.
 */
export class LineReader {
  readonly #onLine: (line: ReadLine) => void;
  readonly #maxBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #skipping = false;
  #lines = 0;
  #started = false;

  constructor(onLine: (line: ReadLine) => void, maxLineBytes: number) {
    this.#onLine = onLine;
    this.#maxBytes = maxLineBytes;
  }

  push(chunk: Uint8Array): void {
    let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (!this.#started && bytes.length > 0) {
      this.#started = true;
      if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    let start = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(LF, start);
      const end = newline === -1 ? bytes.length : newline;
      if (this.#skipping || this.#pendingBytes + (end - start) > this.#maxBytes) {
        if (!this.#skipping) {
          this.#pending = [];
          this.#pendingBytes = 0;
          this.#skipping = true;
        }
        if (newline === -1) return;
        this.#skipping = false;
        this.#onLine({ line: ++this.#lines, text: undefined, invalidUtf8: false, tooLong: true });
        start = newline + 1;
        continue;
      }
      if (newline === -1) {
        this.#pending.push(Buffer.from(bytes.subarray(start, end)));
        this.#pendingBytes += end - start;
        return;
      }
      if (this.#pending.length === 0) this.#emit(bytes.subarray(start, end));
      else {
        this.#pending.push(bytes.subarray(start, end));
        const line = Buffer.concat(this.#pending, this.#pendingBytes + (end - start));
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#emit(line);
      }
      start = newline + 1;
    }
  }

  /** Passes on a last line that has no `\n`. */
  end(): void {
    if (this.#skipping) {
      this.#skipping = false;
      this.#onLine({ line: ++this.#lines, text: undefined, invalidUtf8: false, tooLong: true });
      return;
    }
    if (this.#pending.length === 0) return;
    const line = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#emit(line);
  }

  #emit(bytes: Buffer): void {
    const body = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.subarray(0, bytes.length - 1) : bytes;
    const valid = isUtf8(body);
    this.#onLine({ line: ++this.#lines, text: body.toString("utf8"), invalidUtf8: !valid, tooLong: false });
  }
}

import { ProviderError } from "./types.ts";

/** One server-sent event: its `event:` type ("message" when none was given) and its data lines joined by "\n". */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Characters one event's data (or one line not yet ended) may hold. A model's stream is hostile
 * input: without a bound, a server that never ends a line grows the buffer up to the body limit.
 */
export const MAX_SSE_EVENT_CHARS = 4 * 1024 * 1024;

/**
 * An event stream parser as the HTML standard defines it ("Interpreting an event stream"): bytes
 * arrive in chunks cut anywhere (inside a line, a CRLF pair or a UTF-8 sequence); lines end with
 * CRLF, LF or CR; `:` starts a comment; `data:` lines accumulate; a blank line dispatches.
 * Unlike a browser it also dispatches an event the stream ends in without a final blank line:
 * whether the reply was complete is for the API's own end marker to say (`[DONE]`, `message_stop`).
 */
export class SseParser {
  readonly #onEvent: (event: SseEvent) => void;
  readonly #maxEventChars: number;
  readonly #decoder = new TextDecoder("utf-8");
  #pending = "";
  #started = false;
  /** The last chunk ended with CR: an LF starting the next one belongs to that line end. */
  #skipLf = false;
  #data: string[] = [];
  #dataChars = 0;
  #type = "";
  #lastId: string | undefined;

  constructor(onEvent: (event: SseEvent) => void, options: { maxEventChars?: number } = {}) {
    this.#onEvent = onEvent;
    this.#maxEventChars = options.maxEventChars ?? MAX_SSE_EVENT_CHARS;
  }

  /** Feeds one chunk; events it completes are given to `onEvent` before this returns (and what it throws, propagates). */
  push(chunk: Uint8Array | string): void {
    this.#feed(typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true }));
  }

  /** The stream ended: the rest of the text is a last line, and a pending event is dispatched. */
  end(): void {
    this.#feed(this.#decoder.decode());
    if (this.#pending !== "") {
      const line = this.#pending;
      this.#pending = "";
      this.#line(line);
    }
    this.#dispatch();
  }

  #feed(input: string): void {
    let text = input;
    if (text === "") return;
    if (!this.#started) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#skipLf) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    let start = 0;
    const pending = this.#pending;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      let line = text.slice(start, i);
      if (start === 0 && pending !== "") {
        line = pending + line;
        this.#pending = "";
      }
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else this.#skipLf = true;
      }
      start = i + 1;
      this.#line(line);
    }
    if (start === 0) this.#pending = pending + text;
    else this.#pending = text.slice(start);
    if (this.#pending.length > this.#maxEventChars) {
      throw new ProviderError(`the event stream has a line longer than the limit of ${this.#maxEventChars} characters`, {
        retryable: false,
      });
    }
  }

  #line(line: string): void {
    if (line === "") {
      this.#dispatch();
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" a comment
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") {
      this.#dataChars += value.length + 1;
      if (this.#dataChars > this.#maxEventChars) {
        throw new ProviderError(`the event stream has an event larger than the limit of ${this.#maxEventChars} characters`, {
          retryable: false,
        });
      }
      this.#data.push(value);
    } else if (field === "event") this.#type = value;
    else if (field === "id" && !value.includes("\0")) this.#lastId = value;
    // `retry` and unknown fields are ignored.
  }

  #dispatch(): void {
    if (this.#data.length === 0) {
      this.#type = "";
      return;
    }
    const event: SseEvent = { event: this.#type || "message", data: this.#data.join("\n") };
    if (this.#lastId !== undefined) event.id = this.#lastId;
    this.#data = [];
    this.#dataChars = 0;
    this.#type = "";
    this.#onEvent(event);
  }
}

/** Parses a whole event stream held as text (a server that streamed without saying so). */
export function parseSseText(text: string, options: { maxEventChars?: number } = {}): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event), options);
  parser.push(text);
  parser.end();
  return events;
}

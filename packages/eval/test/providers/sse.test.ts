import { describe, expect, it } from "vitest";
import { parseSseText, type SseEvent, SseParser } from "../../src/providers/sse.ts";
import { ProviderError } from "../../src/providers/types.ts";

/** A recorded-style stream mixing every framing the standard allows. */
const RECORDED = [
  ": keep-alive comment\n",
  'data: {"choices":[{"delta":{"content":"Grüße 👋 "}}]}\n\n',
  "event: content_block_delta\r\n",
  'data: {"type":"content_block_delta","delta":{"text":"日本語"}}\r\n\r\n',
  "id: 7\rdata:first line\rdata: second line\r\r",
  "retry: 1000\n",
  "data\n\n", // a field without colon: an empty data line
  "event: ping\n\n", // no data: not dispatched
  "unknown: field\ndata: [DONE]\n\n",
].join("");

const EXPECTED: SseEvent[] = [
  { event: "message", data: '{"choices":[{"delta":{"content":"Grüße 👋 "}}]}' },
  { event: "content_block_delta", data: '{"type":"content_block_delta","delta":{"text":"日本語"}}' },
  { event: "message", data: "first line\nsecond line", id: "7" },
  { event: "message", data: "", id: "7" },
  { event: "message", data: "[DONE]", id: "7" },
];

function parseChunks(chunks: (Uint8Array | string)[], options: { maxEventChars?: number } = {}): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event), options);
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

describe("SseParser", () => {
  it("parses a stream with LF, CRLF and CR line ends, comments, ids, multi-line data and unknown fields", () => {
    expect(parseSseText(RECORDED)).toEqual(EXPECTED);
  });

  it("gives the same events however the bytes are cut: at every byte boundary, and byte by byte", () => {
    const bytes = Buffer.from(RECORDED, "utf8");
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseChunks([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at byte ${cut}`).toEqual(EXPECTED);
    }
    const single = [...bytes].map((b) => Uint8Array.of(b));
    expect(parseChunks(single)).toEqual(EXPECTED);
    // Three pieces, at every pair of boundaries in the CR-heavy part.
    const start = bytes.indexOf("id: 7");
    for (let a = start; a < start + 40; a++)
      for (let b = a; b < start + 40; b++)
        expect(parseChunks([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)])).toEqual(EXPECTED);
  });

  it("a CR ending one chunk and an LF starting the next are one line end, not two", () => {
    expect(parseChunks(["data: a\r", "\ndata: b\r", "\n\r", "\n"])).toEqual([{ event: "message", data: "a\nb" }]);
  });

  it("dispatches the last event when the stream ends without a blank line or a final newline", () => {
    expect(parseChunks(["data: one\n\ndata: two"])).toEqual([
      { event: "message", data: "one" },
      { event: "message", data: "two" },
    ]);
    expect(parseChunks(["data: three\n"])).toEqual([{ event: "message", data: "three" }]);
  });

  it("strips one leading space only, a leading BOM, and keeps colons in values", () => {
    expect(parseChunks([Buffer.from("\uFEFFdata:  two spaces\n\ndata:a:b\n\n", "utf8")])).toEqual([
      { event: "message", data: " two spaces" },
      { event: "message", data: "a:b" },
    ]);
  });

  it("rejects a line or an event over the limit with a non-retryable error naming it", () => {
    const long = () => parseChunks(["data: ", "x".repeat(600), "x".repeat(600)], { maxEventChars: 1000 });
    expect(long).toThrow(ProviderError);
    expect(long).toThrow(/longer than the limit of 1000 characters/);
    const many = () => parseChunks([`${"data: 0123456789\n".repeat(200)}\n`], { maxEventChars: 1000 });
    expect(many).toThrow(/event larger than the limit of 1000 characters/);
    try {
      many();
    } catch (error) {
      expect((error as ProviderError).retryable).toBe(false);
    }
    // Many small events within the limit are fine.
    expect(parseChunks(["data: 0123456789\n\n".repeat(500)], { maxEventChars: 1000 })).toHaveLength(500);
  });

  it("an error thrown by the event handler stops the parse and reaches the caller", () => {
    const parser = new SseParser(() => {
      throw new Error("handler");
    });
    expect(() => parser.push("data: x\n\n")).toThrow("handler");
  });
});

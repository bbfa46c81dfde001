import { describe, expect, it } from "vitest";
import { parseFeedbackLine } from "../../src/feedback/event.ts";

const MODEL = `acme/chat@sha256:${"a".repeat(64)}`;
const good = { requestId: "req-1", input: "What is 2+2?", output: "5", model: MODEL, rating: "bad", correction: "4" };
const line = (value: unknown) => JSON.stringify(value);

describe("parseFeedbackLine", () => {
  it("accepts the documented event, with string or object input and every optional field", () => {
    expect(parseFeedbackLine(line(good))).toMatchObject({ ok: true, event: good });
    const full = {
      ...good,
      input: { question: "q", lang: "de", turn: 2, followUp: false },
      tags: { channel: "web", beta: true, score: 3 },
      consent: true,
      timestamp: "2025-01-02T03:04:05+01:00",
    };
    expect(parseFeedbackLine(line(full))).toMatchObject({ ok: true, event: full });
    expect(parseFeedbackLine(line({ ...good, correction: undefined }))).toMatchObject({ ok: true });
    expect(parseFeedbackLine(line({ ...good, rating: undefined }))).toMatchObject({ ok: true });
  });

  const bad: [string, string, string, RegExp][] = [
    ["not JSON", "{requestId: 1", "invalid-json", /expected one JSON object per line/],
    ["an array", "[1,2]", "not-an-object", /expected a JSON object/],
    ["a string", '"hello"', "not-an-object", /expected a JSON object/],
    ["null", "null", "not-an-object", /expected a JSON object/],
    ["no requestId", line({ ...good, requestId: undefined }), "missing-field", /^requestId: missing; /],
    ["no input", line({ ...good, input: undefined }), "missing-field", /^input: missing; /],
    ["no output", line({ ...good, output: undefined }), "missing-field", /^output: missing; /],
    ["no model", line({ ...good, model: undefined }), "missing-field", /^model: missing; /],
    [
      "neither rating nor correction",
      line({ ...good, rating: undefined, correction: undefined }),
      "missing-field",
      /^rating: missing; expected rating or correction/,
    ],
    [
      "a bare digest as model",
      line({ ...good, model: `sha256:${"a".repeat(64)}` }),
      "invalid-field",
      /^model: expected name@sha256:<64 hex>/,
    ],
    ["an upper-case digest", line({ ...good, model: `acme/chat@sha256:${"A".repeat(64)}` }), "invalid-field", /^model: /],
    ["a model by tag", line({ ...good, model: "acme/chat:latest" }), "invalid-field", /^model: /],
    ["a rating off the scale", line({ ...good, rating: 5 }), "invalid-field", /^rating: expected one of good, bad, neutral/],
    ["a request id with spaces", line({ ...good, requestId: "req 1" }), "invalid-field", /^requestId: expected 1-128 characters/],
    ["a request id of 129 characters", line({ ...good, requestId: "r".repeat(129) }), "invalid-field", /^requestId: /],
    ["an empty input", line({ ...good, input: "" }), "invalid-field", /^input: /],
    ["an input of nested objects", line({ ...good, input: { q: { deep: 1 } } }), "invalid-field", /^input/],
    ["an input var named like a path", line({ ...good, input: { "a/b": "x" } }), "invalid-field", /^input/],
    ["consent as a string", line({ ...good, consent: "yes" }), "invalid-field", /^consent: expected true or false/],
    ["a rating tag", line({ ...good, tags: { rating: "good" } }), "invalid-field", /^tags: expected no rating tag/],
    ["a bad timestamp", line({ ...good, timestamp: "yesterday" }), "invalid-field", /^timestamp: expected an ISO 8601 date-time/],
    ["an unknown field", line({ ...good, userEmail: "x@example.com" }), "unknown-field", /^userEmail: unknown field/],
    // JSON allows 1e400; it parses to Infinity, which no case can hold.
    [
      "an infinite number",
      `{"requestId":"r","input":{"n":1e400},"output":"o","model":"${MODEL}","rating":"bad"}`,
      "invalid-field",
      /^input/,
    ],
  ];
  it.each(bad)("refuses %s", (_name, text, reason, message) => {
    const parsed = parseFeedbackLine(text);
    expect(parsed).toMatchObject({ ok: false, reason });
    expect(parsed.ok ? "" : parsed.message).toMatch(message);
  });

  it.each([
    ["at the top", `{"__proto__":{"polluted":1},"requestId":"r","input":"i","output":"o","model":"${MODEL}","rating":"bad"}`, /^a field: /],
    ["in input", `{"requestId":"r","input":{"__proto__":"x","q":"i"},"output":"o","model":"${MODEL}","rating":"bad"}`, /^input: /],
    ["in tags", `{"requestId":"r","input":"i","output":"o","model":"${MODEL}","rating":"bad","tags":{"constructor":"x"}}`, /^tags: /],
  ])("refuses a prototype key %s, and pollutes nothing", (_where, text, message) => {
    const parsed = parseFeedbackLine(text);
    expect(parsed).toMatchObject({ ok: false, reason: "invalid-field" });
    expect(parsed.ok ? "" : parsed.message).toMatch(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("answers nesting far deeper than any stack without throwing", () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(parseFeedbackLine(deep(500_000))).toMatchObject({ ok: false, reason: "not-an-object" });
    expect(parseFeedbackLine(line({ ...good, input: { a: "x" } }).replace('"x"', deep(400_000)))).toMatchObject({
      ok: false,
      reason: "invalid-field",
    });
    expect(parseFeedbackLine(line({ ...good, extra: "x" }).replace('"x"', deep(400_000)))).toMatchObject({
      ok: false,
      reason: "unknown-field",
    });
  });

  it("never echoes the event's text: hostile key names and values stay out of messages", () => {
    const hostile = "\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007 <script>alert(1)</script>";
    const texts = [
      line({ ...good, [hostile]: 1 }),
      line({ ...good, requestId: hostile }),
      line({ ...good, model: hostile }),
      line({ ...good, tags: { [hostile]: "x" } }),
      line({ ...good, input: { [hostile]: "x" } }),
      line({ ...good, rating: hostile }),
    ];
    for (const text of texts) {
      const parsed = parseFeedbackLine(text);
      expect(parsed.ok).toBe(false);
      const message = parsed.ok ? "" : parsed.message;
      expect(message).not.toContain("\u001b");
      expect(message).not.toContain("<script>");
      expect(message).not.toContain("evil");
    }
  });
});

import { describe, expect, it } from "vitest";
import { cleanText, contentKey, idKey, normalizeText } from "../../src/feedback/text.ts";

describe("cleanText", () => {
  it("removes control characters, DEL, C1 and invisible separators, keeps tab, newlines and joiners", () => {
    const input = "a\u0000b\u001b[31mc\u007fd\u0085e\u009bf\tg\nh\r\ni\u200bj\u2060k\ufeffl\u200dm";
    expect(cleanText(input)).toEqual({ text: "ab[31mcdef\tg\nh\r\nijkl\u200dm", changed: true });
    expect(cleanText("plain text, ünïcödé, 日本語 👍🏽")).toEqual({ text: "plain text, ünïcödé, 日本語 👍🏽", changed: false });
  });

  it("replaces lone surrogates (valid JSON escapes, invalid UTF-16) with U+FFFD", () => {
    const parsed = JSON.parse('"x\\ud800y\\udfffz"') as string;
    expect(cleanText(parsed)).toEqual({ text: "x\ufffdy\ufffdz", changed: true });
    // A proper pair is text, not damage.
    expect(cleanText(JSON.parse('"\\ud83d\\ude00"') as string).changed).toBe(false);
  });
});

describe("normalizeText and the duplicate keys", () => {
  it("folds case, width and white space", () => {
    expect(normalizeText("  Ｈｅｌｌｏ\t\n  WORLD ")).toBe("hello world");
  });

  it("gives equal content keys to cases that differ only by case and spacing, different ones otherwise", () => {
    const a = contentKey({ input: "What is  2+2?" }, "4", "");
    const b = contentKey({ input: "what is 2+2?" }, " 4 ", "");
    const c = contentKey({ input: "what is 2+2?" }, "5", "");
    const d = contentKey({ input: "what is 2+2?" }, undefined, "");
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(d).not.toEqual(a);
  });

  it("separates id keys from content keys", () => {
    expect(idKey("x")).not.toEqual(contentKey({}, "x", ""));
  });

  it("keys a value too deep to walk by its own text", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(contentKey({ input: "q" }, deep, "row-1")).not.toEqual(contentKey({ input: "q" }, deep, "row-2"));
  });
});

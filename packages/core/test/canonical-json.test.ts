import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../src/canonical-json.ts";

describe("canonicalJson", () => {
  it("sorts keys at every depth by code point and drops whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" }, B: true })).toBe(
      '{"B":true,"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("gives equal bytes for equal values whatever the insertion order", () => {
    const a = canonicalJson({ name: "m", labels: { x: "1", y: "2" } });
    const b = canonicalJson({ labels: { y: "2", x: "1" }, name: "m" });
    expect(createHash("sha256").update(a).digest("hex")).toBe(createHash("sha256").update(b).digest("hex"));
  });

  it("drops undefined members like JSON.stringify and writes null in arrays", () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it("escapes strings as JSON does", () => {
    expect(canonicalJson({ 'quote"': "line\nbreak\u2028" })).toBe(JSON.stringify({ 'quote"': "line\nbreak\u2028" }));
  });

  it("refuses values JSON cannot carry, naming where they are", () => {
    expect(() => canonicalJson({ a: [1, Number.NaN] })).toThrow("$.a[1]");
    expect(() => canonicalJson({ f: () => 1 })).toThrow("$.f");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLIP_SUFFIX, type ClipUnit, capJobSummary, clip, JOB_SUMMARY_LIMIT, JOB_SUMMARY_SUFFIX, measure } from "../src/clip.ts";

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const boundaries = (text: string) => new Set([...[...segmenter.segment(text)].map((s) => s.index), text.length]);
const bytes = (text: string) => Buffer.byteLength(text, "utf8");

// Text as people, models and forks write it: ASCII, multi-byte letters, emoji sequences, accents, lines.
const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.string({ unit: "grapheme-composite", maxLength: 300 }),
  fc
    .array(fc.constantFrom("a", "é", "e\u0301", "😀", "👩‍👩‍👧", "🇫🇷", "日本", "\n", " ", "| x |\n"), { maxLength: 300 })
    .map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 300 }),
);
const suffix = fc.constantFrom(undefined, "", "…", " (cut: 😀 ü)", CLIP_SUFFIX, "x".repeat(40));
const unit = fc.constantFrom<ClipUnit>("utf16", "bytes");

describe("clip", () => {
  it("never exceeds its limit, keeps fitting text whole and cuts at a grapheme", () => {
    fc.assert(
      fc.property(text, fc.nat({ max: 400 }), suffix, unit, fc.nat({ max: 50 }), (input, limit, tail, u, window) => {
        const options = { unit: u, lineWindow: window, ...(tail === undefined ? {} : { suffix: tail }) };
        const out = clip(input, limit, options);
        expect(measure(out, u)).toBeLessThanOrEqual(limit);
        if (measure(input, u) <= limit) {
          expect(out).toBe(input);
          return;
        }
        const used = tail ?? CLIP_SUFFIX;
        const kept = out.endsWith(used) && measure(used, u) <= limit ? out.slice(0, out.length - used.length) : out;
        expect(input.startsWith(kept)).toBe(true);
        // Whole characters only: the UTF-8 round trip of the kept part is lossless.
        if (!/[\uD800-\uDFFF]/.test(input)) expect(Buffer.from(kept, "utf8").toString("utf8")).toBe(kept);
        expect(boundaries(input).has(kept.length)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it("holds for every length around the limit of a long multi-byte text", () => {
    const long = "naïve 😀 👩‍👩‍👧 e\u0301 日本語 | a |\n".repeat(200);
    for (let limit = 0; limit <= 400; limit++) {
      for (const u of ["utf16", "bytes"] as const) {
        const out = clip(long, limit, { unit: u });
        expect(measure(out, u), `${u} ${limit}`).toBeLessThanOrEqual(limit);
        if (limit >= measure(CLIP_SUFFIX, u)) expect(out.endsWith(CLIP_SUFFIX)).toBe(true);
      }
    }
  });

  it("prefers a line break near the cut, so a table row is not cut in half", () => {
    const rows = Array.from({ length: 100 }, (_, i) => `| row ${i} | value |`).join("\n");
    const out = clip(rows, 200, { suffix: "" });
    expect(out.split("\n").every((line) => /^\| row \d+ \| value \|$/.test(line))).toBe(true);
  });

  it("cuts a text without any line break under the limit too", () => {
    const out = clip("x".repeat(70_000), 65_535);
    expect(out.length).toBeLessThanOrEqual(65_535);
    expect(out.endsWith(CLIP_SUFFIX)).toBe(true);
  });
});

describe("capJobSummary", () => {
  it("keeps a summary under GitHub's 1 MiB in bytes, not characters", () => {
    // 600k characters of 3-byte text: 1.8 MB, far over the limit though its length is not.
    const summary = "日".repeat(600_000);
    expect(summary.length).toBeLessThan(JOB_SUMMARY_LIMIT);
    const capped = capJobSummary(summary);
    expect(bytes(capped)).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT);
    expect(capped.endsWith(JOB_SUMMARY_SUFFIX)).toBe(true);
    expect(capJobSummary("small")).toBe("small");
    expect(bytes(capJobSummary("😀".repeat(1000), 101))).toBeLessThanOrEqual(101);
  });
});

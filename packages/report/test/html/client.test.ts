// The page's pure client modules, run here without a browser: the case filters and the word diff.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffIsUseful, diffWords, tokenize } from "../../src/html/client/diff.ts";
import { ALL_ROWS, filterRows, RowSearch, sliceValue } from "../../src/html/client/filter.ts";
import type { RowData } from "../../src/html/model.ts";

function row(
  suite: number,
  id: string,
  head: 0 | 1 | 2 | null,
  flip: 0 | 1 | 2,
  tags: Record<string, string>,
  output = `out ${id}`,
): RowData {
  return [
    suite,
    id,
    0,
    `input ${id}`,
    `expected ${id}`,
    tags,
    head === null ? 0 : [head, output, head === 2 ? "boom" : null, 10, null, []],
    [1, `base ${id}`, null, 10, null, []],
    flip,
  ];
}

const ROWS: RowData[] = [
  row(0, "a", 1, 0, { language: "de" }),
  row(0, "b", 0, 1, { language: "en" }, "Paris is the CAPITAL"),
  row(0, "c", 2, 1, { language: "de" }),
  row(0, "d", 1, 2, { language: "en" }),
  row(1, "e", 0, 0, {}),
  row(1, "f", null, 0, {}),
];

const ids = (indices: number[]) => indices.map((i) => ROWS[i]![1]);

describe("filterRows", () => {
  it("keeps every row with no criterion", () => {
    expect(ids(filterRows(ROWS, ALL_ROWS))).toEqual(["a", "b", "c", "d", "e", "f"]);
  });

  it("filters by head's outcome: failing means failed or errored; a row head lacks is neither", () => {
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, outcome: "failing" }))).toEqual(["b", "c", "e"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, outcome: "errors" }))).toEqual(["c"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, outcome: "passing" }))).toEqual(["a", "d"]);
  });

  it("filters flipped cases either way or by direction", () => {
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, flip: "flipped" }))).toEqual(["b", "c", "d"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, flip: "pass-to-fail" }))).toEqual(["b", "c"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, flip: "fail-to-pass" }))).toEqual(["d"]);
  });

  it("filters by suite and slice, and combines criteria", () => {
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, suite: 1 }))).toEqual(["e", "f"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, slice: sliceValue("language", "de") }))).toEqual(["a", "c"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, slice: sliceValue("language", "de"), flip: "flipped" }))).toEqual(["c"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, slice: sliceValue("constructor", "x") }))).toEqual([]);
  });

  it("searches id, input, expected, outputs and errors, ignoring case and surrounding spaces", () => {
    const search = new RowSearch(ROWS);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, query: "  capital " }, search))).toEqual(["b"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, query: "BOOM" }, search))).toEqual(["c"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, query: "base e" }, search))).toEqual(["e"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, query: "expected d" }, search))).toEqual(["d"]);
    expect(ids(filterRows(ROWS, { ...ALL_ROWS, query: "no such text" }, search))).toEqual([]);
  });
});

/** The two texts a diff describes. */
function sides(parts: { op: number; text: string }[]): [string, string] {
  return [
    parts
      .filter((p) => p.op <= 0)
      .map((p) => p.text)
      .join(""),
    parts
      .filter((p) => p.op >= 0)
      .map((p) => p.text)
      .join(""),
  ];
}

/** Tokens changed by a diff (removed plus added). */
function edits(parts: { op: number; text: string }[]): number {
  return parts.filter((p) => p.op !== 0).reduce((n, p) => n + tokenize(p.text).length, 0);
}

/** The fewest token edits turning a into b, |a| + |b| − 2 × LCS by dynamic programming: Myers must find as few. */
function minimalEdits(a: string[], b: string[]): number {
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  return a.length + b.length - 2 * lcs[0]![0]!;
}

describe("diffWords", () => {
  it("marks the changed word and keeps the rest shared", () => {
    expect(diffWords("The capital of France is Paris.", "The capital of France is Lyon.")).toEqual([
      { op: 0, text: "The capital of France is " },
      { op: -1, text: "Paris" },
      { op: 1, text: "Lyon" },
      { op: 0, text: "." },
    ]);
    expect(diffWords("same", "same")).toEqual([{ op: 0, text: "same" }]);
    expect(diffWords("", "")).toEqual([]);
    expect(diffWords("", "new")).toEqual([{ op: 1, text: "new" }]);
  });

  it("always describes both texts exactly, with a shortest edit script", () => {
    const words = fc.constantFrom("a", "b", "c", " ", "\n", ",", "é", "😀", "x\u0301");
    const text = fc.array(words, { maxLength: 30 }).map((w) => w.join(""));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const parts = diffWords(a, b);
        expect(sides(parts)).toEqual([a, b]);
        expect(edits(parts)).toBe(minimalEdits(tokenize(a), tokenize(b)));
        for (let i = 1; i < parts.length; i++) expect(parts[i]!.op).not.toBe(parts[i - 1]!.op);
      }),
      { numRuns: 500 },
    );
  });

  it("replaces texts that differ in more words than it searches, and says the diff found nothing shared", () => {
    const a = Array.from({ length: 400 }, (_, i) => `a${i}`).join(" ");
    const b = Array.from({ length: 400 }, (_, i) => `b${i}`).join(" ");
    const parts = diffWords(a, b, { maxEdits: 50 });
    expect(sides(parts)).toEqual([a, b]);
    expect(diffIsUseful(parts)).toBe(false);
    expect(diffIsUseful(diffWords("one two three", "one two four"))).toBe(true);
  });

  it("diffs long outputs quickly (common prefix and suffix set aside)", () => {
    const base = Array.from({ length: 5000 }, (_, i) => `word${i % 97}`).join(" ");
    const head = base.replace("word50 ", "changed ").replace(/word3$/, "end");
    const started = performance.now();
    const parts = diffWords(base, head);
    expect(performance.now() - started).toBeLessThan(500);
    expect(sides(parts)).toEqual([base, head]);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { levenshteinDistance, levenshteinSimilarity, squadExactMatch, squadNormalize, tokenF1 } from "../../src/scorers/index.ts";

// The official SQuAD v1.1 functions and NLTK's edit_distance, run by squad_official.py beside the fixture.
const fixture = JSON.parse(readFileSync(new URL("../fixtures/scorers/squad-official.json", import.meta.url), "utf8")) as {
  squad: { prediction: string; golds: string[]; normalized: string; exactMatch: number; f1: number }[];
  levenshtein: { a: string; b: string; distance: number }[];
};

describe("SQuAD v1.1 exact match and F1 (official evaluate-v1.1.py)", () => {
  for (const example of fixture.squad) {
    it(`${JSON.stringify(example.prediction)} vs ${JSON.stringify(example.golds)}`, () => {
      expect(squadNormalize(example.prediction)).toBe(example.normalized);
      expect(squadExactMatch(example.prediction, example.golds)).toBe(example.exactMatch);
      expect(tokenF1(example.prediction, example.golds)).toBeCloseTo(example.f1, 12);
    });
  }
});

describe("Levenshtein", () => {
  it("kitten/sitting is 3 (the textbook example)", () => {
    expect(levenshteinDistance("kitten", "sitting")).toBe(3);
    expect(levenshteinSimilarity("kitten", "sitting")).toBeCloseTo(1 - 3 / 7, 12);
  });
  for (const { a, b, distance } of fixture.levenshtein) {
    it(`${JSON.stringify(a)} / ${JSON.stringify(b)}: ${distance} (NLTK edit_distance)`, () => {
      expect(levenshteinDistance(a, b)).toBe(distance);
      expect(levenshteinDistance(b, a)).toBe(distance);
    });
  }
  it("similarity of two empty strings is 1; counts code points, not UTF-16 units", () => {
    expect(levenshteinSimilarity("", "")).toBe(1);
    expect(levenshteinDistance("😀a", "😁a")).toBe(1);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lcsLength, porterStem, rougeL, rougeMulti, rougeN, rougeTokenize } from "../../src/scorers/index.ts";

type Prf = { precision: number; recall: number; fmeasure: number };
const published = JSON.parse(readFileSync(new URL("../fixtures/scorers/rouge-published.json", import.meta.url), "utf8")) as {
  pairs: { target: string; prediction: string; rouge1: Prf; rouge1Stemmed: Prf; rouge2: Prf; rougeL: Prf }[];
};
const expectPrf = (actual: Prf, expected: Prf) => {
  expect(actual.precision).toBeCloseTo(expected.precision, 5);
  expect(actual.recall).toBeCloseTo(expected.recall, 5);
  expect(actual.fmeasure).toBeCloseTo(expected.fmeasure, 5);
};

describe("ROUGE (google-research rouge_scorer_test.py)", () => {
  it("rouge1 of 'testing one two' vs target 'testing': P 1, R 1/3, F 1/2", () => {
    expectPrf(rougeN("testing one two", "testing", 1), { precision: 1, recall: 1 / 3, fmeasure: 1 / 2 });
  });
  it("an empty prediction scores 0", () => {
    expectPrf(rougeN("testing one two", "", 1), { precision: 0, recall: 0, fmeasure: 0 });
    expectPrf(rougeN("testing one two", "", 2), { precision: 0, recall: 0, fmeasure: 0 });
    expectPrf(rougeL("testing one two", ""), { precision: 0, recall: 0, fmeasure: 0 });
  });
  it("rouge2 of 'testing one' vs 'testing one two': P 1, R 1/2, F 2/3", () => {
    expectPrf(rougeN("testing one two", "testing one", 2), { precision: 1, recall: 1 / 2, fmeasure: 2 / 3 });
  });
  it("rougeL, consecutive and non-consecutive: P 1, R 2/3, F 4/5", () => {
    expectPrf(rougeL("testing one two", "testing one"), { precision: 1, recall: 2 / 3, fmeasure: 4 / 5 });
    expectPrf(rougeL("testing one two", "testing two"), { precision: 1, recall: 2 / 3, fmeasure: 4 / 5 });
  });
  it("LCS table example: [1,2,3,4,5] vs [2,5,3,4] has LCS 3; no common items: 0", () => {
    expect(lcsLength(["1", "2", "3", "4", "5"], ["2", "5", "3", "4"])).toBe(3);
    expect(lcsLength(["1", "2", "3", "4", "5"], ["8", "9"])).toBe(0);
  });
  published.pairs.forEach((pair, i) => {
    it(`agrees with ROUGE-1.5.5 on testdata line ${i + 1}`, () => {
      expectPrf(rougeN(pair.target, pair.prediction, 1), pair.rouge1);
      expectPrf(rougeN(pair.target, pair.prediction, 2), pair.rouge2);
      expectPrf(rougeL(pair.target, pair.prediction), pair.rougeL);
      expectPrf(rougeN(pair.target, pair.prediction, 1, { stemmer: true }), pair.rouge1Stemmed);
      expectPrf(rougeN(pair.target, pair.prediction, 2, { stemmer: true }), pair.rouge2);
    });
  });
});

describe("ROUGE, hand-computed", () => {
  it("tokenizes like rouge-score: lowercase, non-alphanumerics are separators", () => {
    expect(rougeTokenize("The Cat's hat-trick, 2024!")).toEqual(["the", "cat", "s", "hat", "trick", "2024"]);
    // Non-ASCII letters are separators too (rouge-score's [^a-z0-9]).
    expect(rougeTokenize("café crème")).toEqual(["caf", "cr", "me"]);
  });
  it("rouge1 with clipped counts", () => {
    // target: the cat the cat (the:2, cat:2); prediction: the the the dog (the:3, dog:1)
    // overlap = min(2,3) + min(2,0) = 2; P = 2/4, R = 2/4, F = 0.5
    expectPrf(rougeN("the cat the cat", "the the the dog", 1), { precision: 0.5, recall: 0.5, fmeasure: 0.5 });
  });
  it("rougeL: LCS of 'a b c d e' and 'a x c e' is a c e (3); P 3/4, R 3/5, F 2PR/(P+R) = 2/3", () => {
    expectPrf(rougeL("a b c d e", "a x c e"), { precision: 3 / 4, recall: 3 / 5, fmeasure: (2 * 0.75 * 0.6) / 1.35 });
  });
  it("several references: the one with the highest F", () => {
    expect(rougeMulti(["x y z", "a b c"], "a b c", "rouge1").fmeasure).toBe(1);
    expect(rougeMulti(["x y z"], "a b c", "rouge2").fmeasure).toBe(0);
  });
});

// NLTK PorterStemmer (NLTK_EXTENSIONS), produced by porter_nltk.py beside the fixture.
const stems = JSON.parse(readFileSync(new URL("../fixtures/scorers/porter-nltk.json", import.meta.url), "utf8")) as {
  stems: Record<string, string>;
};

describe("Porter stemmer (NLTK's default mode)", () => {
  it(`stems all ${Object.keys(stems.stems).length} reference words as NLTK does`, () => {
    const wrong = Object.entries(stems.stems)
      .filter(([word, stem]) => porterStem(word) !== stem)
      .map(([word, stem]) => `${word}: ${porterStem(word)} != ${stem}`);
    expect(wrong).toEqual([]);
  });
});

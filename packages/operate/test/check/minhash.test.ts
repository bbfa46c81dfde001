import { describe, expect, it } from "vitest";
import { LengthHistogram } from "../../src/check/distributions.ts";
import { candidateProbability, optimalBanding } from "../../src/check/lsh.ts";
import { packSignature, similarity } from "../../src/check/minhash.ts";
import { TextFeatures } from "../../src/check/text-features.ts";
import { reference } from "./reference.ts";

/** Seeded word lists, so the texts (and so the test) are the same on every run. */
function rng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exact Jaccard similarity of the 3-word shingle sets, by brute force: the truth MinHash estimates. */
function exactJaccard(a: string, b: string, shingle = 3): number {
  const shingles = (text: string) => {
    const words = text.split(" ");
    const set = new Set<string>();
    for (let i = 0; i + shingle <= words.length; i++) set.add(words.slice(i, i + shingle).join(" "));
    return set;
  };
  const x = shingles(a);
  const y = shingles(b);
  let both = 0;
  for (const s of x) if (y.has(s)) both++;
  return both / (x.size + y.size - both);
}

function signature(text: string, permutations = 128): Uint16Array {
  const features = new TextFeatures({ shingle: 3, ngram: 0, permutations });
  features.beginCase();
  features.addText(text);
  const packed = new Uint16Array(permutations);
  packSignature(features.minhash.signature, packed);
  return packed;
}

describe("MinHash", () => {
  it("estimates the exact Jaccard similarity of shingle sets, unbiased, within its sampling error", () => {
    const random = rng(42);
    const vocabulary = Array.from({ length: 400 }, (_, i) => `w${i}`);
    const errors: number[] = [];
    for (let pair = 0; pair < 300; pair++) {
      const length = 20 + Math.floor(random() * 60);
      const words = Array.from({ length }, () => vocabulary[Math.floor(random() * vocabulary.length)]!);
      // A copy with a random share of its words replaced: similarities spread over [0, 1].
      const changeRate = random();
      const changed = words.map((w) => (random() < changeRate * 0.5 ? vocabulary[Math.floor(random() * vocabulary.length)]! : w));
      const a = words.join(" ");
      const b = changed.join(" ");
      const truth = exactJaccard(a, b);
      const estimate = similarity(signature(a), 0, signature(b), 0, 128);
      errors.push(estimate - truth);
    }
    const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
    const meanAbs = errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length;
    const worst = Math.max(...errors.map(Math.abs));
    // Each estimate is a mean of 128 Bernoulli(J) draws: sd ≤ 0.044, mean |error| ≤ 0.036.
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(meanAbs).toBeLessThan(0.036);
    expect(worst).toBeLessThan(0.2);
  });

  it("gives 1 for equal texts, whatever the case and punctuation, and about 0 for disjoint ones", () => {
    expect(similarity(signature("The quick brown fox jumps"), 0, signature("the QUICK, brown fox... jumps!"), 0, 128)).toBe(1);
    expect(similarity(signature("a b c d e f g h"), 0, signature("p q r s t u v w"), 0, 128)).toBeLessThan(0.05);
  });
});

describe("LSH banding", () => {
  it("picks the (bands, rows) that datasketch's objective, integrated with scipy, picks", () => {
    for (const [threshold, permutations, bands, rows] of reference.banding) {
      expect(optimalBanding(threshold, permutations), `t=${threshold} k=${permutations}`).toEqual({ bands, rows });
    }
  });

  it("makes pairs at the threshold likely candidates and dissimilar pairs unlikely", () => {
    const banding = optimalBanding(0.8, 128);
    expect(candidateProbability(0.8, banding)).toBeGreaterThan(0.8);
    expect(candidateProbability(0.9, banding)).toBeGreaterThan(0.99);
    expect(candidateProbability(0.4, banding)).toBeLessThan(0.01);
  });
});

describe("LengthHistogram", () => {
  it("gives numpy's nearest-rank percentiles and mean", () => {
    const histogram = new LengthHistogram();
    for (const length of reference.lengths.values) histogram.add(length);
    const stats = histogram.stats();
    expect(stats.p50).toBe(reference.lengths.p50);
    expect(stats.p90).toBe(reference.lengths.p90);
    expect(stats.p99).toBe(reference.lengths.p99);
    expect(stats.mean).toBeCloseTo(reference.lengths.mean, 9);
    expect(stats.min).toBe(Math.min(...reference.lengths.values));
    expect(stats.max).toBe(Math.max(...reference.lengths.values));
    expect(stats.histogram.reduce((s, b) => s + b.count, 0)).toBe(reference.lengths.values.length);
    for (const bucket of stats.histogram) {
      expect(bucket.count).toBe(reference.lengths.values.filter((v) => v >= bucket.from && v <= bucket.to).length);
    }
  });
});

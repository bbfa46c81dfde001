import { describe, expect, it } from "vitest";
import { type CheckEntryOf, type CheckResult, checkDataset } from "../../src/index.ts";
import { jsonl, logger, rng, sentences, tempDir, writeFiles } from "./helpers.ts";

function entry<N extends CheckEntryOf<"duplicates">["name"]>(result: CheckResult, name: N): CheckEntryOf<N> {
  return result.checks.find((c) => c.name === name) as CheckEntryOf<N>;
}

/** The 3-word shingle set of a text (lower-case words joined by single spaces here). */
function shingles(text: string): Set<string> {
  const w = text.split(" ");
  const s = new Set<string>();
  for (let i = 0; i + 3 <= w.length; i++) s.add(`${w[i]} ${w[i + 1]} ${w[i + 2]}`);
  return s;
}

/** Exact Jaccard similarity of two sets, by brute force. */
function jaccard(x: Set<string>, y: Set<string>): number {
  let both = 0;
  for (const v of x) if (y.has(v)) both++;
  return both / (x.size + y.size - both);
}

describe("duplicates within a version", () => {
  it("finds planted exact and near duplicates as a brute-force all-pairs Jaccard says, and nothing else", async () => {
    const random = rng(7);
    const texts = sentences(random, 800, 80);
    // Plant: 30 exact copies, 30 copies with one word changed (J = 75/81 ≈ 0.93, found with
    // probability > 0.999 each), 30 with 8 words changed (J ≈ 0.5, never reported).
    const planted: string[] = [];
    for (let i = 0; i < 30; i++) planted.push(texts[i]!);
    for (let i = 30; i < 60; i++) {
      const w = texts[i]!.split(" ");
      w[40] = "changed";
      planted.push(w.join(" "));
    }
    for (let i = 60; i < 90; i++) {
      const w = texts[i]!.split(" ");
      for (let k = 0; k < 8; k++) w[10 * k + 5] = `x${k}`;
      planted.push(w.join(" "));
    }
    const all = [...texts, ...planted];
    const dir = await writeFiles(await tempDir(), { "train.jsonl": jsonl(all.map((question) => ({ question }))) });

    // The truth, by brute force over every pair: for each case, is there an earlier case with J ≥ 0.8?
    const near = new Set<number>();
    const exact = new Set<number>();
    const sets = all.map(shingles);
    for (let j = 0; j < all.length; j++) {
      for (let i = 0; i < j; i++) {
        if (all[i] === all[j]) {
          exact.add(j);
          break;
        }
      }
      if (exact.has(j)) continue;
      for (let i = 0; i < j; i++) {
        if (jaccard(sets[i]!, sets[j]!) >= 0.8) {
          near.add(j);
          break;
        }
      }
    }
    expect(exact.size).toBe(30);
    expect(near.size).toBe(30);

    const result = await checkDataset({ path: dir, logger, config: { maxListed: 1000, pii: { severity: "off" } } });
    const duplicates = entry(result, "duplicates");
    expect(duplicates.exact).toBe(30);
    expect(duplicates.near).toBe(30);
    const reported = (isExact: boolean) => new Set(duplicates.pairs.filter((p) => p.exact === isExact).map((p) => p.second.line - 1));
    expect(reported(true)).toEqual(exact);
    expect(reported(false)).toEqual(near);
    // Sub-quadratic: far fewer signature comparisons than the 380,000 pairs.
    expect(duplicates.comparisons).toBeLessThan(2000);
    // Warn by default: reported, not failed.
    expect(duplicates.severity).toBe("warn");
    expect(result.passed).toBe(true);
  });

  it("finds most pairs just above the threshold: LSH and the 128-sample estimate are probabilistic", async () => {
    const random = rng(11);
    const texts = sentences(random, 400, 40);
    // One word of 40 changed: 35 of 41 shingles shared, J ≈ 0.854. A pair is a candidate with
    // probability 0.975 (14 bands of 9) and estimated ≥ 0.8 with probability ≈ 0.96.
    const changed = texts.slice(0, 100).map((t) => {
      const w = t.split(" ");
      w[20] = "changed";
      return w.join(" ");
    });
    const dir = await writeFiles(await tempDir(), { "t.jsonl": jsonl([...texts, ...changed].map((question) => ({ question }))) });
    const result = await checkDataset({ path: dir, logger, config: { pii: { severity: "off" } } });
    const { near, exact } = entry(result, "duplicates");
    expect(exact).toBe(0);
    expect(near).toBeGreaterThanOrEqual(85);
    expect(near).toBeLessThanOrEqual(100);
  });

  it("fails the gate when configured as an error with a max", async () => {
    const dir = await writeFiles(await tempDir(), {
      "a.jsonl": jsonl([{ q: "same text here" }, { q: "other text" }]),
      "b.jsonl": jsonl([{ q: "same text here" }]),
    });
    const result = await checkDataset({ path: dir, logger, config: { duplicates: { severity: "error", max: 0 } } });
    const duplicates = entry(result, "duplicates");
    expect(duplicates.exact).toBe(1);
    expect(duplicates.pairs[0]).toMatchObject({ first: { file: "a.jsonl", line: 1 }, second: { file: "b.jsonl", line: 1 }, exact: true });
    expect(result.passed).toBe(false);
    expect(result.reasons).toEqual(["duplicates: 1 duplicate cases (max 0; exact 1)"]);
    const allowed = await checkDataset({ path: dir, logger, config: { duplicates: { severity: "error", max: 1 } } });
    expect(allowed.passed).toBe(true);
  });

  it("treats rows that differ only in key order or case shape as exact duplicates", async () => {
    const dir = await writeFiles(await tempDir(), {
      "d.jsonl": jsonl([{ question: "q1", answer: "a1" }, { answer: "a1", question: "q1" }, { vars: { question: "q1", answer: "a1" } }]),
    });
    const result = await checkDataset({ path: dir, logger });
    expect(entry(result, "duplicates").exact).toBe(2);
  });
});

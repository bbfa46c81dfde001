import { describe, expect, it } from "vitest";
import { type CheckEntryOf, type CheckResult, checkDataset } from "../../src/index.ts";
import { jsonl, logger, rng, sentences, tempDir, writeFiles } from "./helpers.ts";

function entry<N extends CheckEntryOf<"duplicates">["name"]>(result: CheckResult, name: N): CheckEntryOf<N> {
  return result.checks.find((c) => c.name === name) as CheckEntryOf<N>;
}

/** Exact Jaccard of 3-word shingle sets (the texts here are lower-case words joined by single spaces). */
function jaccard(a: string, b: string): number {
  const set = (text: string) => {
    const w = text.split(" ");
    const s = new Set<string>();
    for (let i = 0; i + 3 <= w.length; i++) s.add(`${w[i]} ${w[i + 1]} ${w[i + 2]}`);
    return s;
  };
  const x = set(a);
  const y = set(b);
  let both = 0;
  for (const v of x) if (y.has(v)) both++;
  return both / (x.size + y.size - both);
}

describe("duplicates within a version", () => {
  it("finds planted exact and near duplicates as a brute-force all-pairs Jaccard says, and nothing else", async () => {
    const random = rng(7);
    const texts = sentences(random, 1500, 40);
    // Plant: 30 exact copies, 30 copies with one word changed (J ≈ 0.86), 30 with 8 changed (J well below 0.8).
    const planted: string[] = [];
    for (let i = 0; i < 30; i++) planted.push(texts[i]!);
    for (let i = 30; i < 60; i++) {
      const w = texts[i]!.split(" ");
      w[20] = "changed";
      planted.push(w.join(" "));
    }
    for (let i = 60; i < 90; i++) {
      const w = texts[i]!.split(" ");
      for (let k = 0; k < 8; k++) w[4 * k + 2] = `x${k}`;
      planted.push(w.join(" "));
    }
    const all = [...texts, ...planted];
    const dir = await writeFiles(await tempDir(), { "train.jsonl": jsonl(all.map((question) => ({ question }))) });

    // The truth, by brute force over every pair: for each case, is there an earlier case with J ≥ 0.8?
    const near = new Set<number>();
    const exact = new Set<number>();
    for (let j = 0; j < all.length; j++) {
      for (let i = 0; i < j; i++) {
        if (all[i] === all[j]) {
          exact.add(j);
          break;
        }
      }
      if (exact.has(j)) continue;
      for (let i = 0; i < j; i++) {
        if (jaccard(all[i]!, all[j]!) >= 0.8) {
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
    // Sub-quadratic: far fewer signature comparisons than the 1.1 million pairs.
    expect(duplicates.comparisons).toBeLessThan(2000);
    // Warn by default: reported, not failed.
    expect(duplicates.severity).toBe("warn");
    expect(result.passed).toBe(true);
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

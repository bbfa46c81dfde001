import { describe, expect, it } from "vitest";
import { type CheckEntryOf, type CheckResult, checkDataset } from "../../src/index.ts";
import { jsonl, logger, rng, sentences, tempDir, writeFiles } from "./helpers.ts";

function contamination(result: CheckResult): CheckEntryOf<"contamination"> {
  return result.checks.find((c) => c.name === "contamination") as CheckEntryOf<"contamination">;
}

/** Every n-gram of words, by brute force (texts are lower-case words joined by single spaces). */
function ngrams(text: string, n: number): Set<string> {
  const w = text.split(" ");
  const out = new Set<string>();
  for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(" "));
  return out;
}

describe("train/eval contamination", () => {
  it("lists exactly the training cases that share a 13-gram with the eval set (GPT-3's rule), with both locations", async () => {
    const random = rng(3);
    const evalTexts = sentences(random, 200, 30, 20_000);
    const train = sentences(random, 3000, 60, 20_000);
    // Plant: 13 consecutive words of an eval case inside 25 training cases; 12 words inside 25 others.
    const planted13 = new Map<number, number>();
    for (let k = 0; k < 25; k++) {
      const t = 100 * k + 7;
      const e = 8 * k;
      const words = train[t]!.split(" ");
      words.splice(20, 13, ...evalTexts[e]!.split(" ").slice(5, 18));
      train[t] = words.join(" ");
      planted13.set(t, e);
    }
    for (let k = 0; k < 25; k++) {
      const words = train[100 * k + 50]!.split(" ");
      words.splice(30, 12, ...evalTexts[8 * k + 1]!.split(" ").slice(0, 12));
      train[100 * k + 50] = words.join(" ");
    }
    const root = await tempDir();
    const trainDir = await writeFiles(`${root}/train`, { "train.jsonl": jsonl(train.map((text, i) => ({ id: `t${i}`, text }))) });
    const evalDir = await writeFiles(`${root}/eval`, { "cases.jsonl": jsonl(evalTexts.map((question, i) => ({ id: `e${i}`, question }))) });

    // The truth by brute force: training cases with any 13-gram of any eval case.
    const evalGrams = new Set<string>();
    for (const text of evalTexts) for (const g of ngrams(text, 13)) evalGrams.add(g);
    const truth = new Set<number>();
    train.forEach((text, i) => {
      for (const g of ngrams(text, 13)) if (evalGrams.has(g)) truth.add(i);
    });
    expect(truth).toEqual(new Set(planted13.keys()));

    const result = await checkDataset({
      path: trainDir,
      logger,
      config: { maxListed: 1000, contamination: { near: false }, duplicates: { severity: "off" }, pii: { severity: "off" } },
      against: [{ path: evalDir, subject: { ref: "acme/eval:v1", name: "acme/eval" } }],
    });
    const check = contamination(result);
    const against = check.against[0]!;
    expect(against.ref).toBe("acme/eval:v1");
    expect(against.cases).toBe(200);
    expect(against.ngramsIndexed).toBe(evalGrams.size);
    expect(against.ngramCases).toBe(truth.size);
    expect(new Set(against.findings.map((f) => f.case.line - 1))).toEqual(truth);
    for (const finding of against.findings) {
      const t = finding.case.line - 1;
      expect(finding.case).toMatchObject({ file: "train.jsonl", id: `t${t}` });
      expect(finding.against).toMatchObject({ file: "cases.jsonl", line: planted13.get(t)! + 1, id: `e${planted13.get(t)}` });
      // A 13-word window shares exactly one 13-gram; the case has 60 - 13 + 1.
      expect(finding).toMatchObject({ kind: "ngram", overlap: 1, ngrams: 48 });
    }
    expect(check.findings).toBe(25);
    expect(result.passed).toBe(false);
    expect(result.reasons).toEqual(["contamination: 25 cases found in the other version (max 0; ngram 25, acme/eval:v1: 25)"]);

    // n = 12 also catches the 12-word plants, as brute force with 12-grams says.
    const twelve = await checkDataset({
      path: trainDir,
      logger,
      config: { contamination: { ngram: 12, near: false }, duplicates: { severity: "off" }, pii: { severity: "off" } },
      against: [{ path: evalDir, subject: { ref: "eval", name: "eval" } }],
    });
    const grams12 = new Set<string>();
    for (const text of evalTexts) for (const g of ngrams(text, 12)) grams12.add(g);
    const truth12 = train.filter((text) => [...ngrams(text, 12)].some((g) => grams12.has(g))).length;
    expect(truth12).toBe(50);
    expect(contamination(twelve).against[0]!.ngramCases).toBe(truth12);
  });

  it("reports near-duplicate pairs across the versions, and short texts matched whole", async () => {
    const root = await tempDir();
    const question = "what is the boiling point of water at sea level in degrees celsius and why does it change with altitude";
    const trainDir = await writeFiles(`${root}/train`, {
      "t.jsonl": jsonl([
        { text: `${question.replace("water", "pure water")}` },
        { text: "What is the capital of France?" },
        { text: "completely unrelated training text about gardening tools and soil" },
      ]),
    });
    const evalDir = await writeFiles(`${root}/eval`, { "e.jsonl": jsonl([{ question }, { question: "what is the capital of france" }]) });
    const result = await checkDataset({
      path: trainDir,
      logger,
      against: [{ path: evalDir, subject: { ref: "eval", name: "eval" } }],
    });
    const against = contamination(result).against[0]!;
    expect(against.contaminated).toBe(2);
    expect(against.findings.map((f) => [f.case.line, f.against.line, f.kind])).toEqual([
      [1, 1, "ngram"],
      [2, 2, "ngram"],
    ]);
    expect(against.nearCases).toBe(1);
  });

  it("never matches on a label or a short answer alone (fields under MIN_WHOLE_FIELD_NGRAM words)", async () => {
    const root = await tempDir();
    const trainDir = await writeFiles(`${root}/train`, {
      "t.jsonl": jsonl([{ text: "sturdy little tripod that survived two hiking trips in the rain", label: "positive" }]),
    });
    const evalDir = await writeFiles(`${root}/eval`, {
      "e.jsonl": jsonl([{ vars: { text: "my new kettle is great and pours well" }, expected: "positive" }]),
    });
    const result = await checkDataset({ path: trainDir, logger, against: [{ path: evalDir, subject: { ref: "eval", name: "eval" } }] });
    expect(contamination(result).against[0]!.contaminated).toBe(0);
  });

  it("is absent without --against, and severity warn never fails", async () => {
    const root = await tempDir();
    const dir = await writeFiles(`${root}/d`, { "d.jsonl": jsonl([{ q: "hello world" }]) });
    const none = await checkDataset({ path: dir, logger });
    expect(none.checks.map((c) => c.name)).toEqual(["schema", "duplicates", "pii"]);
    const warn = await checkDataset({
      path: dir,
      logger,
      config: { contamination: { severity: "warn" } },
      against: [{ path: dir, subject: { ref: "self", name: "self" } }],
    });
    expect(contamination(warn).findings).toBe(1);
    expect(warn.passed).toBe(true);
  });
});

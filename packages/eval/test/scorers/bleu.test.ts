import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bleuFromStats, bleuStats, corpusBleu, sentenceBleu, tokenize13a } from "../../src/scorers/index.ts";

// Published expectations of sacrebleu's own test suite (mjpost/sacrebleu test/test_bleu.py and
// test/test_sentence_bleu.py), in sacrebleu's 0..100 scale; our functions return fractions.
const REFS = [
  ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
  ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
];
const HYPS = ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."];
// sacrebleu takes reference *streams*; we take the references of each hypothesis.
const perHypothesis = HYPS.map((_, i) => REFS.map((stream) => stream[i]!));

describe("corpus BLEU (sacrebleu test_bleu.py)", () => {
  it("matches the default corpus BLEU of the README example: 48.530827", () => {
    expect(corpusBleu(HYPS, perHypothesis).score * 100).toBeCloseTo(48.530827, 5);
  });
  it("keeps empty hypotheses: 0.0", () => {
    expect(corpusBleu(["", "", ""], perHypothesis).score).toBe(0);
  });
  it("tokenize none: 49.1919566", () => {
    expect(corpusBleu(HYPS, perHypothesis, { tokenize: "none" }).score * 100).toBeCloseTo(49.1919566, 5);
  });
  it("smooth none gives the same 48.530827 (no zero counts)", () => {
    expect(corpusBleu(HYPS, perHypothesis, { smooth: "none" }).score * 100).toBeCloseTo(48.530827, 5);
  });
  it("raw corpus BLEU cases (tokenize none, floor 0.01, effective order)", () => {
    const raw = (hyps: string[], refs: string[]) =>
      bleuFromStats(
        {
          ...sumOf(hyps.map((h, i) => bleuStats(h, [refs[i]!], { tokenize: "none" }))),
        },
        { smooth: "floor", smoothValue: 0.01, effectiveOrder: true },
      ).score;
    // The same file's ["this is a test", "another test"] vs ["ref1", "ref2"] case (0.0038) predates
    // sacrebleu 2's early stop for zero matches (issue #141, test_sentence_bleu.py): it is 0 now.
    expect(raw(["this is a test", "another test"], ["ref1", "ref2"])).toBe(0);
    expect(raw(["this is a test"], ["this is a test"])).toBeCloseTo(1, 10);
    expect(raw(["this is a fest"], ["this is a test"])).toBeCloseTo(0.223606797749979, 10);
    expect(raw(["test"], ["a test"])).toBeCloseTo(0.3678794411714425, 10);
    expect(raw(["a test"], ["a test"])).toBeCloseTo(1, 10);
    expect(raw(["a little test"], ["a test"])).toBeCloseTo(0.03218297948685433, 10);
  });
  it("counts n-gram statistics as sacrebleu does", () => {
    const stats = bleuStats("am I am a character sequence", ["I am a symbol string sequence a a"], { tokenize: "none" });
    expect(stats.correct).toEqual([4, 2, 1, 0]);
    expect(stats.total).toEqual([6, 5, 4, 3]);
  });
  it("scores statistics: 0.8375922397", () => {
    const score = bleuFromStats({ correct: [9, 7, 5, 3], total: [10, 8, 6, 4], hypLength: 11, refLength: 11 }, { smooth: "none" }).score;
    expect(score).toBeCloseTo(0.8375922397, 9);
  });
  it("degenerate statistics score 0", () => {
    expect(
      bleuFromStats({ correct: [0, 0, 0, 0], total: [4, 4, 2, 1], hypLength: 0, refLength: 1 }, { smooth: "floor", smoothValue: 0 }).score,
    ).toBe(0);
    expect(
      bleuFromStats({ correct: [6, 5, 4, 0], total: [6, 5, 4, 3], hypLength: 6, refLength: 6 }, { smooth: "floor", smoothValue: 0 }).score,
    ).toBe(0);
    expect(
      bleuFromStats({ correct: [0, 0, 0, 0], total: [0, 0, 0, 0], hypLength: 1, refLength: 5 }, { smooth: "floor", smoothValue: 0.01 })
        .score,
    ).toBe(0);
  });
});

function sumOf(all: ReturnType<typeof bleuStats>[]) {
  return {
    hypLength: all.reduce((s, x) => s + x.hypLength, 0),
    refLength: all.reduce((s, x) => s + x.refLength, 0),
    correct: [0, 1, 2, 3].map((i) => all.reduce((s, x) => s + x.correct[i]!, 0)),
    total: [0, 1, 2, 3].map((i) => all.reduce((s, x) => s + x.total[i]!, 0)),
  };
}

describe("sentence BLEU (sacrebleu test_sentence_bleu.py, issue #98 example)", () => {
  const REF = "producţia de zahăr brut se exprimă în zahăr alb;";
  const SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";
  const cases: [string, Parameters<typeof sentenceBleu>[2], number][] = [
    ["exp (default)", {}, 8.493],
    ["none", { smooth: "none" }, 0],
    ["floor (0.1)", { smooth: "floor" }, 4.51688],
    ["floor 0.5", { smooth: "floor", smoothValue: 0.5 }, 10.1],
    ["add-k (1)", { smooth: "add-k" }, 14.882],
    ["add-k 2", { smooth: "add-k", smoothValue: 2 }, 21.389],
    ["tokenize none", { tokenize: "none" }, 7.347],
    ["tokenize char", { tokenize: "char" }, 40.8759],
    ["tokenize char, lowercase", { tokenize: "char", lowercase: true }, 42.0267],
  ];
  for (const [label, options, expected] of cases) {
    it(`${label}: ${expected}`, () => {
      expect(Math.abs(sentenceBleu(SYS, [REF], options).score * 100 - expected)).toBeLessThan(1e-3);
    });
  }
  it("no match at all is 0 with every smoothing (issue #141)", () => {
    for (const smooth of ["exp", "none", "floor", "add-k"] as const) {
      expect(sentenceBleu("this is a cat", ["okay thanks"], { smooth }).score).toBe(0);
    }
  });
});

describe("13a tokenizer", () => {
  it("splits punctuation but keeps decimals, thousands and apostrophes as mteval-v13a does", () => {
    expect(tokenize13a("The dog bit the man.")).toBe("The dog bit the man .");
    expect(tokenize13a("It wasn't 3.5, or 1,000-2 (really)!")).toBe("It wasn't 3.5 , or 1,000 - 2 ( really ) !");
    expect(tokenize13a("a &amp; b &lt;c&gt; &quot;d&quot;")).toBe('a & b < c > " d "');
  });
});

// nltk.translate.bleu_score.corpus_bleu, produced by bleu_nltk.py beside the fixture.
const nltk = JSON.parse(readFileSync(new URL("../fixtures/scorers/bleu-nltk.json", import.meta.url), "utf8")) as {
  corpora: { hypotheses: string[]; references: string[][]; bleu: number }[];
};

describe("corpus BLEU against NLTK corpus_bleu (no zero n-gram counts)", () => {
  nltk.corpora.forEach((corpus, i) => {
    it(`corpus ${i}: ${corpus.bleu}`, () => {
      expect(corpusBleu(corpus.hypotheses, corpus.references).score).toBeCloseTo(corpus.bleu, 12);
    });
  });
});

import { describe, expect, it } from "vitest";
import { chrF, corpusChrF } from "../../src/scorers/index.ts";

// Published expectations of sacrebleu's test/test_chrf.py (0..100 scale, EPSILON 1e-4 there).
const close = (actual: number, expected: number) => expect(Math.abs(actual * 100 - expected)).toBeLessThan(1e-4);

describe("chrF (sacrebleu test_chrf.py)", () => {
  it("sentence level with defaults (beta 2) and eps smoothing", () => {
    const cases: [string, string, number][] = [
      [
        "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.",
        "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.",
        39.14078509,
      ],
      [
        "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.",
        "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.",
        31.22557079,
      ],
      [
        "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.",
        "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.",
        57.15704367,
      ],
    ];
    for (const [hyp, ref, expected] of cases) close(chrF(hyp, [ref], { epsSmoothing: true }), expected);
  });

  const beta3 = { charOrder: 6, beta: 3 };
  it("corpus level, beta 3, eps smoothing", () => {
    const cases: [string[], string[], number][] = [
      [["abcdefg"], ["hijklmnop"], 0],
      [["a"], ["b"], 0],
      [[""], ["b"], 0],
      [[""], ["ref"], 0],
      [[""], ["reference"], 0],
      [["aa"], ["ab"], 8.3333],
      [["a", "b"], ["a", "c"], 8.3333],
      [["a"], ["a"], 16.6667],
      [["a b c"], ["a b c"], 50],
      [["a b c"], ["abc"], 50],
      [
        [" risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists ."],
        ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."],
        63.36173,
      ],
      [
        [" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "],
        ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."],
        64.1302698,
      ],
      [["Niemand hat die Absicht, eine Mauer zu errichten"], ["Niemand hat die Absicht, eine Mauer zu errichten"], 100],
    ];
    for (const [hyps, refs, expected] of cases) {
      const score = corpusChrF(
        hyps,
        refs.map((r) => [r]),
        { ...beta3, epsSmoothing: true },
      );
      // The published 4-decimal values (8.3333) are rounded; sacrebleu's own tolerance is 1e-4 on rounded values.
      expect(Math.abs(score * 100 - expected)).toBeLessThan(1e-4 + 5e-5);
    }
  });
  it("corpus level, beta 3, effective order (sacrebleu's default averaging)", () => {
    const cases: [string[], string[], number][] = [
      [["a"], ["a"], 100],
      [[""], ["reference"], 0],
      [["a b c"], ["a b c"], 100],
      [["a b c"], ["abc"], 100],
      [[""], ["c"], 0],
      [["a", "b"], ["a", "c"], 50],
      [["aa"], ["ab"], 25],
    ];
    for (const [hyps, refs, expected] of cases)
      close(
        corpusChrF(
          hyps,
          refs.map((r) => [r]),
          beta3,
        ),
        expected,
      );
  });
  it("keeps whitespace when asked", () => {
    close(
      chrF(
        "Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.",
        ["Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich."],
        {
          ...beta3,
          whitespace: true,
        },
      ),
      67.3481606,
    );
    close(
      chrF(
        "risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .",
        ["risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists ."],
        { ...beta3, whitespace: true },
      ),
      65.2414427,
    );
  });
  it("picks the best of several references", () => {
    const single = chrF("the cat sat", ["the cat sat"]);
    expect(chrF("the cat sat", ["a dog stood", "the cat sat"])).toBe(single);
    expect(single).toBe(1);
  });
});

import { countItems, f1, overlap, splitWhitespace } from "./text.ts";

// string.punctuation of Python, which the official SQuAD v1.1 script strips.
const PUNCTUATION = new Set(Array.from("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"));
// Python's Unicode \b around the articles: letters, digits and underscore are word characters.
const ARTICLES = /(?<![\p{L}\p{N}\p{M}_])(?:a|an|the)(?![\p{L}\p{N}\p{M}_])/gu;

/** The official SQuAD v1.1 `normalize_answer`: lowercase, drop punctuation, drop articles, collapse whitespace. */
export function squadNormalize(text: string): string {
  const lower = text.toLowerCase();
  const noPunctuation = Array.from(lower)
    .filter((ch) => !PUNCTUATION.has(ch))
    .join("");
  return splitWhitespace(noPunctuation.replace(ARTICLES, " ")).join(" ");
}

/** 1 when the normalised prediction equals any normalised gold answer, else 0. */
export function squadExactMatch(prediction: string, golds: readonly string[]): number {
  const normalised = squadNormalize(prediction);
  return golds.some((gold) => squadNormalize(gold) === normalised) ? 1 : 0;
}

/** SQuAD token F1, the maximum over the gold answers. */
export function tokenF1(prediction: string, golds: readonly string[]): number {
  const predicted = splitWhitespace(squadNormalize(prediction));
  let best = 0;
  for (const gold of golds) {
    const truth = splitWhitespace(squadNormalize(gold));
    const same = overlap(countItems(predicted), countItems(truth));
    if (same === 0) continue;
    best = Math.max(best, f1(same / predicted.length, same / truth.length));
  }
  return best;
}

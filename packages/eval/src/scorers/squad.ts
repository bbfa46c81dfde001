import { squadExactMatchScorerSchema, tokenF1ScorerSchema } from "@llmops/core";
import { binary, defineScorer, round } from "./definition.ts";
import { countItems, f1, overlap, requireReferences, splitWhitespace } from "./helpers.ts";

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

const SQUAD_REFERENCE =
  "Rajpurkar et al. (2016), SQuAD v1.1; reference values from the functions of the official evaluate-v1.1.py (fixtures/scorers/squad_official.py).";

export const squadExactMatchScorer = defineScorer({
  schemas: { "squad-exact-match": squadExactMatchScorerSchema },
  docs: {
    definition:
      "SQuAD exact match: passes when the output equals any of the case's `expected` answers after SQuAD's " +
      "normalisation (lowercase, punctuation and the articles a/an/the removed, whitespace collapsed).",
    params: "",
    score: "0/1, SQuAD v1.1 normalisation, any gold answer",
    reference: SQUAD_REFERENCE,
  },
  create(_config, { label }) {
    return {
      defaultThreshold: 1,
      score(output, input) {
        const ok = squadExactMatch(output, requireReferences(input.expected, label)) === 1;
        return binary(ok, ok ? undefined : "no gold answer matches after SQuAD normalisation");
      },
    };
  },
});

export const tokenF1Scorer = defineScorer({
  schemas: { "token-f1": tokenF1ScorerSchema },
  docs: {
    definition:
      "SQuAD token F1: the harmonic mean of precision and recall of the output's tokens against a gold answer's " +
      "(multiset overlap after SQuAD normalisation, whitespace tokens), the best over the case's `expected` answers; " +
      "a case passes at 0.5 unless `threshold` says otherwise.",
    params: "threshold 0.5",
    score: "SQuAD token F1, the maximum over the gold answers",
    reference: SQUAD_REFERENCE,
  },
  create(_config, { label }) {
    return {
      defaultThreshold: 0.5,
      score(output, input) {
        const score = tokenF1(output, requireReferences(input.expected, label));
        return { score, reason: `token F1 ${round(score)}` };
      },
    };
  },
});

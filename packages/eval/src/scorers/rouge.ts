import { rougeScorerSchema, type ScorerConfigOf } from "@llmops/core";
import { defineScorer, round } from "./definition.ts";
import { countItems, f1, requireReferences } from "./helpers.ts";
import { porterStem } from "./porter.ts";

/**
 * ROUGE as Google's `rouge-score` package computes it: lowercase, every run of characters other
 * than a-z0-9 becomes a space, tokens split on whitespace; with `stemmer`, tokens longer than 3
 * characters are Porter-stemmed (NLTK's PorterStemmer, as rouge-score uses).
 */

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}

export interface RougeOptions {
  stemmer?: boolean;
}

export function rougeTokenize(text: string, options: RougeOptions = {}): string[] {
  const tokens = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(/\s+/)
    .filter((token) => token.length > 0);
  return options.stemmer ? tokens.map((token) => (token.length > 3 ? porterStem(token) : token)) : tokens;
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const grams: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) grams.push(tokens.slice(i, i + n).join(" "));
  return countItems(grams);
}

function score(overlapCount: number, predictionCount: number, targetCount: number): RougeScore {
  const precision = overlapCount / Math.max(predictionCount, 1);
  const recall = overlapCount / Math.max(targetCount, 1);
  return { precision, recall, fmeasure: f1(precision, recall) };
}

/** ROUGE-N of a prediction against one target (reference). */
export function rougeN(target: string, prediction: string, n: number, options: RougeOptions = {}): RougeScore {
  const targetGrams = ngrams(rougeTokenize(target, options), n);
  const predictionGrams = ngrams(rougeTokenize(prediction, options), n);
  let common = 0;
  for (const [gram, count] of targetGrams) common += Math.min(count, predictionGrams.get(gram) ?? 0);
  let targetCount = 0;
  for (const count of targetGrams.values()) targetCount += count;
  let predictionCount = 0;
  for (const count of predictionGrams.values()) predictionCount += count;
  return score(common, predictionCount, targetCount);
}

/** Length of the longest common subsequence of two token lists. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** ROUGE-L (sentence-level LCS) of a prediction against one target. */
export function rougeL(target: string, prediction: string, options: RougeOptions = {}): RougeScore {
  const t = rougeTokenize(target, options);
  const p = rougeTokenize(prediction, options);
  if (t.length === 0 || p.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const common = lcsLength(t, p);
  return score(common, p.length, t.length);
}

/** The variants of the `rouge` scorer's config (`@llmops/core`). */
export type RougeVariant = ScorerConfigOf<"rouge">["variant"];

/** The variant's score against the best of several targets (highest F-measure, as `score_multi`). */
export function rougeMulti(targets: readonly string[], prediction: string, variant: RougeVariant, options: RougeOptions = {}): RougeScore {
  let best: RougeScore = { precision: 0, recall: 0, fmeasure: 0 };
  let first = true;
  for (const target of targets) {
    const s =
      variant === "rougeL" ? rougeL(target, prediction, options) : rougeN(target, prediction, variant === "rouge1" ? 1 : 2, options);
    if (first || s.fmeasure > best.fmeasure) best = s;
    first = false;
  }
  return best;
}

export const rougeScorer = defineScorer({
  schemas: { rouge: rougeScorerSchema },
  docs: {
    definition:
      "ROUGE F-measure of the output against the best of the case's `expected` references: `rouge1` and `rouge2` " +
      "count overlapping unigrams and bigrams, `rougeL` the longest common subsequence of tokens. Tokens are " +
      "lowercased runs of a-z and 0-9; with `stemmer: true` tokens longer than 3 characters are Porter-stemmed. A " +
      "case passes at 0.5 unless `threshold` says otherwise.",
    params: "`variant` rouge1/rouge2/rougeL (rougeL), `stemmer` (false: NLTK Porter on tokens longer than 3 characters); threshold 0.5",
    score: "rouge-score F-measure, best over the references",
    reference:
      "Lin (2004); computed as Google's rouge-score package. Tests: its published rouge_scorer_test.py expectations and NLTK's PorterStemmer (fixtures/scorers/porter_nltk.py).",
  },
  create(config, { label }) {
    return {
      defaultThreshold: 0.5,
      score(output, input) {
        const result = rougeMulti(requireReferences(input.expected, label), output, config.variant, { stemmer: config.stemmer });
        return {
          score: result.fmeasure,
          reason: `${config.variant} F ${round(result.fmeasure)} (P ${round(result.precision)}, R ${round(result.recall)})`,
        };
      },
    };
  },
});

import { bleuScorerSchema, type ScorerConfigOf } from "@llmops/core";
import { defineScorer, round } from "./definition.ts";
import { perInput, requireReferences, splitWhitespace } from "./helpers.ts";
import type { ScorerInput } from "./types.ts";

/**
 * BLEU as sacrebleu 2.x computes it (Post, 2018), so scores are comparable with published ones:
 * the 13a tokenizer (mteval-v13a.pl), n-grams up to 4, the closest reference length for the
 * brevity penalty, and the same smoothing methods. sacrebleu reports 0..100; these functions
 * return fractions in [0, 1] (sacrebleu's value / 100).
 */

/** The tokenizers and smoothing methods of the `bleu` scorer's config (`@llmops/core`). */
export type BleuTokenize = ScorerConfigOf<"bleu">["tokenize"];
export type BleuSmooth = ScorerConfigOf<"bleu">["smooth"];

export const MAX_NGRAM_ORDER = 4;
const SMOOTH_DEFAULTS: Record<BleuSmooth, number> = { exp: 0, floor: 0.1, "add-k": 1, none: 0 };

// mteval-v13a's punctuation splitting, as sacrebleu's TokenizerRegexp.
const RULES: [RegExp, string][] = [
  [/([{-~[-` -&(-+:-@/])/g, " $1 "],
  [/([^0-9])([.,])/g, "$1 $2 "],
  [/([.,])([^0-9])/g, " $1 $2"],
  [/([0-9])(-)/g, "$1 $2 "],
];

/** sacrebleu's `13a` tokenizer. */
export function tokenize13a(line: string): string {
  let text = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (text.includes("&")) {
    text = text.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  }
  text = ` ${text} `;
  for (const [pattern, replacement] of RULES) text = text.replace(pattern, replacement);
  return splitWhitespace(text).join(" ");
}

export interface BleuOptions {
  tokenize?: BleuTokenize;
  lowercase?: boolean;
}

/** The tokens BLEU counts for one segment. */
export function bleuTokens(segment: string, options: BleuOptions = {}): string[] {
  let text = options.lowercase ? segment.toLowerCase() : segment;
  text = text.trimEnd();
  switch (options.tokenize ?? "13a") {
    case "13a":
      return splitWhitespace(tokenize13a(text));
    case "char":
      return Array.from(text).filter((ch) => !/\s/u.test(ch));
    case "none":
      return splitWhitespace(text);
  }
}

/** Counts of every n-gram of orders 1..MAX_NGRAM_ORDER, one map per order. */
function allNgramCounts(tokens: readonly string[]): Map<string, number>[] {
  const counts = Array.from({ length: MAX_NGRAM_ORDER }, () => new Map<string, number>());
  for (let i = 0; i < tokens.length; i++) {
    let key = "";
    for (let n = 1; n <= MAX_NGRAM_ORDER && i + n <= tokens.length; n++) {
      // A space cannot occur inside a token, so it is a safe separator.
      key = n === 1 ? tokens[i]! : `${key} ${tokens[i + n - 1]}`;
      const map = counts[n - 1]!;
      map.set(key, (map.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** Sufficient statistics of one segment; corpus BLEU sums them. */
export interface BleuStats {
  hypLength: number;
  refLength: number;
  correct: number[];
  total: number[];
}

/** Statistics of one hypothesis against its references (clipped counts; closest reference length, shorter on ties). */
export function bleuStats(hypothesis: string, references: readonly string[], options: BleuOptions = {}): BleuStats {
  const hyp = bleuTokens(hypothesis, options);
  const refs = references.map((ref) => bleuTokens(ref, options));
  let refLength = 0;
  let bestDiff = Number.POSITIVE_INFINITY;
  for (const ref of refs) {
    const diff = Math.abs(ref.length - hyp.length);
    if (diff < bestDiff || (diff === bestDiff && ref.length < refLength)) {
      bestDiff = diff;
      refLength = ref.length;
    }
  }
  const maxRef = Array.from({ length: MAX_NGRAM_ORDER }, () => new Map<string, number>());
  for (const ref of refs) {
    allNgramCounts(ref).forEach((counts, n) => {
      const max = maxRef[n]!;
      for (const [gram, count] of counts) if (count > (max.get(gram) ?? 0)) max.set(gram, count);
    });
  }
  const correct: number[] = [];
  const total: number[] = [];
  allNgramCounts(hyp).forEach((counts, n) => {
    let matched = 0;
    for (const [gram, count] of counts) matched += Math.min(count, maxRef[n]!.get(gram) ?? 0);
    correct.push(matched);
    total.push(Math.max(0, hyp.length - n));
  });
  return { hypLength: hyp.length, refLength, correct, total };
}

export function sumBleuStats(all: readonly BleuStats[]): BleuStats {
  const sum: BleuStats = { hypLength: 0, refLength: 0, correct: Array(MAX_NGRAM_ORDER).fill(0), total: Array(MAX_NGRAM_ORDER).fill(0) };
  for (const stats of all) {
    sum.hypLength += stats.hypLength;
    sum.refLength += stats.refLength;
    for (let i = 0; i < MAX_NGRAM_ORDER; i++) {
      sum.correct[i]! += stats.correct[i] ?? 0;
      sum.total[i]! += stats.total[i] ?? 0;
    }
  }
  return sum;
}

export interface BleuScoreOptions {
  smooth?: BleuSmooth;
  smoothValue?: number;
  /** Average only over the orders the hypothesis has (sacrebleu's `effective_order`, meant for sentences). */
  effectiveOrder?: boolean;
}

export interface BleuResult {
  /** BLEU as a fraction in [0, 1]. */
  score: number;
  /** n-gram precisions as fractions, after smoothing. */
  precisions: number[];
  brevityPenalty: number;
  hypLength: number;
  refLength: number;
}

/** sacrebleu's `BLEU.compute_bleu`, scaled to [0, 1]. */
export function bleuFromStats(stats: BleuStats, options: BleuScoreOptions = {}): BleuResult {
  const smooth = options.smooth ?? "exp";
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[smooth];
  const { hypLength, refLength } = stats;
  const correct = [...stats.correct];
  const total = [...stats.total];
  const brevityPenalty = hypLength < refLength ? (hypLength > 0 ? Math.exp(1 - refLength / hypLength) : 0) : 1;
  const precisions = Array<number>(MAX_NGRAM_ORDER).fill(0);
  const result = (score: number): BleuResult => ({ score, precisions, brevityPenalty, hypLength, refLength });
  if (!correct.some((c) => c > 0)) return result(0);

  let smoothMteval = 1;
  let effectiveOrder = MAX_NGRAM_ORDER;
  for (let n = 1; n <= MAX_NGRAM_ORDER; n++) {
    if (smooth === "add-k" && n > 1) {
      correct[n - 1]! += smoothValue;
      total[n - 1]! += smoothValue;
    }
    const t = total[n - 1]!;
    if (t === 0) break;
    if (options.effectiveOrder) effectiveOrder = n;
    const c = correct[n - 1]!;
    if (c === 0) {
      if (smooth === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = 1 / (smoothMteval * t);
      } else if (smooth === "floor") {
        precisions[n - 1] = smoothValue / t;
      }
    } else {
      precisions[n - 1] = c / t;
    }
  }
  let logSum = 0;
  for (const p of precisions.slice(0, effectiveOrder)) {
    // sacrebleu's my_log: log(0) is a huge negative number, so the score collapses to 0.
    logSum += p === 0 ? -9999999999 : Math.log(p);
  }
  return result(brevityPenalty * Math.exp(logSum / effectiveOrder));
}

export interface SentenceBleuOptions extends BleuOptions, BleuScoreOptions {}

/** Sentence BLEU as sacrebleu's `sentence_bleu`: exp smoothing and effective order by default. */
export function sentenceBleu(hypothesis: string, references: readonly string[], options: SentenceBleuOptions = {}): BleuResult {
  return bleuFromStats(bleuStats(hypothesis, references, options), { effectiveOrder: true, ...options });
}

/**
 * Corpus BLEU as sacrebleu's `corpus_bleu` with its defaults (exp smoothing, no effective order).
 * `references[i]` holds every reference of hypothesis i.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  options: SentenceBleuOptions = {},
): BleuResult {
  if (hypotheses.length !== references.length) {
    throw new RangeError(`corpusBleu: ${hypotheses.length} hypotheses but ${references.length} reference lists`);
  }
  const stats = hypotheses.map((hyp, i) => bleuStats(hyp, references[i]!, options));
  return bleuFromStats(sumBleuStats(stats), { effectiveOrder: false, ...options });
}

export const bleuScorer = defineScorer({
  schemas: { bleu: bleuScorerSchema },
  docs: {
    definition:
      "BLEU: the geometric mean of the modified (clipped) n-gram precisions for n = 1..4 against the case's " +
      "`expected` references, times a brevity penalty when the output is shorter than the closest reference. Per " +
      "case it is sacrebleu's sentence BLEU (effective order, `smooth` for zero counts); over the suite it is corpus " +
      "BLEU from the summed statistics, which is not the mean of the sentence scores. Both are sacrebleu's 0..100 " +
      "divided by 100; a case passes at 0.5 unless `threshold` says otherwise.",
    params: "`tokenize` 13a/none/char (13a), `lowercase`, `smooth` exp/floor/add-k/none (exp), `smoothValue`; threshold 0.5",
    score: "sacrebleu sentence BLEU (effective order) / 100",
    corpus: "sacrebleu corpus BLEU / 100",
    reference:
      "Papineni et al. (2002); computed as sacrebleu 2.x (Post, 2018). Tests: sacrebleu's published test expectations and NLTK's corpus_bleu (fixtures/scorers/bleu_nltk.py).",
  },
  create(config, { label }) {
    const cache = new WeakMap<ScorerInput, BleuStats>();
    const options = {
      tokenize: config.tokenize,
      lowercase: config.lowercase,
      smooth: config.smooth,
      ...(config.smoothValue !== undefined ? { smoothValue: config.smoothValue } : {}),
    };
    return {
      defaultThreshold: 0.5,
      score(output, input) {
        const score = sentenceBleu(output, requireReferences(input.expected, label), options).score;
        return { score, reason: `sentence BLEU ${round(score)}` };
      },
      corpus(inputs) {
        // Corpus BLEU keeps sacrebleu's corpus defaults (exp smoothing, no effective order).
        const stats = perInput(inputs, cache, (i, refs) =>
          bleuStats(i.output ?? "", refs, { tokenize: config.tokenize, lowercase: config.lowercase }),
        );
        const result = bleuFromStats(sumBleuStats(stats.values), { effectiveOrder: false });
        return {
          value: result.score,
          details: {
            scale: "fraction (sacrebleu score / 100)",
            precisions: result.precisions,
            brevityPenalty: result.brevityPenalty,
            hypLength: result.hypLength,
            refLength: result.refLength,
            ...(stats.skipped > 0 ? { skippedWithoutExpected: stats.skipped } : {}),
          },
        };
      },
    };
  },
});

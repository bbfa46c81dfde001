import { chrfScorerSchema } from "@llmops/core";
import { defineScorer, round } from "./definition.ts";
import { perInput, requireReferences } from "./helpers.ts";
import type { ScorerInput } from "./types.ts";

/**
 * chrF as sacrebleu 2.x computes it (Popović, 2015): character n-grams up to order 6, beta 2,
 * whitespace removed, no word n-grams. sacrebleu reports 0..100; these functions return fractions
 * in [0, 1].
 */

export interface ChrfOptions {
  charOrder?: number;
  beta?: number;
  /** Keep whitespace inside character n-grams (sacrebleu's `whitespace=True`). */
  whitespace?: boolean;
  lowercase?: boolean;
  /** sacrebleu's `eps_smoothing`: average F over all orders with a tiny epsilon for empty ones. */
  epsSmoothing?: boolean;
}

const EPS = 1e-16;

function charNgrams(text: string, order: number, whitespace: boolean): Map<string, number>[] {
  const stripped = whitespace ? text : text.split(/\s+/).join("");
  // Plain string slices when every character is one UTF-16 unit (the common case); code points otherwise.
  const units = /[\uD800-\uDFFF]/.test(stripped) ? Array.from(stripped) : stripped;
  const length = units.length;
  const all: Map<string, number>[] = [];
  for (let n = 1; n <= order; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= length; i++) {
      const gram = typeof units === "string" ? units.slice(i, i + n) : units.slice(i, i + n).join("");
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
    all.push(counts);
  }
  return all;
}

/** Per order: [hypothesis n-grams, reference n-grams, matches], flattened as sacrebleu keeps them. */
export type ChrfStats = number[];

function matchStats(hyp: Map<string, number>[], ref: Map<string, number>[]): ChrfStats {
  const stats: number[] = [];
  hyp.forEach((hypCounts, i) => {
    const refCounts = ref[i]!;
    let hypCount = 0;
    let matches = 0;
    for (const [gram, count] of hypCounts) {
      hypCount += count;
      const r = refCounts.get(gram);
      if (r !== undefined) matches += Math.min(count, r);
    }
    let refCount = 0;
    for (const count of refCounts.values()) refCount += count;
    // As sacrebleu: hypothesis n-grams do not count when the reference has none of that order.
    stats.push(refCounts.size > 0 ? hypCount : 0, refCount, matches);
  });
  return stats;
}

/** sacrebleu's `CHRF._compute_f_score`, as a fraction. */
export function chrfFromStats(stats: ChrfStats, options: ChrfOptions = {}): number {
  const order = stats.length / 3;
  const factor = (options.beta ?? 2) ** 2;
  let score = 0;
  let effectiveOrder = 0;
  let avgPrecision = 0;
  let avgRecall = 0;
  for (let i = 0; i < order; i++) {
    const nHyp = stats[3 * i]!;
    const nRef = stats[3 * i + 1]!;
    const nMatch = stats[3 * i + 2]!;
    const precision = nHyp > 0 ? nMatch / nHyp : EPS;
    const recall = nRef > 0 ? nMatch / nRef : EPS;
    const denominator = factor * precision + recall;
    score += denominator > 0 ? ((1 + factor) * precision * recall) / denominator : EPS;
    if (nHyp > 0 && nRef > 0) {
      avgPrecision += precision;
      avgRecall += recall;
      effectiveOrder++;
    }
  }
  if (options.epsSmoothing) return score / order;
  if (effectiveOrder === 0) return 0;
  avgPrecision /= effectiveOrder;
  avgRecall /= effectiveOrder;
  if (avgPrecision + avgRecall === 0) return 0;
  return ((1 + factor) * avgPrecision * avgRecall) / (factor * avgPrecision + avgRecall);
}

/** Statistics of one hypothesis against its best reference (highest F), as sacrebleu picks it. */
export function chrfStats(hypothesis: string, references: readonly string[], options: ChrfOptions = {}): ChrfStats {
  const order = options.charOrder ?? 6;
  const whitespace = options.whitespace ?? false;
  const prepare = (text: string) => (options.lowercase ? text.toLowerCase() : text);
  const hyp = charNgrams(prepare(hypothesis), order, whitespace);
  let best: ChrfStats = Array(order * 3).fill(0);
  let bestF = -1;
  for (const reference of references) {
    const stats = matchStats(hyp, charNgrams(prepare(reference), order, whitespace));
    const f = chrfFromStats(stats, options);
    if (f > bestF) {
      bestF = f;
      best = stats;
    }
  }
  return best;
}

/** Sentence-level chrF in [0, 1]. */
export function chrF(hypothesis: string, references: readonly string[], options: ChrfOptions = {}): number {
  return chrfFromStats(chrfStats(hypothesis, references, options), options);
}

/** Corpus chrF in [0, 1]: statistics summed over segments, then one F score. */
export function corpusChrF(hypotheses: readonly string[], references: readonly (readonly string[])[], options: ChrfOptions = {}): number {
  if (hypotheses.length !== references.length) {
    throw new RangeError(`corpusChrF: ${hypotheses.length} hypotheses but ${references.length} reference lists`);
  }
  const order = options.charOrder ?? 6;
  const sum: number[] = Array(order * 3).fill(0);
  hypotheses.forEach((hyp, i) => {
    chrfStats(hyp, references[i]!, options).forEach((value, j) => {
      sum[j]! += value;
    });
  });
  return chrfFromStats(sum, options);
}

export const chrfScorer = defineScorer({
  schemas: { chrf: chrfScorerSchema },
  docs: {
    definition:
      "chrF: the character n-gram F-score (n = 1..`charOrder`, recall weighted `beta` times as much as precision) of " +
      "the output against the best of the case's `expected` references, whitespace removed unless `whitespace: " +
      "true`. Over the suite the n-gram statistics are summed before one F-score is taken. Both are sacrebleu's " +
      "0..100 divided by 100; a case passes at 0.5 unless `threshold` says otherwise.",
    params: "`charOrder` 6, `beta` 2, `whitespace` false, `lowercase` false, `epsSmoothing` false; threshold 0.5",
    score: "sacrebleu sentence chrF / 100",
    corpus: "sacrebleu corpus chrF / 100",
    reference: "Popović (2015); computed as sacrebleu 2.x `CHRF`. Tests: sacrebleu's published test_chrf.py expectations.",
  },
  create(config, { label }) {
    const cache = new WeakMap<ScorerInput, ChrfStats>();
    const options = {
      charOrder: config.charOrder,
      beta: config.beta,
      whitespace: config.whitespace,
      lowercase: config.lowercase,
      epsSmoothing: config.epsSmoothing,
    };
    return {
      defaultThreshold: 0.5,
      score(output, input) {
        const score = chrF(output, requireReferences(input.expected, label), options);
        return { score, reason: `chrF ${round(score)}` };
      },
      corpus(inputs) {
        const stats = perInput(inputs, cache, (i, refs) => chrfStats(i.output ?? "", refs, options));
        const sum: number[] = Array(config.charOrder * 3).fill(0);
        for (const one of stats.values) {
          for (let j = 0; j < one.length; j++) sum[j]! += one[j]!;
        }
        return {
          value: chrfFromStats(sum, options),
          details: { scale: "fraction (sacrebleu score / 100)", ...(stats.skipped > 0 ? { skippedWithoutExpected: stats.skipped } : {}) },
        };
      },
    };
  },
});

import { levenshteinScorerSchema } from "@llmops/core";
import { defineScorer, round } from "./definition.ts";
import { requireReferences } from "./helpers.ts";

/** Edit distance (insertions, deletions, substitutions of Unicode code points). */
export function levenshteinDistance(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  // Two rows of the classic dynamic programme.
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  let current = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= s.length; i++) {
    current[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    [previous, current] = [current, previous];
  }
  return previous[t.length]!;
}

/** 1 - distance / max(length): 1 for equal strings (two empty strings included), 0 for nothing in common. */
export function levenshteinSimilarity(a: string, b: string): number {
  const longest = Math.max(Array.from(a).length, Array.from(b).length);
  return longest === 0 ? 1 : 1 - levenshteinDistance(a, b) / longest;
}

export const levenshteinScorer = defineScorer({
  schemas: { levenshtein: levenshteinScorerSchema },
  docs: {
    definition:
      "Normalised edit similarity: 1 − d / max(len), where d is the Levenshtein distance (insertions, deletions and " +
      "substitutions of Unicode code points) between the output and a reference, and len counts code points. The " +
      "score is the best over `value`, or else over the case's `expected` references; a case passes at 0.8 unless " +
      "`threshold` says otherwise.",
    params: "`value?`, `caseSensitive` (true), threshold 0.8",
    score: "1 - d/max(len), best over the references",
    reference: "Levenshtein (1966) edit distance; reference distances from NLTK's `edit_distance` (fixtures/scorers/squad_official.py).",
  },
  create(config, { label }) {
    const fold = (text: string) => (config.caseSensitive ? text : text.toLowerCase());
    return {
      defaultThreshold: 0.8,
      score(output, input) {
        const refs = config.value !== undefined ? [config.value] : requireReferences(input.expected, label);
        const score = Math.max(...refs.map((ref) => levenshteinSimilarity(fold(output), fold(ref))));
        return { score, reason: `similarity ${round(score)}` };
      },
    };
  },
});

import type { CaseResult, TokenUsage } from "@llmops/core";
import type { CorpusStatistic } from "./metrics.ts";

/** What a scorer's `corpus` reads of each case (the ScorerInput of the scorer contract). */
export interface CorpusInput {
  output: string | null;
  expected: unknown;
  vars: Record<string, unknown>;
  latencyMs: number;
  tokens: TokenUsage | null;
  cost: number | null;
}

export interface CorpusScorer {
  name: string;
  corpus?(inputs: CorpusInput[]): { value: number };
}

/**
 * Corpus statistics for compareRuns from the suite's scorers, so corpus metrics (BLEU,
 * classification F1) are recomputed on exactly the matched cases of each side and tested with
 * a paired bootstrap.
 */
export function corpusStatistics(scorers: readonly CorpusScorer[]): Record<string, CorpusStatistic> {
  const statistics: Record<string, CorpusStatistic> = {};
  for (const scorer of scorers) {
    const corpus = scorer.corpus?.bind(scorer);
    if (!corpus) continue;
    statistics[scorer.name] = (cases: CaseResult[]) =>
      corpus(
        cases.map((c) => ({
          output: c.output,
          expected: c.expected,
          vars: c.vars,
          latencyMs: c.latencyMs,
          tokens: c.tokens,
          cost: c.cost,
        })),
      ).value;
  }
  return statistics;
}

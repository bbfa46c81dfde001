import type { CaseResult, RunSummary, SuiteConfig } from "@llmops/core";
import { createScorer } from "../scorers/create.ts";
import { type ScorerInput, scorerInputOf } from "../scorers/types.ts";
import type { CorpusStatistic } from "./metrics.ts";

/** What a scorer's `corpus` reads of each case: the ScorerInput of the scorer contract. */
export type CorpusInput = ScorerInput;

export interface CorpusScorer {
  name: string;
  corpus?(inputs: CorpusInput[]): { value: number };
}

/** A case result as a scorer read it: the ScorerInput fields it recorded. */

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
    statistics[scorer.name] = (cases: CaseResult[]) => corpus(cases.map((c) => scorerInputOf(c))).value;
  }
  return statistics;
}

/**
 * Corpus metrics (BLEU, classification F1) can only be tested when they can be recomputed on the
 * matched cases: that needs the suite's scorers, from the config. A variant `<suite>/<provider>`
 * uses its suite's scorers; `cwd` is where the config's relative paths start.
 */
export function suiteCorpusStatistics(
  summary: RunSummary,
  suites: readonly SuiteConfig[],
  cwd: string,
): Record<string, CorpusStatistic> | undefined {
  const names = new Set(summary.metrics.filter((m) => m.kind === "corpus").map((m) => m.name));
  if (names.size === 0) return undefined;
  const suite = suites.find((s) => summary.suite === s.name || summary.suite.startsWith(`${s.name}/`));
  if (!suite) return undefined;
  return corpusStatistics(
    suite.scorers.filter((scorer) => names.has(scorer.name ?? scorer.type)).map((scorer) => createScorer(scorer, { cwd })),
  );
}

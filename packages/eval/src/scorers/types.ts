import type { Logger, TokenUsage } from "@llmops/core";

/** One validated entry of a suite's `scorers:` (schema: `@llmops/core` config/scorers.ts). */
export type { ScorerConfig } from "@llmops/core";

/** What a scorer sees of one case (one repeat). `output` is null when the provider failed. */
export interface ScorerInput {
  output: string | null;
  expected: unknown;
  vars: Record<string, unknown>;
  latencyMs: number;
  tokens: TokenUsage | null;
  cost: number | null;
}

export interface ScorerContext {
  signal: AbortSignal;
  logger: Logger;
  cwd: string;
  /** Sends a prompt to a provider (the judge's, or the suite's); supplied by the runner for llm-judge. */
  complete?: (prompt: string, providerConfig: unknown) => Promise<string>;
}

export interface CaseScore {
  score: number;
  pass: boolean;
  reason?: string;
}

export interface CorpusValue {
  value: number;
  details?: Record<string, unknown>;
}

export interface Scorer {
  name: string;
  type: string;
  weight: number;
  /** Whether larger is better for this scorer's metric. */
  higherIsBetter: boolean;
  scoreCase(input: ScorerInput, context: ScorerContext): Promise<CaseScore>;
  /** Corpus-level metric (BLEU, classification F1): value over all cases; per-case scores still exist. */
  corpus?(inputs: ScorerInput[]): CorpusValue;
}

import type { CaseResult, EmbeddingsProviderConfig, Logger, TokenUsage, ToolCall, TrajectoryStep } from "@llmops/core";

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
  /** The tool calls of the model's last reply (absent or empty when it made none). */
  toolCalls?: ToolCall[];
  /** Why the model stopped, in OpenAI's words (stop, length, tool_calls, content_filter); null when not reported. */
  finishReason?: string | null;
  /** Agent runs: every tool call answered before the final reply, in order. */
  trajectory?: TrajectoryStep[];
  /** Agent runs: the number of model calls. */
  turns?: number;
  /** Streaming: ms to the first delta. */
  ttftMs?: number | null;
  /** Streaming: output tokens per second. */
  tokensPerSecond?: number | null;
  /** The context the application retrieved, when its provider returns it (RAG scorers prefer it to the case var). */
  retrievedContext?: string | string[];
}

/**
 * What a scorer sees of a result row: the one mapping the runner (scoring as rows are made) and
 * the aggregate and compare (corpus values from written rows) share, so they never see different things.
 */
export function scorerInputOf(
  row: Pick<CaseResult, "output" | "expected" | "vars" | "latencyMs" | "tokens" | "cost"> &
    Partial<Pick<CaseResult, "toolCalls" | "finishReason" | "trajectory" | "turns" | "ttftMs" | "tokensPerSecond" | "retrievedContext">>,
): ScorerInput {
  const input: ScorerInput = {
    output: row.output,
    expected: row.expected,
    vars: row.vars,
    latencyMs: row.latencyMs,
    tokens: row.tokens,
    cost: row.cost,
  };
  if (row.toolCalls !== undefined) input.toolCalls = row.toolCalls;
  if (row.finishReason !== undefined) input.finishReason = row.finishReason;
  if (row.trajectory !== undefined) input.trajectory = row.trajectory;
  if (row.turns !== undefined) input.turns = row.turns;
  if (row.ttftMs !== undefined) input.ttftMs = row.ttftMs;
  if (row.tokensPerSecond !== undefined) input.tokensPerSecond = row.tokensPerSecond;
  if (row.retrievedContext !== undefined) input.retrievedContext = row.retrievedContext;
  return input;
}

/** What `similar` embeds with: one client per embeddings config (providers/embeddings.ts builds them). */
export interface EmbeddingsClient {
  id: string;
  identity: Record<string, unknown>;
  /** One vector per text, in order. */
  embed(texts: string[], signal: AbortSignal): Promise<number[][]>;
}

export interface ScorerContext {
  signal: AbortSignal;
  logger: Logger;
  cwd: string;
  /** Sends a prompt to a provider (the judge's, or the suite's); supplied by the runner for llm-judge. */
  complete?: (prompt: string, providerConfig: unknown) => Promise<string>;
  /**
   * The embeddings client of a validated embeddings config; supplied by the runner for `similar`,
   * which batches and caches through it. The runner should return the same client for equal
   * configs, so texts are embedded once per run across scorers.
   */
  embeddings?: (config: EmbeddingsProviderConfig) => EmbeddingsClient;
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

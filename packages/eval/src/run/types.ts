import type { Logger, TokenUsage } from "@llmops/core";
import type { ScorerInput } from "../scorers/types.ts";

/**
 * The runner's view of providers and scorers: structurally the contracts of
 * `providers/types.ts` and `scorers/types.ts`, restated here so the runner depends only on shape.
 */
export interface RunnerChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface RunnerProviderCall {
  prompt: string;
  messages?: RunnerChatMessage[];
  vars: Record<string, unknown>;
  signal: AbortSignal;
  /** The case's id and repeat index (the replay provider matches recordings by them). */
  caseId?: string;
  repeat?: number;
}

export interface RunnerProviderResponse {
  output: string;
  tokens: TokenUsage | null;
  cost: number | null;
}

export interface RunnerProvider {
  id: string;
  identity: Record<string, unknown>;
  call(request: RunnerProviderCall): Promise<RunnerProviderResponse>;
  prepare?(): Promise<void>;
}

/** The scorer contract's input, shared rather than restated: it is plain data with no behaviour. */
export type RunnerScorerInput = ScorerInput;

export interface RunnerScorerContext {
  signal: AbortSignal;
  logger: Logger;
  cwd: string;
  complete?: (prompt: string, providerConfig: unknown) => Promise<string>;
}

export interface RunnerScorer {
  name: string;
  type: string;
  weight: number;
  higherIsBetter: boolean;
  scoreCase(input: RunnerScorerInput, context: RunnerScorerContext): Promise<{ score: number; pass: boolean; reason?: string }>;
  corpus?(inputs: RunnerScorerInput[]): { value: number; details?: Record<string, unknown> };
}

/** One provider call to make: a case's rendered prompt for one repeat. */
export interface RunTask {
  /** Position of the case in the suite. */
  index: number;
  id: string;
  repeat: number;
  prompt: string;
  messages?: RunnerChatMessage[];
  vars: Record<string, unknown>;
  expected?: unknown;
  tags: Record<string, string>;
}

export interface RunProgress {
  done: number;
  total: number;
  errors: number;
  cached: number;
}

/** Time, injectable so tests can observe waits without measuring wall time. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

import type { ChatMessage, Logger, TokenUsage, ToolCall } from "@llmops/core";
import { ExternalError } from "@llmops/core";

export interface ProviderCall {
  /** The rendered prompt (for chat messages, their `role: content` blocks). */
  prompt: string;
  /** Chat messages, when the prompt is a conversation; providers that speak chat use these over `prompt`. */
  messages?: ChatMessage[];
  vars: Record<string, unknown>;
  signal: AbortSignal;
  /** The case's id and repeat index: the replay provider matches recordings by them. */
  caseId?: string;
  repeat?: number;
  /** Agent runs: which model call of the case this is (1-based); replay matches recordings with a `turn` by it. */
  turn?: number;
}

export interface ProviderResponse {
  /** The reply's text (for structured output, its JSON text). */
  output: string;
  tokens: TokenUsage | null;
  cost: number | null;
  /** Tool calls in the reply, in order; absent or empty when there were none. */
  toolCalls?: ToolCall[];
  /** Normalised to OpenAI's words (see finishReasonSchema in core). */
  finishReason?: string | null;
  /** Streaming only: ms from sending the request to the first content or tool-call delta. */
  ttftMs?: number | null;
  /** What a RAG application retrieved for this answer (see retrievedContext in structured.ts). */
  retrievedContext?: string | string[];
  /** Streaming only: ms from the first delta to the last (what tokens per second divides by). */
  generationMs?: number | null;
}

export interface Provider {
  /** Label used in results (`provider` field). */
  id: string;
  /**
   * What the response cache key hashes: the whole config less its id (see identity.ts) plus
   * digests of files the provider reads (a module's source, a recording). Never a credential.
   */
  identity: Record<string, unknown>;
  call(request: ProviderCall): Promise<ProviderResponse>;
  /**
   * Optional check before the first call (a module's export exists, ...), so a config mistake is
   * reported once, up front, instead of as an error on every case.
   */
  prepare?(): Promise<void>;
}

export interface ProviderContext {
  env: NodeJS.ProcessEnv;
  /** Directory relative paths resolve from (the config file's). */
  cwd: string;
  logger: Logger;
}

/**
 * A failed provider call. `retryable` is true for 408/409/429/5xx, timeouts and connection resets;
 * false for other 4xx and for bodies that are not what the API promises.
 */
export class ProviderError extends ExternalError {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; status?: number; retryAfterMs?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable;
  }
}

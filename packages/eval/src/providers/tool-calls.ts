import type { ToolCall } from "@llmops/core";
import { ProviderError } from "./types.ts";

/** Tool calls one reply may make; a reply with more is rejected rather than stored. */
export const MAX_TOOL_CALLS = 128;
/** Characters of one tool call's arguments (JSON text). */
export const MAX_TOOL_ARGUMENT_CHARS = 1024 * 1024;

/** The arguments as JSON when they parse, else the text itself (a model's malformed call is kept for scorers to judge). */
export function parseToolArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The JSON text to send back for a call's arguments: a raw (non-JSON) string is sent as it was received. */
export function toolArgumentsText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value ?? {});
}

export function tooManyToolCalls(source: string): ProviderError {
  return new ProviderError(`${source} has more than the limit of ${MAX_TOOL_CALLS} tool calls`, { retryable: false });
}

export function checkArgumentSize(length: number, name: string, source: string): void {
  if (length > MAX_TOOL_ARGUMENT_CHARS) {
    throw new ProviderError(
      `${source} has a call of tool "${name.slice(0, 64)}" whose arguments are longer than the limit of ${MAX_TOOL_ARGUMENT_CHARS} characters`,
      { retryable: false },
    );
  }
}

/** Anthropic's stop reasons in OpenAI's words (see finishReasonSchema in core); others are kept. */
export function anthropicFinishReason(stopReason: unknown): string | null {
  if (typeof stopReason !== "string") return null;
  switch (stopReason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return stopReason;
  }
}

/** OpenAI's finish reason; the legacy `function_call` is a tool call too. */
export function openaiFinishReason(reason: unknown): string | null {
  if (typeof reason !== "string") return null;
  return reason === "function_call" ? "tool_calls" : reason;
}

/** A reply parsed from either API, streamed or not. */
export interface ParsedReply {
  output: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: { prompt: unknown; completion: unknown; total?: unknown };
}

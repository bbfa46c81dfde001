import type { ToolCall } from "@llmops/core";
import { ProviderError } from "./types.ts";

/** Tool calls one reply may make; a reply with more is rejected rather than stored. */
export const MAX_TOOL_CALLS = 128;
/** Characters of one tool call's arguments (JSON text). */
export const MAX_TOOL_ARGUMENT_CHARS = 1024 * 1024;

/**
 * How deeply JSON arguments may nest (arrays and objects) to be kept as parsed JSON. Deeper
 * arguments are kept as their text: a parsed value nested hundreds of thousands deep parses but
 * cannot be serialised again (the stack runs out), which would lose the whole run's results. The
 * scorers compare JSON to the same depth.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in a JSON text, counted by scanning it (no
 * recursion, so any depth can be measured); stops counting once past `limit`.
 */
export function jsonTextDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/**
 * The arguments as JSON when they parse and nest at most MAX_JSON_DEPTH deep, else the text
 * itself (a model's malformed call is kept for scorers to judge).
 */
export function parseToolArguments(text: string): unknown {
  if (jsonTextDepth(text) > MAX_JSON_DEPTH) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Arguments that arrived as a value (a module's or recording's tool call, an Anthropic tool_use
 * input): bounded like a model's JSON text, and kept as that text when they nest deeper than
 * MAX_JSON_DEPTH. A value JSON cannot write (a cycle, too deep for the stack) is a ProviderError.
 */
export function valueArguments(value: unknown, name: string, source: string, what: string): unknown {
  let text: string;
  try {
    text = JSON.stringify(value) ?? "null";
  } catch {
    throw new ProviderError(`expected ${what} from ${source} to be JSON`, { retryable: false });
  }
  checkArgumentSize(text.length, name, source);
  return jsonTextDepth(text) > MAX_JSON_DEPTH ? text : value;
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

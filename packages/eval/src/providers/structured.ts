import type { ToolCall } from "@llmops/core";
import { tokenUsage } from "./fetch.ts";
import { checkArgumentSize, MAX_TOOL_CALLS, parseToolArguments, tooManyToolCalls, valueArguments } from "./tool-calls.ts";
import { ProviderError, type ProviderResponse } from "./types.ts";

/**
 * `{output, tokens?, cost?, toolCalls?, finishReason?, ttftMs?, generationMs?}` as returned by a
 * command or module, or recorded for replay: output must be a string; tokens are
 * `{prompt, completion, total?}` (or OpenAI's `prompt_tokens`/`completion_tokens`); tool calls
 * are `{id?, name, arguments}` (arguments as JSON text are parsed, as a model's would be).
 */
export function structuredResponse(value: Record<string, unknown>, source: string): ProviderResponse {
  if (typeof value.output !== "string")
    throw new ProviderError(`expected ${source} to give output as a string, got ${typeof value.output}`, { retryable: false });
  const t = value.tokens as Record<string, unknown> | null | undefined;
  const tokens =
    t && typeof t === "object"
      ? tokenUsage(t.prompt ?? t.prompt_tokens, t.completion ?? t.completion_tokens, t.total ?? t.total_tokens)
      : null;
  const cost = typeof value.cost === "number" && Number.isFinite(value.cost) && value.cost >= 0 ? value.cost : null;
  const response: ProviderResponse = { output: value.output, tokens, cost };
  const toolCalls = structuredToolCalls(value.toolCalls, source);
  if (toolCalls.length > 0) response.toolCalls = toolCalls;
  if (typeof value.finishReason === "string" && value.finishReason !== "") response.finishReason = value.finishReason;
  else if (value.finishReason === null) response.finishReason = null;
  const ms = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n >= 0;
  if (ms(value.ttftMs)) response.ttftMs = value.ttftMs as number;
  if (ms(value.generationMs)) response.generationMs = value.generationMs as number;
  if (value.retrievedContext !== undefined && value.retrievedContext !== null)
    response.retrievedContext = retrievedContext(value.retrievedContext, source);
  return response;
}

/** A passage count and size no RAG prompt needs, so a runaway app cannot flood the judges. */
export const MAX_CONTEXT_PASSAGES = 1000;
export const MAX_CONTEXT_CHARS = 1 << 20;

/** `retrievedContext` as a provider reported it: one string or a list of strings, bounded. */
export function retrievedContext(value: unknown, source: string): string | string[] {
  const passages = typeof value === "string" ? [value] : Array.isArray(value) ? value : undefined;
  if (!passages?.every((p): p is string => typeof p === "string"))
    throw new ProviderError(`expected ${source} to give retrievedContext as a string or a list of strings`, { retryable: false });
  const chars = passages.reduce((sum, p) => sum + p.length, 0);
  if (passages.length > MAX_CONTEXT_PASSAGES || chars > MAX_CONTEXT_CHARS)
    throw new ProviderError(
      `expected ${source} to give retrievedContext of at most ${MAX_CONTEXT_PASSAGES} passages and ${MAX_CONTEXT_CHARS} characters, got ${passages.length} and ${chars}`,
      { retryable: false },
    );
  return value as string | string[];
}

function structuredToolCalls(value: unknown, source: string): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ProviderError(`expected ${source} to give toolCalls as an array`, { retryable: false });
  if (value.length > MAX_TOOL_CALLS) throw tooManyToolCalls(source);
  return value.map((raw: unknown, i) => {
    const call = raw as { id?: unknown; name?: unknown; arguments?: unknown } | null;
    if (call === null || typeof call !== "object" || typeof call.name !== "string" || call.name === "")
      throw new ProviderError(`expected toolCalls[${i}] from ${source} to be {id?, name, arguments}`, { retryable: false });
    let args: unknown;
    if (typeof call.arguments === "string") {
      checkArgumentSize(call.arguments.length, call.name, source);
      args = parseToolArguments(call.arguments);
    } else {
      args = valueArguments(call.arguments ?? {}, call.name, source, `toolCalls[${i}].arguments`);
    }
    return { id: typeof call.id === "string" && call.id !== "" ? call.id : `call_${i}`, name: call.name, arguments: args };
  });
}

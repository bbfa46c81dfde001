import type { TokenUsage } from "@llmops/core";
import { tokenUsage } from "./fetch.ts";
import { ProviderError } from "./types.ts";

/**
 * `{output, tokens?, cost?}` as returned by a command or module: output must be a string; tokens
 * are `{prompt, completion, total?}` (or OpenAI's `prompt_tokens`/`completion_tokens`).
 */
export function structuredResponse(
  value: Record<string, unknown>,
  source: string,
): { output: string; tokens: TokenUsage | null; cost: number | null } {
  if (typeof value.output !== "string")
    throw new ProviderError(`expected ${source} to give output as a string, got ${typeof value.output}`, { retryable: false });
  const t = value.tokens as Record<string, unknown> | null | undefined;
  const tokens =
    t && typeof t === "object"
      ? tokenUsage(t.prompt ?? t.prompt_tokens, t.completion ?? t.completion_tokens, t.total ?? t.total_tokens)
      : null;
  const cost = typeof value.cost === "number" && Number.isFinite(value.cost) && value.cost >= 0 ? value.cost : null;
  return { output: value.output, tokens, cost };
}

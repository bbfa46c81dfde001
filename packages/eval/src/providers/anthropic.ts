import type { AnthropicProviderConfig } from "@llmops/core";
import { costOf, jsonHeaders, parseJsonBody, readKey, redact, request, snippet, tokenUsage } from "./fetch.ts";
import { configIdentity } from "./identity.ts";
import { type Provider, type ProviderCall, type ProviderContext, ProviderError } from "./types.ts";

/** Anthropic Messages API: system messages go in `system`, the rest alternate user/assistant. */
export function createAnthropicProvider(config: AnthropicProviderConfig & { id: string }, context: ProviderContext): Provider {
  const base = config.baseUrl.replace(/\/+$/, "");
  const url = `${base}/v1/messages`;
  readKey(context.env, config.apiKeyEnv, config.id);

  return {
    id: config.id,
    identity: configIdentity(config),
    async call(call: ProviderCall) {
      const key = readKey(context.env, config.apiKeyEnv, config.id);
      const all = call.messages ?? [{ role: "user" as const, content: call.prompt }];
      const system = all.filter((m) => m.role === "system").map((m) => m.content);
      const messages = all.filter((m) => m.role !== "system").map((m) => ({ role: m.role, content: m.content }));
      const body = {
        ...config.params,
        model: config.model,
        max_tokens: config.max_tokens,
        messages,
        ...(system.length > 0 ? { system: system.join("\n\n") } : {}),
      };
      const headers = { ...jsonHeaders(config.headers), "x-api-key": key, "anthropic-version": config.anthropicVersion };
      const response = await request(url, { method: "POST", headers, body: JSON.stringify(body), signal: call.signal }, [key]);
      const json = parseJsonBody(response, "an Anthropic message", url, [key]) as {
        content?: { type?: unknown; text?: unknown }[];
        usage?: { input_tokens?: unknown; output_tokens?: unknown };
      };
      if (!Array.isArray(json?.content) || !json.content.every((block) => block && typeof block === "object")) {
        throw new ProviderError(redact(`expected a content array in the Anthropic message, got: ${snippet(response.text)}`, [key]), {
          status: response.status,
          retryable: false,
        });
      }
      const output = json.content
        .filter((block) => block.type === "text" && typeof block.text === "string")
        .map((block) => block.text as string)
        .join("");
      const tokens = tokenUsage(json.usage?.input_tokens, json.usage?.output_tokens);
      return { output, tokens, cost: costOf(tokens, config.pricing) };
    },
  };
}

import { DEFAULT_OPENAI_BASE_URL, type OpenAIProviderConfig } from "@llmops/core";
import { costOf, jsonHeaders, parseJsonBody, readKey, redact, request, snippet, tokenUsage } from "./fetch.ts";
import { configIdentity } from "./identity.ts";
import { type Provider, type ProviderCall, type ProviderContext, ProviderError } from "./types.ts";

/**
 * OpenAI-compatible chat completions: OpenAI, Azure OpenAI (deployment URL form and `api-key`
 * header when `apiVersion` is set), and the servers that speak the same API (vLLM, Ollama, TGI,
 * llama.cpp).
 */
export function createOpenAIProvider(config: OpenAIProviderConfig & { id: string }, context: ProviderContext): Provider {
  const azure = config.apiVersion !== undefined;
  const base = config.baseUrl.replace(/\/+$/, "");
  const url = azure
    ? `${base}/openai/deployments/${encodeURIComponent(config.deployment ?? config.model)}/chat/completions?api-version=${encodeURIComponent(config.apiVersion!)}`
    : `${base}/chat/completions`;
  // A local server usually needs no key; the real API and an explicitly named variable do.
  const keyEnv = config.apiKeyEnv === null ? undefined : (config.apiKeyEnv ?? "OPENAI_API_KEY");
  const keyRequired = config.apiKeyEnv != null || azure || base === DEFAULT_OPENAI_BASE_URL;
  if (keyEnv && keyRequired) readKey(context.env, keyEnv, config.id);

  return {
    id: config.id,
    identity: configIdentity(config),
    async call(call: ProviderCall) {
      const key = keyEnv ? (keyRequired ? readKey(context.env, keyEnv, config.id) : context.env[keyEnv] || undefined) : undefined;
      const auth: Record<string, string> = key ? (azure ? { "api-key": key } : { authorization: `Bearer ${key}` }) : {};
      const messages = call.messages ?? [{ role: "user" as const, content: call.prompt }];
      const body = { ...config.params, model: config.model, messages, stream: false };
      const response = await request(
        url,
        { method: "POST", headers: { ...jsonHeaders(config.headers), ...auth }, body: JSON.stringify(body), signal: call.signal },
        [key],
      );
      const json = parseJsonBody(response, "a chat completion", url, [key]) as {
        choices?: { message?: { content?: unknown } }[];
        usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
      };
      const content = json?.choices?.[0]?.message?.content;
      if (typeof content !== "string") {
        throw new ProviderError(
          redact(`expected choices[0].message.content to be a string in the chat completion, got: ${snippet(response.text)}`, [key]),
          {
            status: response.status,
            retryable: false,
          },
        );
      }
      const tokens = tokenUsage(json.usage?.prompt_tokens, json.usage?.completion_tokens, json.usage?.total_tokens);
      return { output: content, tokens, cost: costOf(tokens, config.pricing) };
    },
  };
}

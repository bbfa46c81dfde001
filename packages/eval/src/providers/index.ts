import { defaultProviderId, type ProviderConfig } from "@llmops/core";
import { createAnthropicProvider } from "./anthropic.ts";
import { createCommandProvider } from "./command.ts";
import { createHttpProvider } from "./http.ts";
import { createModuleProvider } from "./module.ts";
import { createOpenAIProvider } from "./openai.ts";
import { createReplayProvider } from "./replay.ts";
import type { Provider, ProviderContext } from "./types.ts";

export { credentialValues, isRetryableStatus, parseRetryAfter, redact } from "./fetch.ts";
export * from "./types.ts";

/**
 * A provider for one config entry. Throws InputError for what can be known before any call: a
 * missing API key variable (named, never its value), a missing module or recording file.
 */
export function createProvider(config: ProviderConfig, context: ProviderContext): Provider {
  const withId = { ...config, id: config.id ?? defaultProviderId(config) };
  switch (withId.type) {
    case "openai":
      return createOpenAIProvider(withId, context);
    case "anthropic":
      return createAnthropicProvider(withId, context);
    case "http":
      return createHttpProvider(withId, context);
    case "command":
      return createCommandProvider(withId, context);
    case "module":
      return createModuleProvider(withId, context);
    case "replay":
      return createReplayProvider(withId, context);
  }
}
export { createEmbeddingsClient, EMBEDDINGS_BATCH_SIZE } from "./embeddings.ts";
export { anthropicFinishReason, MAX_TOOL_ARGUMENT_CHARS, MAX_TOOL_CALLS, parseToolArguments, toolArgumentsText } from "./tool-calls.ts";
export { secretEnvNamesOf, validateProviderVariables } from "./variables.ts";

import { type ChatMessage, DEFAULT_OPENAI_BASE_URL, type OpenAIProviderConfig, type ToolCall } from "@llmops/core";
import { requestEventStream } from "./event-stream.ts";
import { costOf, jsonHeaders, parseJsonBody, readKey, redact, request, snippet, tokenUsage } from "./fetch.ts";
import { configIdentity } from "./identity.ts";
import { DeltaClock, OpenAIStreamAccumulator } from "./openai-stream.ts";
import {
  checkArgumentSize,
  MAX_TOOL_CALLS,
  openaiFinishReason,
  type ParsedReply,
  parseToolArguments,
  toolArgumentsText,
  tooManyToolCalls,
} from "./tool-calls.ts";
import { type Provider, type ProviderCall, type ProviderContext, ProviderError, type ProviderResponse } from "./types.ts";

/**
 * OpenAI-compatible chat completions: OpenAI, Azure OpenAI (deployment URL form and `api-key`
 * header when `apiVersion` is set), and the servers that speak the same API (vLLM, Ollama, TGI,
 * llama.cpp). Tools, tool choice and `response_format` (JSON Schema) come from the config;
 * `stream: true` reads server-sent events and times the first and last delta.
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
  const stream = config.stream === true;

  return {
    id: config.id,
    identity: configIdentity(config),
    async call(call: ProviderCall): Promise<ProviderResponse> {
      const key = keyEnv ? (keyRequired ? readKey(context.env, keyEnv, config.id) : context.env[keyEnv] || undefined) : undefined;
      const auth: Record<string, string> = key ? (azure ? { "api-key": key } : { authorization: `Bearer ${key}` }) : {};
      const messages = call.messages ?? [{ role: "user" as const, content: call.prompt }];
      const body = openaiRequestBody(config, messages);
      const headers = { ...jsonHeaders(config.headers, stream ? "text/event-stream" : "application/json"), ...auth };
      const init = { method: "POST", headers, body: JSON.stringify(body), signal: call.signal };
      let reply: ParsedReply & { ttftMs?: number | null; generationMs?: number | null };
      if (stream) {
        const clock = new DeltaClock(performance.now());
        const accumulator = new OpenAIStreamAccumulator(clock, "the chat completion stream", [key]);
        const { response, streamed } = await requestEventStream(url, init, [key], accumulator.onEvent);
        reply = streamed
          ? accumulator.result()
          : { ...parseOpenAIChatCompletion(parseJsonBody(response, "a chat completion", url, [key]), response.text, [key]), ttftMs: null };
      } else {
        const response = await request(url, init, [key]);
        try {
          reply = parseOpenAIChatCompletion(parseJsonBody(response, "a chat completion", url, [key]), response.text, [key]);
        } catch (error) {
          if (error instanceof ProviderError && error.status === undefined)
            throw new ProviderError(error.message, { status: response.status, retryable: error.retryable });
          throw error;
        }
      }
      const tokens = tokenUsage(reply.usage.prompt, reply.usage.completion, reply.usage.total);
      return {
        output: reply.output,
        tokens,
        cost: costOf(tokens, config.pricing),
        ...(reply.toolCalls.length > 0 ? { toolCalls: reply.toolCalls } : {}),
        ...(reply.finishReason !== null ? { finishReason: reply.finishReason } : {}),
        ...(reply.ttftMs !== undefined ? { ttftMs: reply.ttftMs, generationMs: reply.generationMs ?? null } : {}),
      };
    },
  };
}

/** The request body: the config's params, then what the config and the call decide (which win). */
export function openaiRequestBody(config: OpenAIProviderConfig, messages: readonly ChatMessage[]): Record<string, unknown> {
  const stream = config.stream === true;
  const { toolChoice, responseFormat } = config;
  return {
    ...config.params,
    model: config.model,
    messages: messages.map(openaiMessage),
    ...(config.tools && config.tools.length > 0
      ? {
          tools: config.tools.map((tool) => ({
            type: "function",
            function: {
              name: tool.name,
              ...(tool.description !== undefined ? { description: tool.description } : {}),
              parameters: tool.parameters,
            },
          })),
        }
      : {}),
    ...(toolChoice !== undefined
      ? { tool_choice: typeof toolChoice === "string" ? toolChoice : { type: "function", function: { name: toolChoice.name } } }
      : {}),
    ...(responseFormat
      ? {
          response_format: {
            type: "json_schema",
            json_schema: { name: responseFormat.name, schema: responseFormat.schema, strict: responseFormat.strict },
          },
        }
      : {}),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  };
}

/** One conversation turn in the API's form: an assistant turn's tool calls, a tool turn's call id. */
function openaiMessage(message: ChatMessage): Record<string, unknown> {
  if (message.role === "tool") return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  if (message.role === "assistant" && message.toolCalls && message.toolCalls.length > 0) {
    return {
      role: "assistant",
      // Content is optional beside tool calls; null rather than "" is what the API itself returns.
      content: message.content === "" ? null : message.content,
      tool_calls: message.toolCalls.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: toolArgumentsText(call.arguments) },
      })),
    };
  }
  return { role: message.role, content: message.content };
}

/**
 * A (non-streamed) chat completion: choice 0's content (null beside tool calls, then ""; a
 * refusal's text when there is no content), its tool calls with parsed arguments, the finish
 * reason and usage.
 */
export function parseOpenAIChatCompletion(json: unknown, text: string, secrets: readonly (string | undefined)[]): ParsedReply {
  const source = "the chat completion";
  const completion = json as {
    choices?: { message?: { content?: unknown; refusal?: unknown; tool_calls?: unknown }; finish_reason?: unknown }[];
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
  } | null;
  const choice = Array.isArray(completion?.choices) ? completion.choices[0] : undefined;
  const message = choice?.message;
  const content = message?.content;
  if (!message || typeof message !== "object" || (typeof content !== "string" && content !== null && content !== undefined)) {
    throw new ProviderError(
      redact(`expected choices[0].message.content to be a string or null in ${source}, got: ${snippet(text)}`, secrets),
      { retryable: false },
    );
  }
  const toolCalls = parseOpenAIToolCalls(message.tool_calls, source);
  const refusal = typeof message.refusal === "string" ? message.refusal : "";
  return {
    output: typeof content === "string" && content !== "" ? content : refusal,
    toolCalls,
    finishReason: openaiFinishReason(choice?.finish_reason),
    usage: {
      prompt: completion?.usage?.prompt_tokens,
      completion: completion?.usage?.completion_tokens,
      total: completion?.usage?.total_tokens,
    },
  };
}

function parseOpenAIToolCalls(value: unknown, source: string): ToolCall[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ProviderError(`expected tool_calls to be an array in ${source}`, { retryable: false });
  if (value.length > MAX_TOOL_CALLS) throw tooManyToolCalls(source);
  return value.map((raw: unknown, i) => {
    const call = raw as { id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
    const name = call?.function?.name;
    const args = call?.function?.arguments;
    if (typeof name !== "string" || name === "" || (typeof args !== "string" && args !== undefined))
      throw new ProviderError(`expected tool_calls[${i}] to have a function name and arguments as a string in ${source}`, {
        retryable: false,
      });
    const text = args ?? "";
    checkArgumentSize(text.length, name, source);
    return { id: typeof call?.id === "string" && call.id !== "" ? call.id : `call_${i}`, name, arguments: parseToolArguments(text) };
  });
}

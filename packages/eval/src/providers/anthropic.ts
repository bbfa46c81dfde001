import { type AnthropicProviderConfig, type ChatMessage, InputError, type ToolCall } from "@llmops/core";
import { AnthropicStreamAccumulator } from "./anthropic-stream.ts";
import { requestEventStream } from "./event-stream.ts";
import { costOf, jsonHeaders, parseJsonBody, readKey, redact, request, snippet, tokenUsage } from "./fetch.ts";
import { configIdentity } from "./identity.ts";
import { DeltaClock } from "./openai-stream.ts";
import {
  anthropicFinishReason,
  MAX_TOOL_CALLS,
  type ParsedReply,
  parseToolArguments,
  tooManyToolCalls,
  valueArguments,
} from "./tool-calls.ts";
import { type Provider, type ProviderCall, type ProviderContext, ProviderError, type ProviderResponse } from "./types.ts";

/**
 * Anthropic Messages API: system messages go in `system`, the rest alternate user/assistant (an
 * assistant's tool calls become `tool_use` blocks, tool turns `tool_result` blocks of a user
 * turn). Structured output is a forced tool named `responseFormat.name`: its input is the reply.
 */
export function createAnthropicProvider(config: AnthropicProviderConfig & { id: string }, context: ProviderContext): Provider {
  const base = config.baseUrl.replace(/\/+$/, "");
  const url = `${base}/v1/messages`;
  readKey(context.env, config.apiKeyEnv, config.id);
  const stream = config.stream === true;
  const format = config.responseFormat;
  if (format && config.tools?.some((tool) => tool.name === format.name))
    throw new InputError(`provider ${config.id}: responseFormat.name "${format.name}" is also a tool's name; rename one`);

  return {
    id: config.id,
    identity: configIdentity(config),
    async call(call: ProviderCall): Promise<ProviderResponse> {
      const key = readKey(context.env, config.apiKeyEnv, config.id);
      const all = call.messages ?? [{ role: "user" as const, content: call.prompt }];
      const body = anthropicRequestBody(config, all);
      const headers = {
        ...jsonHeaders(config.headers, stream ? "text/event-stream" : "application/json"),
        "x-api-key": key,
        "anthropic-version": config.anthropicVersion,
      };
      const init = { method: "POST", headers, body: JSON.stringify(body), signal: call.signal };
      let reply: ParsedReply & { ttftMs?: number | null; generationMs?: number | null };
      if (stream) {
        const accumulator = new AnthropicStreamAccumulator(new DeltaClock(performance.now()), "the Anthropic message stream", [key]);
        const { response, streamed } = await requestEventStream(url, init, [key], accumulator.onEvent);
        reply = streamed
          ? accumulator.result()
          : { ...parseAnthropicMessage(parseJsonBody(response, "an Anthropic message", url, [key]), response.text, [key]), ttftMs: null };
      } else {
        const response = await request(url, init, [key]);
        try {
          reply = parseAnthropicMessage(parseJsonBody(response, "an Anthropic message", url, [key]), response.text, [key]);
        } catch (error) {
          if (error instanceof ProviderError && error.status === undefined)
            throw new ProviderError(error.message, { status: response.status, retryable: error.retryable });
          throw error;
        }
      }
      const structured = structuredReply(reply, format?.name);
      if (structured.toolCalls.length > MAX_TOOL_CALLS) throw tooManyToolCalls("the Anthropic message");
      const tokens = tokenUsage(reply.usage.prompt, reply.usage.completion);
      return {
        output: structured.output,
        tokens,
        cost: costOf(tokens, config.pricing),
        ...(structured.toolCalls.length > 0 ? { toolCalls: structured.toolCalls } : {}),
        ...(structured.finishReason !== null ? { finishReason: structured.finishReason } : {}),
        ...(reply.ttftMs !== undefined ? { ttftMs: reply.ttftMs, generationMs: reply.generationMs ?? null } : {}),
      };
    },
  };
}

/**
 * With structured output, the forced tool's input is the reply's text (as JSON) and not a tool
 * call; the model then stopped to answer, so `tool_calls` becomes `stop` unless it also called
 * a real tool.
 */
function structuredReply(reply: ParsedReply, responseTool: string | undefined): ParsedReply {
  if (responseTool === undefined) return reply;
  const answer = reply.toolCalls.find((call) => call.name === responseTool);
  if (!answer) return reply;
  const toolCalls = reply.toolCalls.filter((call) => call !== answer);
  return {
    ...reply,
    output: typeof answer.arguments === "string" ? answer.arguments : JSON.stringify(answer.arguments),
    toolCalls,
    finishReason: reply.finishReason === "tool_calls" && toolCalls.length === 0 ? "stop" : reply.finishReason,
  };
}

/** The request body: the config's params, then what the config and the call decide (which win). */
export function anthropicRequestBody(config: AnthropicProviderConfig, all: readonly ChatMessage[]): Record<string, unknown> {
  const system = all.filter((m) => m.role === "system").map((m) => m.content);
  const tools: Record<string, unknown>[] = (config.tools ?? []).map((tool) => ({
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    input_schema: tool.parameters,
  }));
  const format = config.responseFormat;
  if (format) {
    tools.push({ name: format.name, description: "Respond with the final answer as this tool's input.", input_schema: format.schema });
  }
  // Structured output forces the answer tool, or any tool when the model may call others first.
  const choice = config.toolChoice ?? (format ? (tools.length > 1 ? "required" : { name: format.name }) : undefined);
  return {
    ...config.params,
    model: config.model,
    max_tokens: config.max_tokens,
    messages: anthropicMessages(all),
    ...(system.length > 0 ? { system: system.join("\n\n") } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(choice !== undefined ? { tool_choice: anthropicToolChoice(choice) } : {}),
    ...(config.stream === true ? { stream: true } : {}),
  };
}

function anthropicToolChoice(choice: NonNullable<AnthropicProviderConfig["toolChoice"]>): Record<string, unknown> {
  if (typeof choice !== "string") return { type: "tool", name: choice.name };
  return { type: choice === "required" ? "any" : choice };
}

type Block = Record<string, unknown>;
interface Turn {
  role: "user" | "assistant";
  content: string | Block[];
}

/**
 * The conversation less system messages, with consecutive turns of one role merged into one
 * (tool results of one assistant turn answer it together, in one user turn, before any text).
 */
function anthropicMessages(all: readonly ChatMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const message of all) {
    if (message.role === "system") continue;
    let turn: Turn;
    if (message.role === "tool") {
      turn = { role: "user", content: [{ type: "tool_result", tool_use_id: message.toolCallId, content: message.content }] };
    } else if (message.role === "assistant" && message.toolCalls && message.toolCalls.length > 0) {
      turn = {
        role: "assistant",
        content: [
          ...(message.content !== "" ? [{ type: "text", text: message.content }] : []),
          ...message.toolCalls.map((call) => ({ type: "tool_use", id: call.id, name: call.name, input: toolInput(call) })),
        ],
      };
    } else turn = { role: message.role, content: message.content };
    const last = turns.at(-1);
    if (last && last.role === turn.role) last.content = [...blocks(last.content), ...blocks(turn.content)];
    else turns.push(turn);
  }
  return turns;
}

function blocks(content: string | Block[]): Block[] {
  return typeof content === "string" ? (content === "" ? [] : [{ type: "text", text: content }]) : content;
}

/** A tool_use block's input must be an object: arguments that were not one cannot be sent back. */
function toolInput(call: ToolCall): Record<string, unknown> {
  const value = typeof call.arguments === "string" ? parseToolArguments(call.arguments) : call.arguments;
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ProviderError(`the arguments of tool call ${call.id} (${call.name}) are not a JSON object, which Anthropic requires`, {
      retryable: false,
    });
  return value as Record<string, unknown>;
}

/** A (non-streamed) message: text blocks joined, tool_use blocks as tool calls, the stop reason and usage. */
export function parseAnthropicMessage(json: unknown, text: string, secrets: readonly (string | undefined)[]): ParsedReply {
  const message = json as {
    content?: { type?: unknown; text?: unknown; id?: unknown; name?: unknown; input?: unknown }[];
    stop_reason?: unknown;
    usage?: { input_tokens?: unknown; output_tokens?: unknown };
  } | null;
  if (!Array.isArray(message?.content) || !message.content.every((block) => block && typeof block === "object")) {
    throw new ProviderError(redact(`expected a content array in the Anthropic message, got: ${snippet(text)}`, secrets), {
      retryable: false,
    });
  }
  const output = message.content
    .filter((block) => block.type === "text" && typeof block.text === "string")
    .map((block) => block.text as string)
    .join("");
  const uses = message.content.filter((block) => block.type === "tool_use");
  // One more than the limit: the forced tool of structured output is not reported as a call.
  if (uses.length > MAX_TOOL_CALLS + 1) throw tooManyToolCalls("the Anthropic message");
  const toolCalls = uses.map((block, i) => {
    if (typeof block.name !== "string" || block.name === "")
      throw new ProviderError(`expected a name on tool_use block ${i} of the Anthropic message`, { retryable: false });
    const input = valueArguments(
      block.input === undefined ? {} : block.input,
      block.name,
      "the Anthropic message",
      `the input of tool_use block ${i}`,
    );
    return { id: typeof block.id === "string" && block.id !== "" ? block.id : `toolu_${i}`, name: block.name, arguments: input };
  });
  return {
    output,
    toolCalls,
    finishReason: anthropicFinishReason(message.stop_reason),
    usage: { prompt: message.usage?.input_tokens, completion: message.usage?.output_tokens },
  };
}

import type { ChatMessage, TokenUsage, ToolCall } from "@llmops/core";
import type { Provider, ProviderCall, ProviderResponse } from "../../src/providers/types.ts";

/** The conversation a provider was sent: its messages, or the prompt as one user turn. */
export function conversationOf(request: ProviderCall): ChatMessage[] {
  return request.messages ?? [{ role: "user", content: request.prompt }];
}

export type Reply = Partial<ProviderResponse> & { output?: string };

/**
 * A provider whose replies a test scripts from the conversation so far (`reply` sees what the
 * model would: every message), with usage and cost per call unless the reply says otherwise.
 */
export function scriptedModel(
  reply: (messages: ChatMessage[], request: ProviderCall, call: number) => Reply | Promise<Reply>,
  usage: { tokens?: TokenUsage | null; cost?: number | null } = {},
): Provider & { calls: ProviderCall[] } {
  const calls: ProviderCall[] = [];
  return {
    id: "scripted",
    identity: { type: "scripted" },
    calls,
    async call(request) {
      calls.push(request);
      const out = await reply(conversationOf(request), request, calls.length - 1);
      return {
        output: "",
        tokens: usage.tokens === undefined ? { prompt: 10, completion: 4, total: 14 } : usage.tokens,
        cost: usage.cost === undefined ? 0.5 : usage.cost,
        ...out,
      };
    },
  };
}

export const toolCall = (name: string, args: unknown, id = `call_${name}`): ToolCall => ({ id, name, arguments: args });

/**
 * The weather agent: asked a question, it calls `weather` for the case's city; given the tool's
 * answer, it states it (or says the tool failed).
 */
export function weatherModel(): Provider & { calls: ProviderCall[] } {
  return scriptedModel((messages, request) => {
    const last = messages.at(-1)!;
    if (last.role !== "tool")
      return { output: "", toolCalls: [toolCall("weather", { city: request.vars.city }, "call_1")], finishReason: "tool_calls" };
    const answer = JSON.parse(last.content) as { temp?: number; error?: string };
    return { output: answer.error ? `sorry: ${answer.error}` : `${answer.temp} degrees`, finishReason: "stop" };
  });
}

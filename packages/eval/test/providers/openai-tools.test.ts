import { providerConfigSchema, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider, ProviderError } from "../../src/providers/index.ts";
import { type StubHandler, type StubServer, sendJson, startStubServer } from "./stub-server.ts";

const KEY = "sk-test-SECRET-0123456789";
let server: StubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: StubHandler) {
  server = await startStubServer(handler);
  return server;
}
function provider(config: Record<string, unknown>) {
  const parsed = providerConfigSchema.parse({
    type: "openai",
    model: "gpt-test",
    baseUrl: `${server!.origin}/v1`,
    apiKeyEnv: "K",
    ...config,
  });
  return createProvider(parsed, { env: { K: KEY }, cwd: process.cwd(), logger: silentLogger });
}
const call = (extra: Record<string, unknown> = {}) => ({ prompt: "p", vars: {}, signal: new AbortController().signal, ...extra });
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
const completion = (message: Record<string, unknown>, finish_reason: string | null = "stop", usage?: Record<string, number>) => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-test",
  choices: [{ index: 0, message: { role: "assistant", refusal: null, ...message }, finish_reason, logprobs: null }],
  ...(usage ? { usage } : {}),
});

const weather = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
};

describe("openai provider: tools, tool choice, structured output and conversations", () => {
  it("sends tools as functions, each tool_choice form, and response_format as json_schema", async () => {
    await serve((_r, res) => sendJson(res, 200, completion({ content: "{}" })));
    const cases: [unknown, unknown][] = [
      ["auto", "auto"],
      ["none", "none"],
      ["required", "required"],
      [{ name: "get_weather" }, { type: "function", function: { name: "get_weather" } }],
    ];
    for (const [toolChoice] of cases) {
      await provider({
        tools: [weather, { name: "noop" }],
        toolChoice,
        responseFormat: { name: "answer", schema: { type: "object", properties: { a: { type: "number" } } } },
        params: { temperature: 0, tool_choice: "overridden" },
      }).call(call());
    }
    server!.requests.forEach((request, i) => {
      expect(request.path).toBe("/v1/chat/completions");
      expect(request.headers.accept).toBe("application/json");
      expect(request.body).toEqual({
        temperature: 0,
        model: "gpt-test",
        messages: [{ role: "user", content: "p" }],
        tools: [
          { type: "function", function: weather },
          { type: "function", function: { name: "noop", parameters: { type: "object", properties: {} } } },
        ],
        tool_choice: cases[i]![1],
        response_format: {
          type: "json_schema",
          json_schema: { name: "answer", schema: { type: "object", properties: { a: { type: "number" } } }, strict: true },
        },
        stream: false,
      });
    });
  });

  it("sends earlier assistant tool calls and tool results as the API's conversation turns", async () => {
    await serve((_r, res) => sendJson(res, 200, completion({ content: "It is sunny." })));
    const messages = [
      { role: "system", content: "be brief" },
      { role: "user", content: "Weather in Paris and Oslo?" },
      {
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
          { id: "call_2", name: "get_weather", arguments: "{not json" },
        ],
      },
      { role: "tool", toolCallId: "call_1", content: '{"sky":"sunny"}' },
      { role: "tool", toolCallId: "call_2", content: "error: bad arguments" },
      { role: "assistant", content: "Checking.", toolCalls: [{ id: "call_3", name: "noop", arguments: {} }] },
      { role: "tool", toolCallId: "call_3", content: "ok" },
    ];
    const response = await provider({ tools: [weather] }).call(call({ messages }));
    expect(response).toEqual({ output: "It is sunny.", tokens: null, cost: null, finishReason: "stop" });
    expect((server!.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: "system", content: "be brief" },
      { role: "user", content: "Weather in Paris and Oslo?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "get_weather", arguments: "{not json" } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"sky":"sunny"}' },
      { role: "tool", tool_call_id: "call_2", content: "error: bad arguments" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [{ id: "call_3", type: "function", function: { name: "noop", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "call_3", content: "ok" },
    ]);
  });

  it("reads tool calls (content null), parses their arguments, keeps non-JSON arguments as text", async () => {
    await serve((_r, res) =>
      sendJson(
        res,
        200,
        completion(
          {
            content: null,
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Zürich"}' } },
              { id: "call_b", type: "function", function: { name: "get_weather", arguments: '{"city": "Oslo"' } },
            ],
          },
          "tool_calls",
          { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
        ),
      ),
    );
    const response = await provider({ tools: [weather], pricing: { prompt: 1, completion: 2 } }).call(call());
    expect(response).toEqual({
      output: "",
      tokens: { prompt: 10, completion: 20, total: 30 },
      cost: (10 + 40) / 1e6,
      toolCalls: [
        { id: "call_a", name: "get_weather", arguments: { city: "Zürich" } },
        { id: "call_b", name: "get_weather", arguments: '{"city": "Oslo"' },
      ],
      finishReason: "tool_calls",
    });
  });

  it("keeps finish reasons (length, content_filter, unknown ones) and reads a refusal as the output", async () => {
    const replies = [
      completion({ content: "cut" }, "length"),
      completion({ content: null }, "content_filter"),
      completion({ content: null, refusal: "I can't help with that." }, "stop"),
      completion({ content: "x" }, "eos_token"),
      completion({ content: "y" }, null),
    ];
    await serve((_r, res) => sendJson(res, 200, replies.shift()));
    const p = provider({});
    expect(await p.call(call())).toMatchObject({ output: "cut", finishReason: "length" });
    expect(await p.call(call())).toMatchObject({ output: "", finishReason: "content_filter" });
    expect(await p.call(call())).toMatchObject({ output: "I can't help with that.", finishReason: "stop" });
    expect(await p.call(call())).toMatchObject({ output: "x", finishReason: "eos_token" });
    expect((await p.call(call())).finishReason).toBeUndefined();
  });

  it("rejects a reply with more than 128 tool calls, or a tool call without a name, as non-retryable", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      id: `c${i}`,
      type: "function",
      function: { name: "f", arguments: "{}" },
    }));
    const replies = [
      completion({ content: null, tool_calls: many }, "tool_calls"),
      completion({ content: null, tool_calls: [{ id: "x", type: "function", function: { arguments: "{}" } }] }, "tool_calls"),
      completion({
        content: null,
        tool_calls: [{ id: "x", type: "function", function: { name: "f", arguments: "x".repeat(1024 * 1024 + 1) } }],
      }),
    ];
    await serve((_r, res) => sendJson(res, 200, replies.shift()));
    const p = provider({});
    const tooMany = await failure(p.call(call()));
    expect(tooMany).toMatchObject({ retryable: false, status: 200 });
    expect(tooMany.message).toMatch(/more than the limit of 128 tool calls/);
    expect((await failure(p.call(call()))).message).toMatch(/tool_calls\[0\] to have a function name/);
    const huge = await failure(p.call(call()));
    expect(huge.message).toMatch(/arguments are longer than the limit of 1048576 characters/);
  });

  it("a body over 16 MiB is a non-retryable error naming the limit", async () => {
    await serve((_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      for (let i = 0; i < 17; i++) res.write(" ".repeat(1024 * 1024));
      res.end("{}");
    });
    const error = await failure(provider({}).call(call()));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/larger than the limit of 16777216 bytes/);
  });

  it("content of another type than string or null is a non-retryable error", async () => {
    await serve((_r, res) => sendJson(res, 200, completion({ content: 42 })));
    const error = await failure(provider({}).call(call()));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/expected choices\[0\]\.message\.content to be a string or null/);
  });
});

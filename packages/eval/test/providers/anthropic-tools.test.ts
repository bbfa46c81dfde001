import { providerConfigSchema, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { anthropicFinishReason, createProvider, ProviderError } from "../../src/providers/index.ts";
import { MAX_JSON_DEPTH } from "../../src/providers/tool-calls.ts";
import { type StubHandler, type StubServer, sendJson, sse, startStubServer, writeStream } from "./stub-server.ts";

const KEY = "sk-ant-SECRET-abcdef";
let server: StubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: StubHandler) {
  server = await startStubServer(handler);
  return server;
}
function provider(config: Record<string, unknown> = {}) {
  const parsed = providerConfigSchema.parse({
    type: "anthropic",
    model: "claude-test",
    baseUrl: server!.origin,
    max_tokens: 100,
    ...config,
  });
  return createProvider(parsed, { env: { ANTHROPIC_API_KEY: KEY }, cwd: process.cwd(), logger: silentLogger });
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
const message = (content: unknown[], stop_reason: string | null = "end_turn", usage = { input_tokens: 3, output_tokens: 4 }) => ({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-test",
  content,
  stop_reason,
  stop_sequence: null,
  usage,
});
const weather = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const answerSchema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };

describe("anthropic provider: tools, tool choice, structured output and conversations", () => {
  it("sends tools with input_schema and maps each tool_choice", async () => {
    await serve((_r, res) => sendJson(res, 200, message([{ type: "text", text: "ok" }])));
    const choices: [unknown, unknown][] = [
      ["auto", { type: "auto" }],
      ["none", { type: "none" }],
      ["required", { type: "any" }],
      [{ name: "get_weather" }, { type: "tool", name: "get_weather" }],
    ];
    for (const [toolChoice] of choices) await provider({ tools: [weather], toolChoice }).call(call());
    server!.requests.forEach((request, i) => {
      expect(request.body).toEqual({
        model: "claude-test",
        max_tokens: 100,
        messages: [{ role: "user", content: "p" }],
        tools: [{ name: "get_weather", description: "Weather for a city", input_schema: weather.parameters }],
        tool_choice: choices[i]![1],
      });
    });
  });

  it("structured output forces a tool whose input is the reply's JSON text, not a tool call", async () => {
    await serve((_r, res) =>
      sendJson(res, 200, message([{ type: "tool_use", id: "toolu_1", name: "answer", input: { answer: "Paris" } }], "tool_use")),
    );
    const response = await provider({ responseFormat: { name: "answer", schema: answerSchema } }).call(call());
    expect(response).toEqual({
      output: '{"answer":"Paris"}',
      tokens: { prompt: 3, completion: 4, total: 7 },
      cost: null,
      finishReason: "stop",
    });
    expect(server!.requests[0]!.body).toMatchObject({
      tools: [{ name: "answer", description: expect.any(String), input_schema: answerSchema }],
      tool_choice: { type: "tool", name: "answer" },
    });
  });

  it("with tools besides structured output, any tool may be called; real calls are reported, the answer tool is not", async () => {
    await serve((_r, res) =>
      sendJson(
        res,
        200,
        message(
          [
            { type: "text", text: "thinking aloud" },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Oslo" } },
          ],
          "tool_use",
        ),
      ),
    );
    const response = await provider({ tools: [weather], responseFormat: { name: "answer", schema: answerSchema } }).call(call());
    expect(response).toMatchObject({
      output: "thinking aloud",
      toolCalls: [{ id: "toolu_1", name: "get_weather", arguments: { city: "Oslo" } }],
      finishReason: "tool_calls",
    });
    expect(server!.requests[0]!.body).toMatchObject({ tool_choice: { type: "any" } });
    expect((server!.requests[0]!.body as { tools: { name: string }[] }).tools.map((t) => t.name)).toEqual(["get_weather", "answer"]);
    expect(() => provider({ tools: [{ name: "answer" }], responseFormat: { name: "answer", schema: answerSchema } })).toThrow(
      /responseFormat.name "answer" is also a tool's name/,
    );
  });

  it("sends tool calls as tool_use blocks and tool results merged into one user turn", async () => {
    await serve((_r, res) => sendJson(res, 200, message([{ type: "text", text: "Sunny in both." }])));
    const messages = [
      { role: "system", content: "be brief" },
      { role: "user", content: "Weather in Paris and Oslo?" },
      {
        role: "assistant",
        content: "Let me check.",
        toolCalls: [
          { id: "toolu_1", name: "get_weather", arguments: { city: "Paris" } },
          { id: "toolu_2", name: "get_weather", arguments: '{"city":"Oslo"}' },
        ],
      },
      { role: "tool", toolCallId: "toolu_1", content: '{"sky":"sunny"}' },
      { role: "tool", toolCallId: "toolu_2", content: '{"sky":"sunny"}' },
      { role: "user", content: "And tomorrow?" },
      { role: "assistant", content: "", toolCalls: [{ id: "toolu_3", name: "get_weather", arguments: {} }] },
      { role: "tool", toolCallId: "toolu_3", content: "unknown" },
    ];
    const response = await provider({ tools: [weather] }).call(call({ messages }));
    expect(response.output).toBe("Sunny in both.");
    expect(server!.requests[0]!.body).toMatchObject({
      system: "be brief",
      messages: [
        { role: "user", content: "Weather in Paris and Oslo?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me check." },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "Oslo" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: '{"sky":"sunny"}' },
            { type: "tool_result", tool_use_id: "toolu_2", content: '{"sky":"sunny"}' },
            { type: "text", text: "And tomorrow?" },
          ],
        },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_3", name: "get_weather", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_3", content: "unknown" }] },
      ],
    });
    const bad = [{ role: "assistant", content: "", toolCalls: [{ id: "t", name: "f", arguments: "{oops" }] }];
    expect((await failure(provider().call(call({ messages: bad })))).message).toMatch(/not a JSON object, which Anthropic requires/);
  });

  it("reads tool_use blocks as tool calls and normalises stop reasons", async () => {
    await serve((_r, res) =>
      sendJson(
        res,
        200,
        message(
          [
            { type: "thinking", thinking: "…", signature: "s" },
            { type: "tool_use", id: "toolu_9", name: "get_weather", input: { city: "Zürich" } },
          ],
          "tool_use",
        ),
      ),
    );
    expect(await provider({ tools: [weather] }).call(call())).toEqual({
      output: "",
      tokens: { prompt: 3, completion: 4, total: 7 },
      cost: null,
      toolCalls: [{ id: "toolu_9", name: "get_weather", arguments: { city: "Zürich" } }],
      finishReason: "tool_calls",
    });
    expect(
      ["end_turn", "stop_sequence", "max_tokens", "tool_use", "refusal", "pause_turn", null].map((r) => anthropicFinishReason(r)),
    ).toEqual(["stop", "stop", "length", "tool_calls", "content_filter", "pause_turn", null]);
  });

  it("rejects more than 128 tool calls", async () => {
    const uses = Array.from({ length: 10_000 }, (_, i) => ({ type: "tool_use", id: `t${i}`, name: "f", input: {} }));
    await serve((_r, res) => sendJson(res, 200, message(uses, "tool_use")));
    const error = await failure(provider().call(call()));
    expect(error).toMatchObject({ retryable: false, status: 200 });
    expect(error.message).toMatch(/more than the limit of 128 tool calls/);
  });
});

const ev = (type: string, data: Record<string, unknown>) => sse({ type, ...data }, type);
const STREAM = [
  ev("message_start", { message: { ...message([], null, { input_tokens: 25, output_tokens: 1 }) } }),
  ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
  ev("ping", {}),
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Ich prüfe " } }),
  ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "das 👍" } }),
  ev("content_block_stop", { index: 0 }),
  ev("content_block_start", { index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} } }),
  ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: "" } }),
  ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: '{"city": "Zü' } }),
  ev("content_block_delta", { index: 1, delta: { type: "input_json_delta", partial_json: 'rich 日本"}' } }),
  ev("content_block_stop", { index: 1 }),
  ev("content_block_start", { index: 2, content_block: { type: "tool_use", id: "toolu_2", name: "now", input: {} } }),
  ev("content_block_stop", { index: 2 }),
  ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 42 } }),
  ev("message_stop", {}),
];

describe("anthropic provider: streaming", () => {
  it("assembles text and tool_use input fragments cut anywhere, with usage and the stop reason", async () => {
    await serve((_r, res) => writeStream(res, STREAM, { pieceBytes: 7, pieceDelayMs: 0 }));
    const response = await provider({ stream: true, tools: [weather], pricing: { prompt: 1, completion: 1 } }).call(call());
    expect(response).toMatchObject({
      output: "Ich prüfe das 👍",
      tokens: { prompt: 25, completion: 42, total: 67 },
      cost: 67 / 1e6,
      toolCalls: [
        { id: "toolu_1", name: "get_weather", arguments: { city: "Zürich 日本" } },
        { id: "toolu_2", name: "now", arguments: {} },
      ],
      finishReason: "tool_calls",
    });
    expect(server!.requests[0]!.body).toMatchObject({ stream: true });
    expect(server!.requests[0]!.headers.accept).toBe("text/event-stream");
  });

  it("times the first text delta after the server's wait", async () => {
    await serve((_r, res) =>
      writeStream(res, [
        STREAM[0]!,
        STREAM[1]!,
        120,
        STREAM[3]!,
        60,
        STREAM[4]!,
        ev("message_delta", { delta: { stop_reason: "end_turn" }, usage: { output_tokens: 5 } }),
        ev("message_stop", {}),
      ]),
    );
    const response = await provider({ stream: true }).call(call());
    expect(response.output).toBe("Ich prüfe das 👍");
    expect(response.finishReason).toBe("stop");
    expect(response.ttftMs).toBeGreaterThanOrEqual(120 - 5);
    expect(response.generationMs).toBeGreaterThanOrEqual(60 - 5);
  });

  it("structured output through a stream gives the forced tool's input as the output", async () => {
    await serve((_r, res) =>
      writeStream(res, [
        STREAM[0]!,
        ev("content_block_start", { index: 0, content_block: { type: "tool_use", id: "toolu_1", name: "answer", input: {} } }),
        ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: '{"answer": ' } }),
        ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: '"Paris"}' } }),
        ev("content_block_stop", { index: 0 }),
        ev("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 9 } }),
        ev("message_stop", {}),
      ]),
    );
    const response = await provider({ stream: true, responseFormat: { name: "answer", schema: answerSchema } }).call(call());
    expect(response).toMatchObject({ output: '{"answer":"Paris"}', finishReason: "stop" });
    expect(response.toolCalls).toBeUndefined();
  });

  it("an error event is an error (overloaded: retryable); a cut stream is retryable; too many tool_use blocks are not", async () => {
    const replies: string[][] = [
      [STREAM[0]!, ev("error", { error: { type: "overloaded_error", message: `Overloaded ${KEY}` } })],
      [STREAM[0]!, ev("error", { error: { type: "invalid_request_error", message: "bad" } })],
      STREAM.slice(0, 5),
      [
        STREAM[0]!,
        ...Array.from({ length: 10_000 }, (_, i) =>
          ev("content_block_start", { index: i, content_block: { type: "tool_use", id: `t${i}`, name: "f", input: {} } }),
        ),
      ],
    ];
    await serve((_r, res) => writeStream(res, replies.shift()!));
    const p = provider({ stream: true });
    const overloaded = await failure(p.call(call()));
    expect(overloaded.retryable).toBe(true);
    expect(overloaded.message).toMatch(/the Anthropic message stream reported an error \(overloaded_error\): Overloaded \*\*\*/);
    expect((await failure(p.call(call()))).retryable).toBe(false);
    const cut = await failure(p.call(call()));
    expect(cut.retryable).toBe(true);
    expect(cut.message).toMatch(/ended before its last event/);
    const many = await failure(p.call(call()));
    expect(many.retryable).toBe(false);
    expect(many.message).toMatch(/more than the limit of 128 tool calls/);
  });

  it("a tool_use input nested deeper than MAX_JSON_DEPTH is kept as its JSON text; one too deep to write is a provider error", async () => {
    const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const body = (input: string) =>
      JSON.stringify(message([{ type: "tool_use", id: "toolu_1", name: "get_weather", input: "INPUT" }], "tool_use")).replace(
        '"INPUT"',
        input,
      );
    let input = `{"a":${nested(MAX_JSON_DEPTH)}}`;
    await serve((_r, res) => {
      const text = body(input);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    });
    const p = provider({ tools: [weather] });
    expect((await p.call(call())).toolCalls![0]!.arguments).toBe(`{"a":${nested(MAX_JSON_DEPTH)}}`);
    input = `{"a":${nested(MAX_JSON_DEPTH - 1)}}`;
    expect((await p.call(call())).toolCalls![0]!.arguments).toEqual(JSON.parse(input));
    input = nested(400_000);
    expect((await failure(p.call(call()))).message).toMatch(/expected the input of tool_use block 0 from the Anthropic message to be JSON/);
  });
});

import { providerConfigSchema, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider, ProviderError } from "../../src/providers/index.ts";
import { type StubHandler, type StubServer, sendJson, sse, startStubServer, writeStream } from "./stub-server.ts";

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
function provider(config: Record<string, unknown> = {}) {
  const parsed = providerConfigSchema.parse({
    type: "openai",
    model: "gpt-test",
    baseUrl: `${server!.origin}/v1`,
    apiKeyEnv: "K",
    stream: true,
    ...config,
  });
  return createProvider(parsed, { env: { K: KEY }, cwd: process.cwd(), logger: silentLogger });
}
const call = () => ({ prompt: "p", vars: {}, signal: new AbortController().signal });
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null) =>
  sse({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-test",
    choices: [{ index: 0, delta, finish_reason, logprobs: null }],
  });
const usageChunk = (prompt: number, completion: number) =>
  sse({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-test",
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });
const DONE = "data: [DONE]\n\n";

describe("openai provider: streaming", () => {
  it("asks for a stream with usage and assembles text and interleaved tool-call deltas cut anywhere, UTF-8 included", async () => {
    await serve((_r, res) =>
      writeStream(
        res,
        [
          chunk({ role: "assistant", content: "" }),
          chunk({ content: "Ich prüfe " }),
          chunk({ content: "das 👍" }),
          chunk({ tool_calls: [{ index: 0, id: "call_0", type: "function", function: { name: "get_weather", arguments: "" } }] }),
          chunk({ tool_calls: [{ index: 1, id: "call_1", type: "function", function: { name: "get_time", arguments: '{"tz":' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Zü' } }] }),
          chunk({ tool_calls: [{ index: 1, function: { arguments: '"Europe/Oslo"}' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: 'rich 日本"}' } }] }),
          chunk({}, "tool_calls"),
          usageChunk(11, 7),
          DONE,
        ],
        { pieceBytes: 5, pieceDelayMs: 0 },
      ),
    );
    const response = await provider({ pricing: { prompt: 1, completion: 1 } }).call(call());
    expect(response).toMatchObject({
      output: "Ich prüfe das 👍",
      tokens: { prompt: 11, completion: 7, total: 18 },
      cost: 18 / 1e6,
      toolCalls: [
        { id: "call_0", name: "get_weather", arguments: { city: "Zürich 日本" } },
        { id: "call_1", name: "get_time", arguments: { tz: "Europe/Oslo" } },
      ],
      finishReason: "tool_calls",
    });
    expect(response.ttftMs).toBeGreaterThanOrEqual(0);
    expect(response.generationMs).toBeGreaterThanOrEqual(0);
    const [request] = server!.requests;
    expect(request!.headers.accept).toBe("text/event-stream");
    expect(request!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("times the first content delta (not the empty role delta) and the generation after it", async () => {
    await serve((_r, res) =>
      writeStream(res, [
        chunk({ role: "assistant", content: "" }),
        150,
        chunk({ content: "a" }),
        80,
        chunk({ content: "b" }, "stop"),
        usageChunk(1, 2),
        DONE,
      ]),
    );
    const response = await provider().call(call());
    expect(response.output).toBe("ab");
    // Lower bounds only: the server waited that long; a loaded machine may take longer.
    expect(response.ttftMs).toBeGreaterThanOrEqual(150 - 5);
    expect(response.generationMs).toBeGreaterThanOrEqual(80 - 5);
  });

  it("a tool-call delta is a first token too", async () => {
    await serve((_r, res) =>
      writeStream(res, [
        chunk({ role: "assistant", content: null }),
        100,
        chunk({ tool_calls: [{ index: 0, id: "c", type: "function", function: { name: "f", arguments: "{}" } }] }, "tool_calls"),
        DONE,
      ]),
    );
    const response = await provider().call(call());
    expect(response.ttftMs).toBeGreaterThanOrEqual(100 - 5);
    expect(response.toolCalls).toEqual([{ id: "c", name: "f", arguments: {} }]);
    expect(response.tokens).toBeNull();
  });

  it("a stream cut before [DONE] and a finish reason is retryable; an error event carries the API's message without the key", async () => {
    const replies: (string | number)[][] = [
      [chunk({ content: "half" })],
      [chunk({ content: "x" }), sse({ error: { message: `overloaded, key ${KEY}`, type: "server_error", code: null } })],
      [sse({ error: { message: "bad schema", type: "invalid_request_error" } })],
      ["data: {not json\n\n"],
    ];
    await serve((_r, res) => writeStream(res, replies.shift()!));
    const p = provider();
    const cut = await failure(p.call(call()));
    expect(cut.retryable).toBe(true);
    expect(cut.message).toMatch(/ended before its last event/);
    const overloaded = await failure(p.call(call()));
    expect(overloaded.retryable).toBe(true);
    expect(overloaded.message).toMatch(/reported an error \(server_error\): overloaded, key \*\*\*/);
    expect(overloaded.message).not.toContain(KEY);
    const invalid = await failure(p.call(call()));
    expect(invalid.retryable).toBe(false);
    expect((await failure(p.call(call()))).message).toMatch(/expected JSON events in the chat completion stream/);
  });

  it("an HTTP error before the stream is the usual classified error", async () => {
    await serve((_r, res) => sendJson(res, 429, { error: { message: "slow down" } }));
    const error = await failure(provider().call(call()));
    expect(error).toMatchObject({ status: 429, retryable: true });
  });

  it("a server that ignores stream and answers JSON is read as a completion, with no first-token time", async () => {
    await serve((_r, res) =>
      sendJson(res, 200, {
        choices: [{ index: 0, message: { role: "assistant", content: "plain" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
    const response = await provider().call(call());
    expect(response).toMatchObject({ output: "plain", finishReason: "stop", ttftMs: null, generationMs: null });
  });

  it("an event stream sent as text/plain is still parsed", async () => {
    await serve((_r, res) => writeStream(res, [chunk({ content: "hi" }, "stop"), DONE], { contentType: "text/plain" }));
    expect((await provider().call(call())).output).toBe("hi");
  });

  it("rejects hostile streams with non-retryable errors naming the limit", async () => {
    const manyCalls = Array.from({ length: 10_000 }, (_, i) =>
      chunk({ tool_calls: [{ index: i, id: `c${i}`, type: "function", function: { name: "f", arguments: "{}" } }] }),
    );
    const bigArgs = [
      chunk({ tool_calls: [{ index: 0, id: "c", type: "function", function: { name: "f", arguments: "" } }] }),
      ...Array.from({ length: 20 }, () => chunk({ tool_calls: [{ index: 0, function: { arguments: "x".repeat(64 * 1024) } }] })),
    ];
    const replies: (string | number)[][] = [
      [`data: ${"x".repeat(5 * 1024 * 1024)}`],
      manyCalls,
      bigArgs,
      Array.from({ length: 18 }, () => chunk({ content: "y".repeat(1024 * 1024) })),
      [chunk({ tool_calls: [{ index: 0, id: "c", type: "function", function: { arguments: "{}" } }] }, "tool_calls"), DONE],
    ];
    await serve((_r, res) => writeStream(res, replies.shift()!));
    const p = provider();
    const line = await failure(p.call(call()));
    expect(line).toMatchObject({ retryable: false });
    expect(line.message).toMatch(/longer than the limit of 4194304 characters/);
    const calls = await failure(p.call(call()));
    expect(calls).toMatchObject({ retryable: false });
    expect(calls.message).toMatch(/more than the limit of 128 tool calls/);
    const args = await failure(p.call(call()));
    expect(args.message).toMatch(/call of tool "f" whose arguments are longer than the limit of 1048576 characters/);
    const body = await failure(p.call(call()));
    expect(body).toMatchObject({ retryable: false });
    expect(body.message).toMatch(/larger than the limit of 16777216 bytes/);
    expect((await failure(p.call(call()))).message).toMatch(/tool call \(index 0\) without a function name/);
  });
});

// The real providers (`@llmops/eval`'s createProvider and createEmbeddingsClient) against the local
// OpenAI-compatible and Anthropic test servers, which validate every request against the published
// API descriptions (see test/src/openai-server.ts): a request our client builds that the API does
// not allow fails the test with the description's complaint, even when the provider would have
// coped with the 400. Covers tools and tool_choice, structured output, conversations with earlier
// tool calls and results, streaming (text and tool-call deltas, time to first token) and embeddings.
import { type ChatMessage, embeddingsProviderSchema, providerConfigSchema, silentLogger } from "@llmops/core";
import { createEmbeddingsClient, createProvider, type ProviderResponse } from "@llmops/eval";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import { hashedEmbedding, type OpenAIServer, type OpenAIServerOptions, startOpenAIServer } from "./src/openai-server.ts";

const KEY = "sk-contract-test";
const env = { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY };
const context = { env, cwd: process.cwd(), logger: silentLogger };

let servers: OpenAIServer[] = [];
afterEach(async () => {
  const open = servers;
  servers = [];
  await Promise.all(open.map((s) => s.close()));
});

async function server(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  // strictParameters: refuse parameters OpenAI's API refuses though its description allows them.
  const s = await startOpenAIServer({ strictParameters: true, ...options });
  servers.push(s);
  return s;
}

type Api = "openai" | "anthropic";
const APIS: Api[] = ["openai", "anthropic"];

const WEATHER = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
    required: ["city", "unit"],
    additionalProperties: false,
  },
};
const CLOCK = {
  name: "get_time",
  description: "Local time in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

function provider(api: Api, s: OpenAIServer, extra: Record<string, unknown> = {}) {
  const base =
    api === "openai"
      ? { type: "openai", model: "gpt-test", baseUrl: s.url }
      : { type: "anthropic", model: "claude-test", baseUrl: s.origin, max_tokens: 256 };
  return createProvider(providerConfigSchema.parse({ ...base, ...extra }), context);
}

function call(prompt: string, messages?: ChatMessage[]) {
  return { prompt, vars: {}, signal: new AbortController().signal, ...(messages ? { messages } : {}) };
}

/** Fails with the server's violations (the spec's complaint about what the provider sent) before anything else. */
async function run(s: OpenAIServer, promise: Promise<ProviderResponse>): Promise<ProviderResponse> {
  const result = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  s.assertNoViolations();
  if ("error" in result) throw result.error;
  return result.value;
}

describe.each(APIS)("%s provider against the contract-checking server", (api) => {
  it("tools with a named tool_choice: the request validates, tool calls come back parsed", async () => {
    const s = await server({ toolCalls: (r) => [{ name: "get_weather", arguments: { city: r.messages.at(-1)!.content, unit: "c" } }] });
    const p = provider(api, s, { tools: [WEATHER, CLOCK], toolChoice: { name: "get_weather" } });
    const response = await run(s, p.call(call("Paris")));
    expect(response.toolCalls).toEqual([{ id: expect.any(String), name: "get_weather", arguments: { city: "Paris", unit: "c" } }]);
    expect(response.finishReason).toBe("tool_calls");
    expect(s.requests[0]).toMatchObject({ toolChoice: { name: "get_weather" }, tools: [{ name: "get_weather" }, { name: "get_time" }] });
    expect(response.tokens).toMatchObject({ prompt: expect.any(Number), completion: expect.any(Number) });
  });

  it.each(["auto", "required", "none"] as const)("tool_choice %s validates", async (toolChoice) => {
    const s = await server();
    const p = provider(api, s, { tools: [WEATHER], toolChoice });
    const response = await run(s, p.call(call("Oslo")));
    expect(s.requests[0]!.toolChoice).toBe(toolChoice);
    if (toolChoice === "required") expect(response.toolCalls?.[0]?.name).toBe("get_weather");
    else expect(response.output).toBe("Oslo");
  });

  it("structured output: the JSON Schema request validates and the reply is the JSON", async () => {
    const schema = {
      type: "object",
      properties: { verdict: { type: "string", enum: ["pass", "fail"] }, score: { type: "number" } },
      required: ["verdict", "score"],
      additionalProperties: false,
    };
    const s = await server({ structured: () => ({ verdict: "pass", score: 0.9 }) });
    const p = provider(api, s, { responseFormat: { name: "grade", schema } });
    const response = await run(s, p.call(call("grade this")));
    expect(JSON.parse(response.output)).toEqual({ verdict: "pass", score: 0.9 });
    expect(new Ajv().validate(schema, JSON.parse(response.output))).toBe(true);
    expect(response.toolCalls ?? []).toEqual([]);
    expect(response.finishReason).toBe("stop");
  });

  it("a conversation with earlier assistant tool calls (two in one turn) and their results validates", async () => {
    const s = await server();
    const messages: ChatMessage[] = [
      { role: "system", content: "You answer with the tools' results." },
      { role: "user", content: "Weather and time in Paris?" },
      {
        role: "assistant",
        content: "",
        toolCalls: [
          { id: "call_w1", name: "get_weather", arguments: { city: "Paris", unit: "c" } },
          { id: "call_t1", name: "get_time", arguments: { city: "Paris" } },
        ],
      },
      { role: "tool", toolCallId: "call_w1", content: '{"temp": 18}' },
      { role: "tool", toolCallId: "call_t1", content: "14:05" },
      { role: "assistant", content: "18 degrees at 14:05." },
      { role: "user", content: "And tomorrow?" },
      {
        role: "assistant",
        content: "Let me check.",
        toolCalls: [{ id: "call_w2", name: "get_weather", arguments: { city: "Paris", unit: "c" } }],
      },
      { role: "tool", toolCallId: "call_w2", content: '{"temp": 21}' },
    ];
    const p = provider(api, s, { tools: [WEATHER, CLOCK] });
    const response = await run(s, p.call(call("ignored", messages)));
    // The server's default answer after tool results is their text.
    expect(response.output).toBe('{"temp": 21}');
    expect(s.requests[0]).toMatchObject({ toolTurns: 2, toolResults: [{ id: "call_w2", name: "get_weather", content: '{"temp": 21}' }] });
  });

  it("streaming text: deltas reassemble, usage is read, ttftMs honours the server's time to first token", async () => {
    const s = await server({ ttftMs: 40, interTokenMs: 3, reply: "one two three four five six seven eight" });
    const p = provider(api, s, { stream: true });
    const response = await run(s, p.call(call("x")));
    expect(response.output).toBe("one two three four five six seven eight");
    expect(response.finishReason).toBe("stop");
    expect(response.tokens).toMatchObject({ completion: 8 });
    expect(response.ttftMs).toBeGreaterThanOrEqual(40 - 2);
    // The last token is due ttftMs + 7 x interTokenMs after the headers.
    expect(response.ttftMs! + response.generationMs!).toBeGreaterThanOrEqual(40 + 7 * 3 - 2);
  });

  it("streaming tool-call deltas: the calls, finish reason and ttftMs come out right", async () => {
    const s = await server({
      ttftMs: 30,
      interTokenMs: 2,
      toolCalls: () => [
        { name: "get_weather", arguments: { city: "New York", unit: "f" } },
        { name: "get_time", arguments: { city: "New York" } },
      ],
    });
    const p = provider(api, s, { stream: true, tools: [WEATHER, CLOCK], toolChoice: "auto" });
    const response = await run(s, p.call(call("x")));
    expect(response.toolCalls).toEqual([
      { id: expect.any(String), name: "get_weather", arguments: { city: "New York", unit: "f" } },
      { id: expect.any(String), name: "get_time", arguments: { city: "New York" } },
    ]);
    expect(new Set(response.toolCalls!.map((c) => c.id)).size).toBe(2);
    expect(response.finishReason).toBe("tool_calls");
    expect(response.ttftMs).toBeGreaterThanOrEqual(30 - 2);
  });

  it("streaming structured output validates and yields the JSON", async () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    const s = await server({ ttftMs: 5, structured: () => ({ answer: "forty-two" }) });
    const p = provider(api, s, { stream: true, responseFormat: { name: "answer", schema } });
    const response = await run(s, p.call(call("x")));
    expect(JSON.parse(response.output)).toEqual({ answer: "forty-two" });
    expect(response.finishReason).toBe("stop");
  });

  it.each([false, true])("a truncated reply and a refusal come back with their finish reasons (stream %s)", async (stream) => {
    const s = await server({
      respond: (r) =>
        r.messages.at(-1)!.content === "long" ? { content: "cut off", finishReason: "length" } : { refusal: "I can't help with that." },
    });
    const p = provider(api, s, { stream });
    const truncated = await run(s, p.call(call("long")));
    expect([truncated.output, truncated.finishReason]).toEqual(["cut off", "length"]);
    const refused = await run(s, p.call(call("forbidden")));
    expect(refused.output).toBe("I can't help with that.");
    // OpenAI reports a refusal in its own field with finish reason stop; Anthropic as stop_reason refusal.
    expect(refused.finishReason).toBe(api === "openai" ? "stop" : "content_filter");
  });

  it("an error event in the middle of a stream fails the call (retryable) instead of returning partial output", async () => {
    const s = await server({ faults: { 0: { errorAfterChunks: 2 } }, reply: "one two three four five" });
    const p = provider(api, s, { stream: true });
    const outcome = await p.call(call("x")).then(
      (response) => ({ response }),
      (error: unknown) => ({ error: error as { retryable?: boolean; message?: string } }),
    );
    s.assertNoViolations();
    expect(outcome).toMatchObject({ error: { retryable: true } });
  });

  it("errors: a 429 with retry-after is a retryable ProviderError", async () => {
    const s = await server({ faults: { 0: { status: 429, retryAfter: 2 } } });
    const p = provider(api, s);
    const error = await p.call(call("x")).then(
      () => undefined,
      (e: unknown) => e as { retryable?: boolean; retryAfterMs?: number; status?: number },
    );
    s.assertNoViolations();
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2000 });
  });
});

describe("openai provider, Azure form", () => {
  it("posts to the deployment URL with api-version and api-key; the request validates", async () => {
    const s = await server();
    const p = createProvider(
      providerConfigSchema.parse({
        type: "openai",
        model: "gpt-test",
        baseUrl: s.origin,
        apiVersion: "2024-10-21",
        deployment: "prod",
        tools: [WEATHER],
        toolChoice: "required",
      }),
      { ...context, env: { ...env, AZURE_OPENAI_API_KEY: KEY } },
    );
    const response = await run(s, p.call(call("x")));
    expect(response.toolCalls?.[0]?.name).toBe("get_weather");
    expect(s.requests[0]).toMatchObject({ path: "/openai/deployments/prod/chat/completions", query: { "api-version": "2024-10-21" } });
    expect(s.requests[0]!.headers["api-key"]).toBe(KEY);
  });
});

describe("embeddings client against the contract-checking server", () => {
  it("embeds texts (duplicates once) with the server's deterministic vectors; the requests validate", async () => {
    const s = await server({ embeddings: { pinned: [0.6, 0.8, 0, 0] } });
    const client = createEmbeddingsClient(
      embeddingsProviderSchema.parse({ type: "embeddings", model: "text-embedding-3-small", baseUrl: s.url, dimensions: 4 }),
      context,
    );
    const vectors = await client.embed(["the cat sat", "pinned", "the cat sat"], new AbortController().signal);
    s.assertNoViolations();
    expect(vectors).toEqual([hashedEmbedding("the cat sat", 4), [0.6, 0.8, 0, 0], hashedEmbedding("the cat sat", 4)]);
    expect(s.embeddingRequests).toHaveLength(1);
    expect(s.embeddingRequests[0]!.inputs).toEqual(["the cat sat", "pinned"]);
  });

  it("batches many texts into requests the description allows", async () => {
    const s = await server();
    const client = createEmbeddingsClient(embeddingsProviderSchema.parse({ type: "embeddings", model: "m", baseUrl: s.url }), context);
    const texts = Array.from({ length: 150 }, (_, i) => `text number ${i}`);
    const vectors = await client.embed(texts, new AbortController().signal);
    s.assertNoViolations();
    expect(vectors).toHaveLength(150);
    expect(vectors[149]).toEqual(hashedEmbedding("text number 149", 64));
    expect(s.embeddingRequests.length).toBeGreaterThan(1);
  });
});

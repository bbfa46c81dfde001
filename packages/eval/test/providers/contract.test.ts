import { embeddingsProviderSchema, providerConfigSchema, silentLogger } from "@llmops/core";
import { type OpenAIServer, startOpenAIServer } from "@llmops/test/openai-server";
import { afterEach, describe, expect, it } from "vitest";
import { createEmbeddingsClient, createProvider } from "../../src/providers/index.ts";

/**
 * The requests these providers build, checked by the local test server against the published API
 * descriptions (OpenAI's OpenAPI description; the schemas of `@anthropic-ai/sdk`): a body the
 * description does not allow fails the test that sent it.
 */
let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const KEY = "sk-contract-0123456789";
function provider(config: Record<string, unknown>) {
  return createProvider(providerConfigSchema.parse(config), {
    env: { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY },
    cwd: process.cwd(),
    logger: silentLogger,
  });
}
const call = (extra: Record<string, unknown> = {}) => ({
  prompt: "Weather in Paris?",
  vars: {},
  signal: new AbortController().signal,
  ...extra,
});
const weather = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
};
const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
const conversation = [
  { role: "system", content: "be brief" },
  { role: "user", content: "Weather in Paris and Oslo?" },
  {
    role: "assistant",
    content: "",
    toolCalls: [
      { id: "call_1", name: "get_weather", arguments: { city: "Paris" } },
      { id: "call_2", name: "get_weather", arguments: { city: "Oslo" } },
    ],
  },
  { role: "tool", toolCallId: "call_1", content: '{"sky":"sunny"}' },
  { role: "tool", toolCallId: "call_2", content: '{"sky":"rain"}' },
];

for (const type of ["openai", "anthropic"] as const) {
  describe(`${type} requests against the published description`, () => {
    const base = (s: OpenAIServer) => (type === "openai" ? { type, model: "m", baseUrl: s.url } : { type, model: "m", baseUrl: s.origin });

    for (const stream of [false, true]) {
      it(`tools, each tool choice, and a conversation with tool turns${stream ? ", streamed" : ""}`, async () => {
        server = await startOpenAIServer({ toolCalls: () => [{ name: "get_weather", arguments: { city: "Zürich" } }] });
        for (const toolChoice of ["auto", "required", { name: "get_weather" }] as const) {
          const response = await provider({ ...base(server), tools: [weather], toolChoice, stream }).call(call());
          expect(response.toolCalls).toEqual([{ id: expect.any(String), name: "get_weather", arguments: { city: "Zürich" } }]);
          expect(response.finishReason).toBe("tool_calls");
          if (stream) expect(response.ttftMs).toBeGreaterThanOrEqual(0);
        }
        const reply = await provider({ ...base(server), tools: [weather], toolChoice: "none", stream }).call(
          call({ messages: conversation }),
        );
        expect(reply.finishReason).toBe("stop");
        expect(server.requests.at(-1)?.toolResults.map((r) => r.id)).toEqual(["call_1", "call_2"]);
        server.assertNoViolations();
      });

      it(`structured output${stream ? ", streamed" : ""}`, async () => {
        server = await startOpenAIServer({ structured: () => ({ answer: "Paris" }) });
        const response = await provider({ ...base(server), responseFormat: { name: "answer", schema }, stream }).call(call());
        expect(JSON.parse(response.output)).toEqual({ answer: "Paris" });
        expect(response.toolCalls).toBeUndefined();
        server.assertNoViolations();
      });
    }

    it("streamed text with usage and the server's time to first token", async () => {
      server = await startOpenAIServer({ ttftMs: 80, interTokenMs: 5, reply: "one two three four" });
      const response = await provider({ ...base(server), stream: true, pricing: { prompt: 1, completion: 1 } }).call(call());
      expect(response.output).toBe("one two three four");
      expect(response.tokens?.completion).toBeGreaterThan(0);
      expect(response.ttftMs).toBeGreaterThanOrEqual(80 - 5);
      server.assertNoViolations();
    });
  });
}

describe("embeddings against the published description", () => {
  it("batches and orders vectors", async () => {
    server = await startOpenAIServer({ embeddingDimensions: 8 });
    const client = createEmbeddingsClient(embeddingsProviderSchema.parse({ type: "embeddings", model: "e", baseUrl: server.url }), {
      env: {},
      cwd: process.cwd(),
      logger: silentLogger,
    });
    const texts = Array.from({ length: 70 }, (_, i) => `text ${i}`);
    const vectors = await client.embed(texts, new AbortController().signal);
    expect(vectors).toHaveLength(70);
    expect(vectors.every((v) => v.length === 8)).toBe(true);
    expect(server.embeddingRequests).toHaveLength(2);
    const again = await client.embed(["text 69", "text 0"], new AbortController().signal);
    expect(again).toEqual([vectors[69], vectors[0]]);
    server.assertNoViolations();
  });
});

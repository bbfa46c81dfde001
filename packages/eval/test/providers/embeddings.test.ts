import { embeddingsProviderSchema, InputError, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { createEmbeddingsClient, EMBEDDINGS_BATCH_SIZE, ProviderError } from "../../src/providers/index.ts";
import { type StubHandler, type StubServer, sendJson, startStubServer } from "./stub-server.ts";

const KEY = "sk-test-SECRET-embeddings";
let server: StubServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function serve(handler: StubHandler) {
  server = await startStubServer(handler);
  return server;
}
function client(config: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = { K: KEY }) {
  const parsed = embeddingsProviderSchema.parse({
    type: "embeddings",
    model: "emb-test",
    baseUrl: `${server?.origin ?? "http://127.0.0.1:9"}/v1`,
    apiKeyEnv: "K",
    ...config,
  });
  return createEmbeddingsClient(parsed, { env, cwd: process.cwd(), logger: silentLogger });
}
const signal = () => new AbortController().signal;
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
/** A deterministic vector per text: [length, first char code, 1]. */
const vectorOf = (text: string) => [text.length, text.charCodeAt(0) || 0, 1];
/** Answers in reverse order, with indexes, as a server may. */
const reversed: StubHandler = (request, res) => {
  const input = (request.body as { input: string[] }).input;
  const data = input.map((text, index) => ({ object: "embedding", index, embedding: vectorOf(text) })).reverse();
  sendJson(res, 200, { object: "list", data, model: "emb-test", usage: { prompt_tokens: 1, total_tokens: 1 } });
};

describe("embeddings client", () => {
  it("batches inputs, orders vectors by index, embeds a repeated text once", async () => {
    await serve(reversed);
    const texts = Array.from({ length: 150 }, (_, i) => `text ${i % 140}`);
    const vectors = await client().embed(texts, signal());
    expect(vectors).toEqual(texts.map(vectorOf));
    const inputs = server!.requests.map((r) => (r.body as { input: string[] }).input.length);
    expect(inputs).toEqual([EMBEDDINGS_BATCH_SIZE, EMBEDDINGS_BATCH_SIZE, 140 - 2 * EMBEDDINGS_BATCH_SIZE]);
    expect(server!.requests[0]!.path).toBe("/v1/embeddings");
    expect(server!.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(server!.requests[0]!.body).toMatchObject({ model: "emb-test", encoding_format: "float" });
    expect(await client().embed([], signal())).toEqual([]);
    expect(server!.requests).toHaveLength(3);
  });

  it("sends dimensions and requires vectors of that length", async () => {
    await serve(reversed);
    const error = await failure(client({ dimensions: 4 }).embed(["a"], signal()));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/every embedding to have 4 dimensions \(data\[0\] has 3\)/);
    expect(server!.requests[0]!.body).toMatchObject({ dimensions: 4 });
    expect(await client({ dimensions: 3 }).embed(["a"], signal())).toEqual([vectorOf("a")]);
  });

  it("rejects vectors that are not finite numbers, of unequal length, missing, or with bad indexes", async () => {
    const bodies: unknown[] = [
      { data: [{ index: 0, embedding: [1, "2"] }] },
      { data: [{ index: 0, embedding: [1, null] }] },
      {
        data: [
          { index: 0, embedding: [1, 2] },
          { index: 1, embedding: [1, 2, 3] },
        ],
      },
      { data: [{ index: 0, embedding: [1] }] },
      {
        data: [
          { index: 0, embedding: [1] },
          { index: 0, embedding: [2] },
        ],
      },
      {
        data: [
          { index: 0, embedding: [1] },
          { index: 5, embedding: [2] },
        ],
      },
      {
        data: [
          { index: 0, embedding: [] },
          { index: 1, embedding: [] },
        ],
      },
      { nothing: true },
    ];
    await serve((_r, res) => sendJson(res, 200, bodies.shift()));
    const c = client();
    const messages: string[] = [];
    for (let i = 0; i < 8; i++) {
      const error = await failure(c.embed(i < 2 ? ["a"] : ["a", "b"], signal()));
      expect(error.retryable).toBe(false);
      messages.push(error.message);
    }
    expect(messages[0]).toMatch(/embedding to be a non-empty array of finite numbers/);
    expect(messages[1]).toMatch(/finite numbers/);
    expect(messages[2]).toMatch(/every embedding to have 2 dimensions/);
    expect(messages[3]).toMatch(/data to hold 2 embeddings/);
    expect(messages[4]).toMatch(/index to be a distinct position below 2/);
    expect(messages[5]).toMatch(/index to be a distinct position below 2/);
    expect(messages[6]).toMatch(/non-empty array/);
    expect(messages[7]).toMatch(/data to hold 2 embeddings/);
  });

  it("keeps the order of data without indexes", async () => {
    await serve((request, res) => {
      const input = (request.body as { input: string[] }).input;
      sendJson(res, 200, { data: input.map((text) => ({ embedding: vectorOf(text) })) });
    });
    expect(await client().embed(["x", "yy"], signal())).toEqual([vectorOf("x"), vectorOf("yy")]);
  });

  it("classifies HTTP errors as chat calls do, without the key; keeps the key out of the identity", async () => {
    const replies: [number, unknown][] = [
      [429, { error: { message: `rate limited for ${KEY}` } }],
      [400, { error: { message: "bad input" } }],
    ];
    await serve((_r, res) => {
      const [status, body] = replies.shift()!;
      sendJson(res, status, body);
    });
    const c = client({ headers: { "x-api-key": "also-secret", "x-team": "eval" } });
    const limited = await failure(c.embed(["a"], signal()));
    expect(limited).toMatchObject({ status: 429, retryable: true });
    expect(limited.message).not.toContain(KEY);
    expect(await failure(c.embed(["a"], signal()))).toMatchObject({ status: 400, retryable: false });
    expect(c.id).toBe("embeddings:emb-test");
    expect(JSON.stringify(c.identity)).not.toContain(KEY);
    expect(JSON.stringify(c.identity)).not.toContain("also-secret");
    expect(c.identity).toMatchObject({ type: "embeddings", model: "emb-test", apiKeyEnv: "K", headers: { "x-team": "eval" } });
  });

  it("needs a key for the real API or a named variable, not for a local server", () => {
    expect(() =>
      createEmbeddingsClient(embeddingsProviderSchema.parse({ type: "embeddings", model: "m" }), {
        env: {},
        cwd: ".",
        logger: silentLogger,
      }),
    ).toThrow(InputError);
    expect(() => client({}, {})).toThrow(/environment variable K is not set/);
    expect(() =>
      createEmbeddingsClient(embeddingsProviderSchema.parse({ type: "embeddings", model: "m", baseUrl: "http://127.0.0.1:1/v1" }), {
        env: {},
        cwd: ".",
        logger: silentLogger,
      }),
    ).not.toThrow();
  });
});

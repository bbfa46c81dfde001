import { InputError, providerConfigSchema, silentLogger } from "@llmops/core";
import { type OpenAIServer, startOpenAIServer } from "@llmops/test/openai-server";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider, ProviderError } from "../../src/providers/index.ts";

const KEY = "sk-ant-SECRET-abcdef";
let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function provider(config: Record<string, unknown>, env: NodeJS.ProcessEnv = { ANTHROPIC_API_KEY: KEY }) {
  return createProvider(providerConfigSchema.parse(config), { env, cwd: process.cwd(), logger: silentLogger });
}
const call = (prompt: string, extra: Record<string, unknown> = {}) => ({
  prompt,
  vars: {},
  signal: new AbortController().signal,
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("anthropic provider", () => {
  it("moves system messages to `system`, sends x-api-key and anthropic-version, reads text blocks and usage", async () => {
    server = await startOpenAIServer({
      respond: (r) => ({ content: `sys=${r.messages[0]?.content}`, usage: { prompt: 200, completion: 100 } }),
    });
    const p = provider({
      type: "anthropic",
      model: "claude-test",
      baseUrl: server.origin,
      max_tokens: 64,
      pricing: { prompt: 3, completion: 15 },
    });
    const messages = [
      { role: "system" as const, content: "be brief" },
      { role: "user" as const, content: "hello" },
    ];
    const response = await p.call(call("ignored when messages are given", { messages }));
    expect(response).toEqual({
      output: "sys=be brief",
      tokens: { prompt: 200, completion: 100, total: 300 },
      cost: (200 * 3 + 100 * 15) / 1e6,
      finishReason: "stop",
    });
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/messages");
    expect(request?.headers["x-api-key"]).toBe(KEY);
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request?.body).toEqual({
      model: "claude-test",
      max_tokens: 64,
      system: "be brief",
      messages: [{ role: "user", content: "hello" }],
    });
    expect(JSON.stringify(p.identity)).not.toContain(KEY);
  });

  it("sends a plain prompt as one user message", async () => {
    server = await startOpenAIServer();
    const response = await provider({ type: "anthropic", model: "m", baseUrl: server.origin }).call(call("ping"));
    expect(response.output).toBe("ping");
    expect(server.requests[0]?.body).toMatchObject({ messages: [{ role: "user", content: "ping" }], max_tokens: 1024 });
  });

  it("a missing key is an InputError naming ANTHROPIC_API_KEY", () => {
    expect(() => provider({ type: "anthropic", model: "m" }, {})).toThrow(InputError);
    expect(() => provider({ type: "anthropic", model: "m" }, {})).toThrow(/ANTHROPIC_API_KEY/);
  });

  it("reads Anthropic's error body; 529 overloaded is retryable with Retry-After", async () => {
    server = await startOpenAIServer({
      faults: { 0: { status: 529, retryAfter: 3, message: "Overloaded" }, 1: { status: 400, message: "max_tokens too large" } },
    });
    const p = provider({ type: "anthropic", model: "m", baseUrl: server.origin });
    expect(await failure(p.call(call("x")))).toMatchObject({
      status: 529,
      retryable: true,
      retryAfterMs: 3000,
      message: expect.stringMatching(/Overloaded$/),
    });
    expect(await failure(p.call(call("x")))).toMatchObject({
      status: 400,
      retryable: false,
      message: expect.stringMatching(/max_tokens too large$/),
    });
  });

  it("garbage is a non-retryable error", async () => {
    server = await startOpenAIServer({ faults: { 0: { malformed: true } } });
    const error = await failure(provider({ type: "anthropic", model: "m", baseUrl: server.origin }).call(call("x")));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/expected an Anthropic message/);
  });
});

describe("http provider", () => {
  it("renders a JSON body template (a lone {{x}} keeps its JSON type), secret headers from env, and reads responsePath", async () => {
    server = await startOpenAIServer();
    const p = provider(
      {
        type: "http",
        url: `${server.url}/chat/completions`,
        headers: { Authorization: "Bearer {{env.HTTP_TOKEN}}", "X-Case": "{{lang}}" },
        body: { model: "m", messages: [{ role: "user", content: "{{prompt}}" }], temperature: "{{vars.temp}}", note: "lang={{lang}}" },
        responsePath: "choices[0].message.content",
        tokensPath: { prompt: "usage.prompt_tokens", completion: "usage.completion_tokens" },
      },
      { HTTP_TOKEN: "tok-SECRET-42" },
    );
    const response = await p.call({ prompt: "one two", vars: { lang: "de", temp: 0.5 }, signal: new AbortController().signal });
    expect(response).toEqual({ output: "one two", tokens: { prompt: 2, completion: 2, total: 4 }, cost: null });
    const [request] = server.requests;
    expect(request?.headers.authorization).toBe("Bearer tok-SECRET-42");
    expect(request?.headers["x-case"]).toBe("de");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.body).toEqual({ model: "m", messages: [{ role: "user", content: "one two" }], temperature: 0.5, note: "lang=de" });
    expect(JSON.stringify(p.identity)).not.toContain("tok-SECRET-42");
  });

  it("a missing responsePath value and a non-JSON body are errors saying what was expected", async () => {
    server = await startOpenAIServer({ faults: { 1: { malformed: true } } });
    const p = provider({
      type: "http",
      url: `${server.url}/chat/completions`,
      body: { model: "m", messages: [{ role: "user", content: "{{prompt}}" }] },
      responsePath: "output.text",
    });
    const missing = await failure(p.call(call("x")));
    expect(missing.retryable).toBe(false);
    expect(missing.message).toMatch(/expected a value at output\.text in the response/);
    const garbage = await failure(p.call(call("x")));
    expect(garbage.message).toMatch(/expected JSON with output\.text/);
  });

  it("without responsePath returns the body text", async () => {
    server = await startOpenAIServer();
    const response = await provider({ type: "http", method: "GET", url: `${server.url}/models` }).call(call(""));
    expect(JSON.parse(response.output)).toMatchObject({ object: "list", data: [{ id: "test-model" }] });
  });

  it("URL templates encode their values", async () => {
    server = await startOpenAIServer();
    const p = provider({
      type: "http",
      url: `${server.url}/chat/completions?q={{q}}&n={{n}}`,
      body: { model: "m", messages: [{ role: "user", content: "{{q}}" }] },
    });
    await p.call({ prompt: "", vars: { q: "a b&c=d", n: 3 }, signal: new AbortController().signal });
    expect(server.requests[0]?.query).toEqual({ q: "a b&c=d", n: "3" });
  });

  it("a case lacking a body variable is a non-retryable error naming it; a missing env secret is an InputError", async () => {
    server = await startOpenAIServer();
    const p = provider({ type: "http", url: `${server.url}/chat/completions`, body: { q: "{{question}}" } });
    const error = await failure(p.call(call("x")));
    expect(error.message).toMatch(/\{\{question\}\}/);
    expect(server.requests).toHaveLength(0);
    expect(() => provider({ type: "http", url: server!.url, headers: { "x-key": "{{env.NOPE_TOKEN}}" } }, {})).toThrow(/NOPE_TOKEN/);
  });

  it("5xx and 429 are retryable", async () => {
    server = await startOpenAIServer({ faults: { 0: { status: 502 }, 1: { status: 429, retryAfter: 1 } } });
    const p = provider({
      type: "http",
      url: `${server.url}/chat/completions`,
      body: { model: "m", messages: [{ role: "user", content: "{{prompt}}" }] },
    });
    expect(await failure(p.call(call("x")))).toMatchObject({ status: 502, retryable: true });
    expect(await failure(p.call(call("x")))).toMatchObject({ status: 429, retryable: true, retryAfterMs: 1000 });
  });
});

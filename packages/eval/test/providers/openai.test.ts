import { InputError, type ProviderConfig, providerConfigSchema, silentLogger } from "@llmops/core";
import { type OpenAIServer, startOpenAIServer } from "@llmops/test/openai-server";
import { afterEach, describe, expect, it } from "vitest";
import { createProvider, ProviderError, parseRetryAfter } from "../../src/providers/index.ts";

const KEY = "sk-test-SECRET-0123456789";
let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function provider(config: Record<string, unknown>, env: NodeJS.ProcessEnv = { OPENAI_API_KEY: KEY }) {
  const parsed: ProviderConfig = providerConfigSchema.parse({ type: "openai", model: "test-model", ...config });
  return createProvider(parsed, { env, cwd: process.cwd(), logger: silentLogger });
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

describe("openai provider", () => {
  it("posts the model, messages and params with a Bearer key; returns output, tokens and cost", async () => {
    server = await startOpenAIServer({
      respond: (r) => ({ content: `echo:${r.messages.at(-1)?.content}`, usage: { prompt: 1000, completion: 500 } }),
    });
    const p = provider({
      baseUrl: server.url,
      apiKeyEnv: "OPENAI_API_KEY",
      params: { temperature: 0, max_tokens: 5 },
      pricing: { prompt: 1, completion: 2 },
    });
    const response = await p.call(call("hi there"));
    expect(response).toEqual({
      output: "echo:hi there",
      tokens: { prompt: 1000, completion: 500, total: 1500 },
      cost: (1000 * 1 + 500 * 2) / 1e6,
      finishReason: "stop",
    });
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toMatchObject({
      model: "test-model",
      temperature: 0,
      max_tokens: 5,
      messages: [{ role: "user", content: "hi there" }],
    });
  });

  it("sends chat messages as given; cost is null without pricing", async () => {
    server = await startOpenAIServer();
    const p = provider({ baseUrl: server.url });
    const messages = [
      { role: "system" as const, content: "terse" },
      { role: "user" as const, content: "a b c" },
    ];
    const response = await p.call(call("system: terse\n\nuser: a b c", { messages }));
    expect(response.output).toBe("a b c");
    expect(response.tokens).toEqual({ prompt: 4, completion: 3, total: 7 });
    expect(response.cost).toBeNull();
    expect(server.requests[0]?.body?.messages).toEqual(messages);
  });

  it("uses the Azure deployment URL form and api-key header when apiVersion is set", async () => {
    server = await startOpenAIServer();
    const p = provider(
      { baseUrl: server.origin, apiVersion: "2024-10-21", deployment: "my-dep", apiKeyEnv: "AZURE_KEY" },
      { AZURE_KEY: KEY },
    );
    await p.call(call("x"));
    const [request] = server.requests;
    expect(request?.path).toBe("/openai/deployments/my-dep/chat/completions");
    expect(request?.query).toEqual({ "api-version": "2024-10-21" });
    expect(request?.headers["api-key"]).toBe(KEY);
    expect(request?.headers.authorization).toBeUndefined();
    expect(p.identity).toMatchObject({ apiVersion: "2024-10-21", deployment: "my-dep" });
  });

  it("a local server needs no key unless apiKeyEnv names one", async () => {
    server = await startOpenAIServer();
    await provider({ baseUrl: server.url }, {}).call(call("x"));
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(() => provider({ baseUrl: server!.url, apiKeyEnv: "LOCAL_KEY" }, {})).toThrow(InputError);
  });

  it("a missing key names the variable (never a value) before any call", () => {
    expect(() => provider({}, {})).toThrow(/environment variable OPENAI_API_KEY is not set/);
    expect(() => provider({ apiKeyEnv: "MY_KEY" }, { OPENAI_API_KEY: KEY })).toThrow(/MY_KEY/);
  });

  it("keeps the key out of the identity and out of errors, even when the server echoes it", async () => {
    server = await startOpenAIServer({ faults: { 0: { status: 401, message: `Incorrect API key provided: ${KEY}` } } });
    const p = provider({ baseUrl: server.url, apiKeyEnv: "OPENAI_API_KEY" });
    expect(JSON.stringify(p.identity)).not.toContain(KEY);
    // The whole config less its id: the key's variable name is part of it, never its value.
    expect(p.identity).toEqual({
      type: "openai",
      model: "test-model",
      baseUrl: server.url,
      apiKeyEnv: "OPENAI_API_KEY",
      params: {},
      headers: {},
    });
    const error = await failure(p.call(call("x")));
    expect(error.status).toBe(401);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("Incorrect API key provided: ***");
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(String(error.stack)).not.toContain(KEY);
  });

  it("429 with Retry-After seconds is retryable with the delay", async () => {
    server = await startOpenAIServer({
      faults: { 0: { status: 429, retryAfter: 2 }, 1: { status: 429, retryAfterMs: 250, retryAfter: 9 } },
    });
    const p = provider({ baseUrl: server.url });
    const first = await failure(p.call(call("x")));
    expect(first).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2000 });
    const second = await failure(p.call(call("x")));
    expect(second).toMatchObject({ status: 429, retryable: true, retryAfterMs: 250 });
    expect((await p.call(call("x"))).output).toBe("x");
  });

  it.each([
    [500, true],
    [503, true],
    [408, true],
    [400, false],
    [404, false],
    [422, false],
  ])("HTTP %i → retryable %s", async (status, retryable) => {
    server = await startOpenAIServer({ faults: { 0: { status, message: "boom" } } });
    const error = await failure(provider({ baseUrl: server.url }).call(call("x")));
    expect(error).toMatchObject({ status, retryable, retryAfterMs: undefined });
    expect(error.message).toBe(`HTTP ${status} from ${server.url}/chat/completions: boom`);
  });

  it("a body that is not JSON is a non-retryable error saying what was expected", async () => {
    server = await startOpenAIServer({ faults: { 0: { malformed: true }, 1: { wrongShape: true } } });
    const p = provider({ baseUrl: server.url });
    const malformed = await failure(p.call(call("x")));
    expect(malformed.retryable).toBe(false);
    expect(malformed.message).toMatch(/expected a chat completion from .*, got a body that is not JSON/);
    const wrong = await failure(p.call(call("x")));
    expect(wrong.retryable).toBe(false);
    expect(wrong.message).toMatch(/expected choices\[0\]\.message\.content to be a string/);
  });

  it("a hung request aborted by the runner's signal is retryable", async () => {
    server = await startOpenAIServer({ faults: { 0: { hang: true } } });
    const controller = new AbortController();
    const pending = provider({ baseUrl: server.url }).call(call("x", { signal: controller.signal }));
    while (server.requests.length === 0) await new Promise((r) => setImmediate(r));
    controller.abort(new Error("timeout"));
    const error = await failure(pending);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/timed out or was aborted/);
  });

  it("a reset connection and a refused connection are retryable", async () => {
    server = await startOpenAIServer({ faults: { 0: { reset: true } } });
    const reset = await failure(provider({ baseUrl: server.url }).call(call("x")));
    expect(reset.retryable).toBe(true);
    const url = server.url;
    await server.close();
    server = undefined;
    const refused = await failure(provider({ baseUrl: url }).call(call("x")));
    expect(refused.retryable).toBe(true);
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });
});

describe("parseRetryAfter", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  it("reads seconds, fractional seconds, an HTTP date and retry-after-ms (which wins)", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter(h({ "retry-after": "120" }), now)).toBe(120_000);
    expect(parseRetryAfter(h({ "retry-after": "0.5" }), now)).toBe(500);
    expect(parseRetryAfter(h({ "retry-after": "Wed, 21 Oct 2015 07:28:30 GMT" }), now)).toBe(30_000);
    expect(parseRetryAfter(h({ "retry-after": "Wed, 21 Oct 2015 07:27:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfter(h({ "retry-after-ms": "1500", "retry-after": "9" }), now)).toBe(1500);
  });
  it("is undefined when absent or unparseable", () => {
    expect(parseRetryAfter(h({}))).toBeUndefined();
    expect(parseRetryAfter(h({ "retry-after": "soon" }))).toBeUndefined();
  });
});

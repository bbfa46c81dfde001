// The local LLM API test servers (test/src/openai-server.ts, test/src/anthropic-server.ts) and
// their contracts: requests the published descriptions allow are served, others are refused with
// the API's error body and recorded; every response, stream chunk and error body the servers
// produce validates; streaming timing options are honoured (lower bounds only); embeddings are
// deterministic.
import { existsSync, readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import { deriveSchemas } from "../scripts/extract-anthropic-spec.ts";
import { extract } from "../scripts/extract-openai-openapi.ts";
import { type AnthropicServer, startAnthropicServer } from "./src/anthropic-server.ts";
import { anthropicSpec } from "./src/llm-contract/anthropic-spec.ts";
import { openAISpec } from "./src/llm-contract/openai-spec.ts";
import { exampleFor } from "./src/llm-contract/schema.ts";
import { hashedEmbedding, type OpenAIServer, type OpenAIServerOptions, splitTokens, startOpenAIServer } from "./src/openai-server.ts";

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON responses, read field by field in assertions.
type Json = any;

let open: (OpenAIServer | AnthropicServer)[] = [];
afterEach(async () => {
  const servers = open;
  open = [];
  await Promise.all(servers.map((s) => s.close()));
});

async function openaiServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const server = await startOpenAIServer(options);
  open.push(server);
  return server;
}

async function anthropicServer(options: OpenAIServerOptions = {}): Promise<AnthropicServer> {
  const server = await startAnthropicServer(options);
  open.push(server);
  return server;
}

const user = (content: string) => ({ role: "user", content });
const WEATHER = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
      required: ["city", "unit"],
      additionalProperties: false,
    },
  },
};
const ANTHROPIC_WEATHER = { name: "get_weather", description: "Weather for a city", input_schema: WEATHER.function.parameters };
const ANTHROPIC_HEADERS = { "content-type": "application/json", "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01" };

async function post(url: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) {
  const response = await fetch(url, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

const chat = (server: OpenAIServer, body: Record<string, unknown>) =>
  post(`${server.url}/chat/completions`, { model: "gpt-test", ...body });
const messages = (server: AnthropicServer, body: Record<string, unknown>, headers: Record<string, string> = ANTHROPIC_HEADERS) =>
  post(`${server.url}/v1/messages`, { model: "claude-test", max_tokens: 256, ...body }, headers);

interface SseEvent {
  event?: string;
  data: string;
  /** ms since the request was sent. */
  at: number;
}

/** Posts and reads an SSE response event by event, timing each. */
async function stream(url: string, body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) {
  const started = performance.now();
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const at = performance.now() - started;
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(frame)?.[1];
      const data = frame
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n");
      events.push({ ...(event ? { event } : {}), data, at });
      end = buffer.indexOf("\n\n");
    }
  }
  expect(buffer).toBe("");
  return events;
}

describe("fixtures", () => {
  it("record where they come from", () => {
    const openai = openAISpec().fixture;
    expect(openai.source).toMatchObject({ repository: "openai/openai-openapi", path: "openapi.json" });
    expect(openai.source.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Object.keys(openai.operations).sort()).toEqual(["createChatCompletion", "createEmbedding"]);
    for (const name of [
      "CreateChatCompletionRequest",
      "CreateChatCompletionResponse",
      "CreateChatCompletionStreamResponse",
      "CreateEmbeddingRequest",
      "CreateEmbeddingResponse",
      "ErrorResponse",
    ]) {
      expect(openai.schemas[name], name).toBeDefined();
    }
    // Every $ref resolves inside the fixture.
    for (const ref of JSON.stringify(openai.schemas).match(/#\/schemas\/[^"]+/g) ?? [])
      expect(openai.schemas[ref.slice(10)], ref).toBeDefined();
    const anthropic = anthropicSpec().fixture;
    expect(anthropic.source).toMatchObject({
      package: "@anthropic-ai/sdk",
      files: ["resources/messages/messages.d.ts", "resources/shared.d.ts"],
    });
    expect(anthropic.source.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const ref of JSON.stringify(anthropic.definitions).match(/#\/definitions\/[^"]+/g) ?? []) {
      expect(anthropic.definitions[ref.slice(14)], ref).toBeDefined();
    }
  });

  // Re-deriving needs the source, which is not a dependency: set OPENAI_OPENAPI_FILE (openapi.json
  // at the recorded commit) or ANTHROPIC_SDK_DIR (the unpacked package of the recorded version).
  it.runIf(existsSync(process.env.OPENAI_OPENAPI_FILE ?? "/nonexistent"))(
    "the OpenAI fixture is what the script extracts from the recorded source",
    () => {
      const doc = JSON.parse(readFileSync(process.env.OPENAI_OPENAPI_FILE!, "utf8"));
      const { operations, schemas } = extract(doc);
      expect({ operations, schemas }).toEqual({ operations: openAISpec().fixture.operations, schemas: openAISpec().fixture.schemas });
    },
  );

  it.runIf(existsSync(process.env.ANTHROPIC_SDK_DIR ?? "/nonexistent"))(
    "the Anthropic schemas still match the SDK's type declarations",
    () => {
      const dir = process.env.ANTHROPIC_SDK_DIR!;
      const version = (JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as { version: string }).version;
      expect(version).toBe(anthropicSpec().fixture.source.version);
      expect(deriveSchemas(dir)).toEqual(anthropicSpec().fixture.definitions);
    },
  );
});

describe("OpenAI-compatible server: contract", () => {
  it("serves a valid request with a response that validates, and records no violation", async () => {
    const server = await openaiServer();
    const res = await chat(server, {
      messages: [{ role: "system", content: "be brief" }, user("hello there")],
      temperature: 0,
      max_completion_tokens: 20,
    });
    expect(res.status).toBe(200);
    expect(openAISpec().chatResponse(res.body)).toEqual({ ok: true, errors: [] });
    expect(res.body.choices[0]).toMatchObject({
      message: { role: "assistant", content: "hello there", refusal: null },
      finish_reason: "stop",
      logprobs: null,
    });
    expect(server.violations).toEqual([]);
  });

  it.each([
    [
      "a tool message without tool_call_id",
      { messages: [user("x"), { role: "tool", content: "42" }] },
      /messages\[1\]\.tool_call_id: required/,
    ],
    ["an unknown role", { messages: [{ role: "robot", content: "x" }] }, /messages\[0\]\.role: "robot" is not one of/],
    [
      "tools whose parameters are not an object",
      { messages: [user("x")], tools: [{ type: "function", function: { name: "f", parameters: "none" } }] },
      /tools\[0\]\.function\.parameters: must be object/,
    ],
    [
      "tools whose parameters are not an object schema",
      { messages: [user("x")], tools: [{ type: "function", function: { name: "f", parameters: { type: "string" } } }] },
      /type: "object"/,
    ],
    ["no messages", { messages: [] }, /messages: must NOT have fewer than 1 items/],
    ["no model", { model: undefined, messages: [user("x")] }, /model: required property is missing/],
    [
      "a tool message answering no tool call",
      { messages: [user("x"), { role: "tool", tool_call_id: "call_1", content: "42" }] },
      /must be a response to a preceeding message with 'tool_calls'/,
    ],
    [
      "tool calls left unanswered",
      {
        messages: [
          user("x"),
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] },
          user("y"),
        ],
      },
      /did not have response messages: call_1/,
    ],
    ["tool_choice without tools", { messages: [user("x")], tool_choice: "required" }, /only allowed when 'tools' are specified/],
    [
      "tool_choice naming no tool",
      { messages: [user("x")], tools: [WEATHER], tool_choice: { type: "function", function: { name: "other" } } },
      /"other" is not among the tools/,
    ],
    [
      "stream_options without stream",
      { messages: [user("x")], stream_options: { include_usage: true } },
      /only allowed when 'stream' is enabled/,
    ],
    [
      "a response_format without a name",
      { messages: [user("x")], response_format: { type: "json_schema", json_schema: { schema: { type: "object" } } } },
      /response_format\.json_schema\.name: required/,
    ],
  ])("refuses %s with a 400 naming the problem, and records it", async (_name, body, pattern) => {
    const server = await openaiServer();
    const res = await chat(server, body);
    expect(res.status).toBe(400);
    expect(openAISpec().error(res.body).ok).toBe(true);
    expect(res.body.error.type).toBe("invalid_request_error");
    expect(res.body.error.message).toMatch(pattern);
    const taken = server.takeViolations();
    expect(taken).toHaveLength(1);
    expect(taken[0]).toMatchObject({ route: "chat", index: 0, direction: "request" });
    expect(taken[0]!.errors.join("\n")).toMatch(pattern);
    expect(server.requests[0]!.violations.join("\n")).toMatch(pattern);
  });

  it("accepts tool parameter schemas that name their dialect ($schema draft-07 or 2020-12)", async () => {
    const server = await openaiServer();
    const parameters = { $schema: "http://json-schema.org/draft-07/schema#", type: "object", properties: { q: { type: "string" } } };
    const res = await chat(server, { messages: [user("x")], tools: [{ type: "function", function: { name: "f", parameters } }] });
    expect(res.status).toBe(200);
    const anthropic = await anthropicServer();
    const input_schema = { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: { q: { type: "string" } } };
    expect((await messages(anthropic, { messages: [user("x")], tools: [{ name: "f", input_schema }] })).status).toBe(200);
  });

  it("unknown parameters pass unless strictParameters (the description allows them; the API does not)", async () => {
    const lenient = await openaiServer();
    expect((await chat(lenient, { messages: [user("x")], max_token: 5 })).status).toBe(200);
    const strict = await openaiServer({ strictParameters: true });
    const res = await chat(strict, { messages: [user("x")], max_token: 5 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("Unrecognized request argument supplied: max_token");
    expect(strict.takeViolations()).toHaveLength(1);
  });

  it("records a body that is not JSON and an unknown route", async () => {
    const server = await openaiServer();
    expect((await post(`${server.url}/chat/completions`, "{not json")).status).toBe(400);
    expect((await post(`${server.url}/chat/complete`, { model: "m" })).status).toBe(404);
    expect(server.takeViolations().map((v) => v.errors[0])).toEqual([
      "the body is not a JSON object",
      "no such operation: POST /v1/chat/complete",
    ]);
  });

  it("a violation left on the record fails close() outside a test's check", async () => {
    const server = await startOpenAIServer({ checkAfterTest: false });
    await chat(server, { messages: [{ role: "robot", content: "x" }] });
    await expect(server.close()).rejects.toThrow(/1 request\(s\) the API's published description does not allow[\s\S]*"robot"/);
  });

  it("records its own responses that do not match the description (a respond callback's tool call without a name)", async () => {
    const server = await openaiServer({ respond: () => ({ toolCalls: [{ name: undefined as unknown as string, arguments: {} }] }) });
    await chat(server, { messages: [user("x")] });
    const [violation] = server.takeViolations();
    expect(violation).toMatchObject({ direction: "response" });
    expect(violation!.errors.join("\n")).toMatch(/tool_calls\[0\]/);
  });
});

describe("OpenAI-compatible server: behaviour", () => {
  it("answers with tool calls from the toolCalls rule, then with text after the tool results", async () => {
    const server = await openaiServer({
      toolCalls: (r) =>
        r.toolResults.length ? undefined : [{ name: "get_weather", arguments: { city: r.messages.at(-1)!.content, unit: "c" } }],
    });
    const first = await chat(server, { messages: [user("Paris")], tools: [WEATHER], tool_choice: "auto", parallel_tool_calls: false });
    expect(first.status).toBe(200);
    const message = first.body.choices[0].message;
    expect(first.body.choices[0].finish_reason).toBe("tool_calls");
    expect(message.content).toBeNull();
    expect(message.tool_calls).toHaveLength(1);
    expect(message.tool_calls[0]).toMatchObject({ type: "function", function: { name: "get_weather" } });
    expect(JSON.parse(message.tool_calls[0].function.arguments)).toEqual({ city: "Paris", unit: "c" });
    expect(message.tool_calls[0].id).toMatch(/^call_/);
    const second = await chat(server, {
      messages: [user("Paris"), message, { role: "tool", tool_call_id: message.tool_calls[0].id, content: "18 degrees" }],
      tools: [WEATHER],
    });
    expect(second.body.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "18 degrees" } });
    expect(server.requests[1]).toMatchObject({
      toolResults: [{ id: message.tool_calls[0].id, name: "get_weather", content: "18 degrees" }],
      toolTurns: 1,
    });
  });

  it("a forced tool is called with arguments valid for its schema by default; tool_choice none answers text", async () => {
    const server = await openaiServer();
    const forced = await chat(server, {
      messages: [user("x")],
      tools: [WEATHER],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    const args = JSON.parse(forced.body.choices[0].message.tool_calls[0].function.arguments);
    expect(new Ajv().validate(WEATHER.function.parameters, args)).toBe(true);
    const none = await chat(server, { messages: [user("plain")], tools: [WEATHER], tool_choice: "none" });
    expect(none.body.choices[0].message.content).toBe("plain");
  });

  it("toolTurns scripts an agent loop: calls until that many tool turns, then text", async () => {
    const server = await openaiServer({ toolTurns: 2 });
    const history: unknown[] = [user("go")];
    for (let turn = 0; turn < 3; turn++) {
      const res = await chat(server, { messages: history, tools: [WEATHER] });
      const message = res.body.choices[0].message;
      history.push(message);
      if (turn < 2) {
        expect(res.body.choices[0].finish_reason).toBe("tool_calls");
        history.push({ role: "tool", tool_call_id: message.tool_calls[0].id, content: `result ${turn}` });
      } else expect(message.content).toBe("result 1");
    }
  });

  it("structured output: json_schema answers JSON valid for the schema, from `structured` or an example", async () => {
    const schema = {
      type: "object",
      properties: { answer: { type: "string" }, score: { type: "integer", minimum: 1 } },
      required: ["answer", "score"],
      additionalProperties: false,
    };
    const format = { type: "json_schema", json_schema: { name: "grade", schema, strict: true } };
    const example = await openaiServer();
    const res = await chat(example, { messages: [user("x")], response_format: format });
    expect(new Ajv().validate(schema, JSON.parse(res.body.choices[0].message.content))).toBe(true);
    const given = await openaiServer({ structured: (r, s) => ({ answer: r.messages.at(-1)!.content, score: s === schema ? 1 : 2 }) });
    const res2 = await chat(given, { messages: [user("yes")], response_format: format });
    expect(JSON.parse(res2.body.choices[0].message.content)).toEqual({ answer: "yes", score: 2 });
    expect(given.requests[0]!.responseSchema).toEqual({ name: "grade", schema });
  });

  it("streams content deltas as valid chunks, with the usage chunk and [DONE], after ttftMs and interTokenMs", async () => {
    const server = await openaiServer({ ttftMs: 40, interTokenMs: 5, reply: "one two three four five six" });
    const events = await stream(`${server.url}/chat/completions`, {
      model: "m",
      messages: [user("x")],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(events.at(-1)!.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    for (const chunk of chunks) expect(openAISpec().chatChunk(chunk)).toEqual({ ok: true, errors: [] });
    const content = chunks.flatMap((c) => c.choices.map((choice: Json) => choice.delta.content ?? "")).join("");
    expect(content).toBe("one two three four five six");
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(6);
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 6, total_tokens: 7 } });
    // Lower bounds only: timers never fire early, but a busy machine may be late.
    expect(events[0]!.at).toBeGreaterThanOrEqual(38);
    // Token k is due ttftMs + k * interTokenMs after the headers (absolute deadlines: a late first
    // token does not push the others back).
    expect(events.at(-1)!.at).toBeGreaterThanOrEqual(40 + 5 * 5 - 2);
    expect(server.violations).toEqual([]);
  });

  it("streams tool calls as an opening delta (id, name) then argument fragments", async () => {
    const server = await openaiServer({
      toolCalls: () => [
        { name: "get_weather", arguments: { city: "New York", unit: "f" } },
        { name: "get_weather", arguments: { city: "Oslo", unit: "c" } },
      ],
    });
    const events = await stream(`${server.url}/chat/completions`, { model: "m", messages: [user("x")], tools: [WEATHER], stream: true });
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    for (const chunk of chunks) expect(openAISpec().chatChunk(chunk).ok).toBe(true);
    const calls: { id?: string; name?: string; arguments: string; fragments: number }[] = [];
    for (const chunk of chunks) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        calls[delta.index] ??= { arguments: "", fragments: 0 };
        const call = calls[delta.index]!;
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        if (delta.function?.arguments) {
          call.arguments += delta.function.arguments;
          call.fragments++;
        }
      }
    }
    expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ["get_weather", { city: "New York", unit: "f" }],
      ["get_weather", { city: "Oslo", unit: "c" }],
    ]);
    expect(calls.every((c) => c.fragments > 3 && c.id?.startsWith("call_"))).toBe(true);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
  });

  it("a refusal is OpenAI's refusal field (content null) and Anthropic's stop_reason refusal", async () => {
    const server = await openaiServer({ respond: () => ({ refusal: "No." }) });
    const res = await chat(server, { messages: [user("x")] });
    expect(res.body.choices[0]).toMatchObject({ message: { content: null, refusal: "No." }, finish_reason: "stop" });
    const anthropic = await anthropicServer({ respond: () => ({ refusal: "No." }) });
    const message = await messages(anthropic, { messages: [user("x")] });
    expect(message.body).toMatchObject({ stop_reason: "refusal", content: [{ type: "text", text: "No." }] });
  });

  it("errorAfterChunks ends a stream with the API's in-stream error event", async () => {
    const server = await openaiServer({ faults: { 0: { errorAfterChunks: 2, status: 500, message: "boom" } }, reply: "a b c d e" });
    const events = await stream(`${server.url}/chat/completions`, { model: "m", messages: [user("x")], stream: true });
    expect(events.map((e) => JSON.parse(e.data).error?.message ?? "chunk")).toEqual(["chunk", "chunk", "boom"]);
    const anthropic = await anthropicServer({ faults: { 0: { errorAfterChunks: 1 } }, reply: "a b c" });
    const anthropicEvents = await stream(
      `${anthropic.url}/v1/messages`,
      { model: "c", max_tokens: 9, stream: true, messages: [user("x")] },
      ANTHROPIC_HEADERS,
    );
    expect(anthropicEvents.at(-1)).toMatchObject({ event: "error" });
    expect(JSON.parse(anthropicEvents.at(-1)!.data)).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    expect(anthropicEvents.map((e) => e.event)).not.toContain("message_stop");
  });

  it("a cut stream ends without [DONE]", async () => {
    const server = await openaiServer({ faults: { 0: { cutAfterChunks: 2 } }, reply: "a b c d e" });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [user("x")], stream: true }),
    });
    const text = await response.text().catch(() => "cut");
    expect(text).not.toContain("[DONE]");
  });

  it("errors: 429 with retry-after, 500 and 400 carry OpenAI's error body", async () => {
    const server = await openaiServer({
      faults: { 0: { status: 429, retryAfter: 2 }, 1: { status: 500 }, 2: { status: 400, message: "bad" } },
    });
    const limited = await chat(server, { messages: [user("x")] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(limited.body.error).toMatchObject({ type: "rate_limit_error", param: null, code: null });
    const failed = await chat(server, { messages: [user("x")] });
    expect(failed.status).toBe(500);
    const bad = await chat(server, { messages: [user("x")] });
    expect(bad.body.error).toMatchObject({ message: "bad", type: "invalid_request_error" });
    for (const body of [limited.body, failed.body, bad.body]) expect(openAISpec().error(body).ok).toBe(true);
    expect(server.violations).toEqual([]);
  });
});

describe("OpenAI-compatible server: embeddings", () => {
  it("answers deterministic, normalised vectors; similar texts are closer; fixed vectors and dimensions apply", async () => {
    const server = await openaiServer({ embeddings: { fixed: [1, 0, 0] } });
    const res = await post(`${server.url}/embeddings`, {
      model: "text-embedding-3-small",
      input: ["the cat sat", "the cat sat", "a cat sat down", "stock prices fell", "fixed"],
    });
    expect(res.status).toBe(200);
    expect(openAISpec().embeddingResponse(res.body).ok).toBe(true);
    const vectors = res.body.data.map((d: Json) => d.embedding as number[]);
    expect(res.body.data.map((d: Json) => d.index)).toEqual([0, 1, 2, 3, 4]);
    expect(vectors[0]).toEqual(vectors[1]);
    expect(vectors[0]).toEqual(hashedEmbedding("the cat sat", 64));
    expect(vectors[0]).toHaveLength(64);
    const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
    expect(dot(vectors[0], vectors[0])).toBeCloseTo(1, 10);
    expect(dot(vectors[0], vectors[2])).toBeGreaterThan(dot(vectors[0], vectors[3]));
    expect(vectors[4]).toEqual([1, 0, 0]);
    expect(res.body.usage).toEqual({ prompt_tokens: 14, total_tokens: 14 });
    const sized = await post(`${server.url}/embeddings`, { model: "m", input: "the cat", dimensions: 8 });
    expect(sized.body.data[0].embedding).toHaveLength(8);
    const b64 = await post(`${server.url}/embeddings`, { model: "m", input: "the cat", encoding_format: "base64" });
    const bytes = Buffer.from(b64.body.data[0].embedding, "base64");
    const decoded = [...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4)];
    expect(decoded.map((x) => Math.round(x * 1e5))).toEqual(hashedEmbedding("the cat", 64).map((x) => Math.round(x * 1e5)));
    expect(server.embeddingRequests.map((r) => r.inputs.length)).toEqual([5, 1, 1]);
  });

  it("refuses requests the description does not allow, and serves injected faults", async () => {
    const server = await openaiServer({ embeddingFaults: (r) => (r.inputs[0] === "limited" ? { status: 429, retryAfter: 1 } : undefined) });
    const missing = await post(`${server.url}/embeddings`, { model: "m" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/input: required/);
    const extra = await post(`${server.url}/embeddings`, { model: "m", input: "x", normalize: true });
    expect(extra.body.error.message).toMatch(/normalize: unknown property/);
    expect(server.takeViolations()).toHaveLength(2);
    const limited = await post(`${server.url}/embeddings`, { model: "m", input: "limited" });
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "1"]);
  });
});

describe("Anthropic server", () => {
  it("serves a valid request; the message validates; system and consecutive user turns are allowed", async () => {
    const server = await anthropicServer();
    const res = await messages(server, {
      system: "be brief",
      messages: [user("first"), user("second"), { role: "assistant", content: "" }],
      metadata: { user_id: "u1" },
    });
    expect(res.status).toBe(200);
    expect(anthropicSpec().message(res.body)).toEqual({ ok: true, errors: [] });
    expect(res.body).toMatchObject({
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "second" }],
      stop_reason: "end_turn",
    });
    expect(server.requests[0]!.messages[0]).toEqual({ role: "system", content: "be brief" });
  });

  it("requires x-api-key and anthropic-version", async () => {
    const server = await anthropicServer();
    const noVersion = await messages(server, { messages: [user("x")] }, { "content-type": "application/json", "x-api-key": "k" });
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: "anthropic-version: header is required" },
    });
    const noKey = await messages(
      server,
      { messages: [user("x")] },
      { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    );
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.type).toBe("authentication_error");
    expect(anthropicSpec().error(noKey.body).ok).toBe(true);
    expect(server.takeViolations()).toHaveLength(2);
  });

  it.each([
    ["no max_tokens", { max_tokens: undefined, messages: [user("x")] }, /max_tokens: required property is missing/],
    ["an unknown role", { messages: [{ role: "robot", content: "x" }] }, /messages\[0\]\.role: "robot" is not one of/],
    ["an unknown field", { messages: [user("x")], top_q: 1 }, /top_q: unknown property/],
    [
      "a block missing its field",
      { messages: [{ role: "user", content: [{ type: "tool_result", content: "x" }] }] },
      /messages\[0\]\.content\[0\]\.tool_use_id: required/,
    ],
    [
      "a tool_result answering no tool_use",
      { messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "x" }] }] },
      /unexpected `tool_use_id`/,
    ],
    [
      "a tool_use left unanswered",
      {
        messages: [
          user("x"),
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] },
          user("y"),
        ],
      },
      /`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
    ],
    [
      "a tool whose input_schema is not an object schema",
      { messages: [user("x")], tools: [{ name: "f", input_schema: { type: "string" } }] },
      /tools\[0\]\.input_schema\.type: "string" is not "object"/,
    ],
    [
      "an empty message",
      { messages: [user(""), { role: "assistant", content: "a" }, user("b")] },
      /all messages must have non-empty content/,
    ],
    [
      "an empty text block",
      { messages: [{ role: "user", content: [{ type: "text", text: "" }] }] },
      /text content blocks must be non-empty/,
    ],
    ["tool_choice without tools", { messages: [user("x")], tool_choice: { type: "any" } }, /may only be specified while providing `tools`/],
    [
      "tool_choice naming no tool",
      { messages: [user("x")], tools: [ANTHROPIC_WEATHER], tool_choice: { type: "tool", name: "other" } },
      /"other" is not among the tools/,
    ],
  ])("refuses %s with Anthropic's 400 body, and records it", async (_name, body, pattern) => {
    const server = await anthropicServer();
    const res = await messages(server, body);
    expect(res.status).toBe(400);
    expect(anthropicSpec().error(res.body).ok).toBe(true);
    expect(res.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(res.body.error.message).toMatch(pattern);
    const [violation, ...rest] = server.takeViolations();
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ route: "messages", direction: "request" });
  });

  it("answers tool_use blocks, then text after the tool_result; a forced tool carries structured output", async () => {
    const server = await anthropicServer({
      toolCalls: (r) => (r.toolResults.length ? undefined : [{ name: "get_weather", arguments: { city: "Paris", unit: "c" } }]),
    });
    const first = await messages(server, { messages: [user("weather?")], tools: [ANTHROPIC_WEATHER], tool_choice: { type: "auto" } });
    expect(first.body.stop_reason).toBe("tool_use");
    const [block] = first.body.content;
    expect(block).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris", unit: "c" } });
    expect(block.id).toMatch(/^toolu_/);
    const second = await messages(server, {
      messages: [
        user("weather?"),
        { role: "assistant", content: first.body.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: block.id, content: "18 degrees" }] },
      ],
      tools: [ANTHROPIC_WEATHER],
    });
    expect(second.body).toMatchObject({ stop_reason: "end_turn", content: [{ type: "text", text: "18 degrees" }] });
    expect(server.requests[1]!.toolResults).toEqual([{ id: block.id, name: "get_weather", content: "18 degrees" }]);

    const structured = await anthropicServer({ structured: () => ({ answer: "42", score: 5 }) });
    const schema = {
      type: "object",
      properties: { answer: { type: "string" }, score: { type: "integer" } },
      required: ["answer", "score"],
    };
    const res = await messages(structured, {
      messages: [user("x")],
      tools: [{ name: "respond", input_schema: schema }],
      tool_choice: { type: "tool", name: "respond" },
    });
    expect(res.body.content).toEqual([expect.objectContaining({ type: "tool_use", name: "respond", input: { answer: "42", score: 5 } })]);
    const example = await messages(structured, { messages: [user("x")], output_config: { format: { type: "json_schema", schema } } });
    expect(JSON.parse(example.body.content[0].text)).toEqual({ answer: "42", score: 5 });
  });

  it("streams the documented event sequence, every event valid, text and input_json deltas, after ttftMs", async () => {
    const server = await anthropicServer({ ttftMs: 30, interTokenMs: 3, reply: "alpha beta gamma" });
    const events = await stream(
      `${server.url}/v1/messages`,
      { model: "claude-test", max_tokens: 64, stream: true, messages: [user("x")] },
      ANTHROPIC_HEADERS,
    );
    for (const event of events) expect(anthropicSpec().streamEvent(event.event!, JSON.parse(event.data))).toEqual({ ok: true, errors: [] });
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      ...Array(3).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const data = events.map((e) => JSON.parse(e.data));
    expect(
      data
        .filter((d) => d.type === "content_block_delta")
        .map((d) => d.delta.text)
        .join(""),
    ).toBe("alpha beta gamma");
    expect(data.find((d) => d.type === "message_delta")).toMatchObject({ delta: { stop_reason: "end_turn" }, usage: { output_tokens: 3 } });
    expect(events[0]!.at).toBeGreaterThanOrEqual(28);

    const tools = await anthropicServer({ toolCalls: () => [{ name: "get_weather", arguments: { city: "Rome", unit: "c" } }] });
    const toolEvents = await stream(
      `${tools.url}/v1/messages`,
      { model: "claude-test", max_tokens: 64, stream: true, messages: [user("x")], tools: [ANTHROPIC_WEATHER] },
      ANTHROPIC_HEADERS,
    );
    const toolData = toolEvents.map((e) => JSON.parse(e.data));
    for (const event of toolEvents) expect(anthropicSpec().streamEvent(event.event!, JSON.parse(event.data)).ok).toBe(true);
    expect(toolData[1]).toMatchObject({
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", name: "get_weather", input: {} },
    });
    const partial = toolData.filter((d) => d.type === "content_block_delta").map((d) => d.delta.partial_json as string);
    expect(partial.length).toBeGreaterThan(3);
    expect(JSON.parse(partial.join(""))).toEqual({ city: "Rome", unit: "c" });
    expect(toolData.find((d) => d.type === "message_delta").delta.stop_reason).toBe("tool_use");
  });

  it("errors carry Anthropic's error body: 429 with retry-after, 529 overloaded, 500", async () => {
    const server = await anthropicServer({ faults: { 0: { status: 429, retryAfter: 3 }, 1: { status: 529 }, 2: { status: 500 } } });
    const limited = await messages(server, { messages: [user("x")] });
    expect([limited.status, limited.headers.get("retry-after"), limited.body.error.type]).toEqual([429, "3", "rate_limit_error"]);
    const overloaded = await messages(server, { messages: [user("x")] });
    expect([overloaded.status, overloaded.body.error.type]).toEqual([529, "overloaded_error"]);
    const failed = await messages(server, { messages: [user("x")] });
    expect([failed.status, failed.body.error.type]).toEqual([500, "api_error"]);
    for (const body of [limited.body, overloaded.body, failed.body]) expect(anthropicSpec().error(body)).toEqual({ ok: true, errors: [] });
  });
});

describe("helpers", () => {
  it("splitTokens pieces join back to the text, one per token", () => {
    for (const text of ["", "one", " lead and trail ", '{"a": [1, 2]}', "naïve—café 42!"]) expect(splitTokens(text).join("")).toBe(text);
    expect(splitTokens("one two, three")).toEqual(["one", " two", ",", " three"]);
  });

  it("exampleFor gives values valid for common schemas", () => {
    const ajv = new Ajv();
    for (const schema of [
      {
        type: "object",
        properties: {
          a: { type: "string", minLength: 3 },
          b: { type: "array", items: { type: "number" }, minItems: 2 },
          c: { enum: ["x", "y"] },
        },
        required: ["a", "b", "c"],
      },
      { anyOf: [{ type: "null" }, { type: "integer", minimum: 4 }] },
      {
        type: "object",
        properties: { nested: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } },
        required: ["nested"],
      },
    ]) {
      expect(ajv.validate(schema, exampleFor(schema)), JSON.stringify(schema)).toBe(true);
    }
  });
});

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { anthropicSpec } from "./llm-contract/anthropic-spec.ts";
import { openAISpec } from "./llm-contract/openai-spec.ts";
import { type Check, exampleFor, isSchema } from "./llm-contract/schema.ts";

/**
 * A local OpenAI-compatible (and Anthropic Messages) server for tests and benchmarks: chat
 * completions (`/v1/chat/completions`, also Azure's deployment form), Anthropic messages
 * (`/v1/messages`), embeddings (`/v1/embeddings`) and `GET /v1/models`; text, tool calls,
 * structured output and streaming (SSE with content and tool-call deltas, configurable time to
 * first token and between tokens); configurable latency and faults (error statuses with
 * Retry-After, malformed bodies, requests that never answer, connections reset mid-request or
 * mid-stream).
 *
 * Contract checks: every request is validated against the published API description (OpenAI's
 * OpenAPI description from openai/openai-openapi, test/fixtures/openai-openapi/; the schemas
 * derived from `@anthropic-ai/sdk`'s published types, test/fixtures/anthropic/), plus the rules
 * the APIs enforce that schemas cannot express (see llm-contract/). A request the description
 * does not allow is answered 400 with the API's error body naming every problem, and recorded as a
 * violation; so is every response this server produces (JSON bodies, each SSE chunk, error
 * bodies) that does not match the description (a bug in the server or in a test's `respond`).
 * Violations fail the test that caused them even when the code under test swallowed the 400:
 * when the server is started inside a running vitest test the check runs when that test finishes;
 * otherwise `close()` rejects. A test that sends invalid requests on purpose takes them off the
 * record with `takeViolations()`.
 */

export type Fault =
  /** An error status; `retryAfter` becomes `Retry-After` (seconds or an HTTP date), `retryAfterMs` becomes `retry-after-ms`. */
  | { status: number; retryAfter?: number | string; retryAfterMs?: number; message?: string }
  /** A 200 whose body is not JSON. */
  | { malformed: true }
  /** A 200 that is valid JSON but not a chat completion (no choices). */
  | { wrongShape: true }
  /** Never answers (until the client gives up or the server closes). */
  | { hang: true }
  /** Destroys the socket without a response. */
  | { reset: true }
  /** Streams, then destroys the socket after this many writes (the first holds the opening events and first token; then one token each); a non-streaming request is reset at once. */
  | { cutAfterChunks: number }
  /**
   * Streams, then after this many writes sends the API's in-stream error and ends the stream
   * (OpenAI: `data: {"error": {...}}`; Anthropic: `event: error` with its error body; default
   * `status` 529 for Anthropic, 500 for OpenAI, which picks the error type). A non-streaming
   * request gets that status as an ordinary error response.
   */
  | { errorAfterChunks: number; status?: number; message?: string };

export type Route = "chat" | "messages";

export interface ToolSpec {
  name: string;
  description?: string;
  /** The tool's JSON Schema (`function.parameters` / `input_schema`); `{}` when the request gave none. */
  parameters: Record<string, unknown>;
}

export interface ToolResult {
  /** `tool_call_id` / `tool_use_id`. */
  id: string;
  /** The tool's name, looked up in the assistant turn that called it. */
  name?: string;
  content: string;
}

export interface ChatRequest {
  /** 0-based, in arrival order, over both chat routes. */
  index: number;
  route: Route;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The parsed JSON body (null when it was not JSON). */
  body: Record<string, unknown> | null;
  model: string;
  /**
   * Messages normalised to `{role, content}` (Anthropic `system` becomes a leading system message;
   * tool results, OpenAI `tool` messages and Anthropic `tool_result` blocks alike, become `tool` messages).
   */
  messages: { role: string; content: string }[];
  /** How many earlier requests had the same body: 0 for a first attempt, 1 for the first retry, ... */
  attempt: number;
  /** `stream: true` was requested. */
  stream: boolean;
  tools: ToolSpec[];
  /** Normalised `tool_choice`: a named tool is `{name}`; Anthropic's `any` is `required`. */
  toolChoice?: "auto" | "none" | "required" | { name: string };
  /** The schema the reply must satisfy: OpenAI `response_format` (json_schema / json_object) or Anthropic `output_config.format`. */
  responseSchema?: { name: string; schema: Record<string, unknown> };
  /** The tool results the conversation ends with (empty when the last turn is not a tool result). */
  toolResults: ToolResult[];
  /** Assistant turns that called tools, in the conversation so far. */
  toolTurns: number;
  /** Why the request breaks the API's contract; empty for a valid request. */
  violations: string[];
}

export interface ToolCallReply {
  /** Default: a deterministic id (`call_...` / `toolu_...`). */
  id?: string;
  name: string;
  /** An object (serialised) or a string sent as is (OpenAI) / parsed (Anthropic). */
  arguments: unknown;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export type Reply =
  | string
  | {
      content?: string;
      /** Answer with these tool calls (finish reason `tool_calls` / stop reason `tool_use`). */
      toolCalls?: ToolCallReply[];
      /** Structured output: serialised as the content. */
      json?: unknown;
      /**
       * A refusal: OpenAI's `refusal` field (content null; streamed as `refusal` deltas), Anthropic's
       * `stop_reason: "refusal"` with this text as the content.
       */
      refusal?: string;
      finishReason?: FinishReason;
      usage?: { prompt: number; completion: number };
    };

export interface EmbeddingRequest {
  index: number;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown> | null;
  model: string;
  /** The inputs as texts (token-id arrays are joined with spaces). */
  inputs: string[];
  attempt: number;
  violations: string[];
}

export interface ContractViolation {
  route: Route | "embeddings" | "other";
  /** The request's index in `requests` / `embeddingRequests` (-1 for other routes). */
  index: number;
  method: string;
  path: string;
  /** `request`: the client sent something the API does not allow; `response`: this server answered something the API never would. */
  direction: "request" | "response";
  errors: string[];
}

export interface OpenAIServerOptions {
  /** Delay before each answer (faults included), before any byte of the response. */
  latencyMs?: number;
  /** Streaming only: delay between the response headers and the first SSE event. */
  ttftMs?: number;
  /** Streaming only: delay between successive content / tool-argument deltas. */
  interTokenMs?: number;
  /** The reply's content; default: `reply` when set, else the tool results the conversation ends with, else the last user message (an echo). */
  respond?: (request: ChatRequest) => Reply | Promise<Reply>;
  /** A fixed reply content for every request without `respond` (JSON-expressible, for the benchmark's server process). */
  reply?: string;
  /**
   * Tool calls to answer with when the request has tools and `tool_choice` is not `none` (return
   * undefined or [] to answer with text). Default: `toolTurns` when set; else a call of the forced
   * tool (`required` / a named tool) with arguments from `structured` or an example value of its
   * schema, unless the conversation ends with tool results.
   */
  toolCalls?: (request: ChatRequest) => ToolCallReply[] | undefined;
  /**
   * JSON-expressible tool script: while the conversation has fewer than this many tool-calling
   * assistant turns, answer with a call of the forced tool, else the first tool (arguments: an
   * example value of its schema); then with text.
   */
  toolTurns?: number;
  /** Structured output (a response schema, or a forced tool's arguments); default: an example value of the schema. */
  structured?: (request: ChatRequest, schema: Record<string, unknown>) => unknown;
  /**
   * A fault per request index (`{3: {status: 500}}`), a function, or seeded random faults. The
   * random draw hashes the seed with the request body and its attempt number, so it is the same
   * whatever order concurrent requests arrive in, and a retry draws afresh.
   */
  faults?:
    | Record<number, Fault>
    | ((request: ChatRequest) => Fault | undefined)
    | { random: { probability: number; seed: number; faults: Fault[] } };
  /** Faults for embeddings requests. */
  embeddingFaults?: (request: EmbeddingRequest) => Fault | undefined;
  /** Fixed vectors by input text; other inputs get `hashedEmbedding(text, dimensions)`. */
  embeddings?: Record<string, number[]>;
  /** Default embedding dimension when the request gives no `dimensions` (default 64). */
  embeddingDimensions?: number;
  /**
   * Also refuse chat-completion parameters OpenAI's description does not declare, as the API does
   * ("Unrecognized request argument supplied: ..."); default false because the description itself
   * allows them and generic HTTP tests post arbitrary bodies here.
   */
  strictParameters?: boolean;
  /** When set, requests must carry this key (Bearer, `api-key` or `x-api-key`), else 401. */
  apiKey?: string;
  /** Model ids listed by GET /v1/models. */
  models?: string[];
  /**
   * When started inside a running vitest test, fail that test when it finishes if contract
   * violations were recorded (default true). With false, or outside a test, `close()` checks.
   */
  checkAfterTest?: boolean;
}

export interface OpenAIServer {
  /** Base URL ending in /v1 (for OpenAI clients); the Anthropic route is `${origin}/v1/messages`. */
  url: string;
  /** `http://127.0.0.1:port`: the base URL for Anthropic clients. */
  origin: string;
  /** Chat requests (both routes), in arrival order. */
  requests: ChatRequest[];
  embeddingRequests: EmbeddingRequest[];
  /** Every contract violation so far (including those already reported or taken). */
  readonly violations: ContractViolation[];
  /** Throws naming the violations not yet reported or taken, then counts them as reported. */
  assertNoViolations(): void;
  /** Returns the violations not yet reported or taken and takes them off the record (for tests that send bad requests on purpose). */
  takeViolations(): ContractViolation[];
  close(): Promise<void>;
}

const CREATED = 1_700_000_000;

/** Where a stream stops early: after `after` writes, with `tail` (an error event) or a reset. */
interface StreamCut {
  after: number;
  tail?: string;
}

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const openai = openAISpec();
  const anthropic = anthropicSpec();
  const requests: ChatRequest[] = [];
  const embeddingRequests: EmbeddingRequest[] = [];
  const violations: ContractViolation[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const record = (violation: ContractViolation) => {
    if (violation.errors.length > 0) violations.push(violation);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      record({
        route: "other",
        index: -1,
        method: req.method ?? "",
        path: req.url ?? "",
        direction: "response",
        errors: [`the test server failed: ${(error as Error).stack ?? String(error)}`],
      });
      if (!res.headersSent)
        sendJson(res, 500, {
          error: { message: `test server: ${(error as Error).message}`, type: "server_error", param: null, code: null },
        });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const raw = await readBody(req);
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/v1/models") {
      const ids = options.models ?? ["test-model"];
      return sendJson(res, 200, { object: "list", data: ids.map((id) => ({ id, object: "model", created: 0, owned_by: "test" })) });
    }
    // Azure OpenAI's form: /openai/deployments/<deployment>/chat/completions?api-version=...
    const azure = /^\/openai\/deployments\/[^/]+\/(chat\/completions|embeddings)$/.exec(path)?.[1];
    const operation =
      method !== "POST"
        ? undefined
        : path === "/v1/chat/completions" || azure === "chat/completions"
          ? "chat"
          : path === "/v1/messages"
            ? "messages"
            : path === "/v1/embeddings" || azure === "embeddings"
              ? "embeddings"
              : undefined;
    if (!operation) {
      record({ route: "other", index: -1, method, path, direction: "request", errors: [`no such operation: ${method} ${path}`] });
      return sendJson(res, 404, {
        error: { message: `no route ${method} ${path}`, type: "invalid_request_error", param: null, code: "unknown_url" },
      });
    }

    let body: Record<string, unknown> | null = null;
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (isSchema(parsed)) body = parsed;
    } catch {
      body = null;
    }
    const attempt = attempts.get(raw) ?? 0;
    attempts.set(raw, attempt + 1);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
    if (operation === "embeddings") return handleEmbeddings(req, res, { path, headers, body, raw, attempt });

    const route = operation;
    const request = describeRequest({
      index: requests.length,
      route,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      attempt,
    });
    requests.push(request);
    const refuse = (errors: string[]) => {
      request.violations.push(...errors);
      record({ route, index: request.index, method, path, direction: "request", errors });
    };

    const fault = pickFault(options.faults, request, raw);
    await wait(options.latencyMs ?? 0);
    if (closing) return void res.destroy();

    if (route === "messages") {
      if (!headers["x-api-key"] && !headers.authorization) {
        refuse(["x-api-key header is required"]);
        return sendError(res, route, 401, "x-api-key header is required");
      }
      if (!headers["anthropic-version"]) {
        refuse(["anthropic-version: header is required"]);
        return sendError(res, route, 400, "anthropic-version: header is required");
      }
    }
    if (options.apiKey !== undefined && presentedKey(headers) !== options.apiKey) {
      return sendError(res, route, 401, "invalid api key");
    }
    if (!body) {
      refuse(["the body is not a JSON object"]);
      return sendError(res, route, 400, "expected a JSON object body");
    }
    const check = route === "chat" ? openai.chatRequest(body, options.strictParameters === true) : anthropic.messagesRequest(body);
    if (!check.ok) {
      refuse(check.errors);
      return sendError(res, route, 400, check.errors.join("\n"));
    }

    if (fault) {
      if ("reset" in fault) return void req.socket.destroy();
      if ("hang" in fault) return; // The socket stays open until the client aborts or close() runs.
      if ("malformed" in fault) {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end('{"id": "chatcmpl-broken", "choices": [');
      }
      if ("wrongShape" in fault) return sendJson(res, 200, { id: "x", object: "unexpected" });
      if ("status" in fault && !("errorAfterChunks" in fault)) {
        const extra: Record<string, string> = {};
        if (fault.retryAfter !== undefined) extra["retry-after"] = String(fault.retryAfter);
        if (fault.retryAfterMs !== undefined) extra["retry-after-ms"] = String(fault.retryAfterMs);
        return sendError(res, route, fault.status, fault.message ?? `injected fault ${fault.status}`, extra);
      }
      if ("cutAfterChunks" in fault && !request.stream) return void req.socket.destroy();
    }

    const answer = await compose(request);
    const id = `${route === "chat" ? "chatcmpl" : "msg"}-${digest(raw).slice(0, 16)}`;
    const ownCheck = (result: Check, what: string) => {
      if (!result.ok) {
        record({ route, index: request.index, method, path, direction: "response", errors: result.errors.map((e) => `${what}: ${e}`) });
      }
    };
    let cut: StreamCut | undefined;
    if (fault && "cutAfterChunks" in fault) cut = { after: fault.cutAfterChunks };
    if (fault && "errorAfterChunks" in fault) {
      const status = fault.status ?? (route === "messages" ? 529 : 500);
      const message = fault.message ?? `injected stream error ${status}`;
      if (!request.stream) return sendError(res, route, status, message);
      const body = errorBody(route, status, message);
      ownCheck(route === "messages" ? anthropic.streamEvent("error", body) : openai.error(body), "stream error event");
      const tail = route === "messages" ? `event: error\ndata: ${JSON.stringify(body)}\n\n` : `data: ${JSON.stringify(body)}\n\n`;
      cut = { after: fault.errorAfterChunks, tail };
    }
    if (route === "chat") {
      if (request.stream) return streamChat(req, res, request, answer, id, cut, ownCheck);
      const message: Record<string, unknown> = {
        role: "assistant",
        content: answer.toolCalls.length || answer.refusal !== undefined ? null : answer.content,
        refusal: answer.refusal ?? null,
      };
      if (answer.toolCalls.length) {
        message.tool_calls = answer.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        }));
      }
      const response = {
        id,
        object: "chat.completion",
        created: CREATED,
        model: request.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
        usage: {
          prompt_tokens: answer.usage.prompt,
          completion_tokens: answer.usage.completion,
          total_tokens: answer.usage.prompt + answer.usage.completion,
        },
      };
      ownCheck(openai.chatResponse(response), "chat completion");
      return sendJson(res, 200, response);
    }
    if (request.stream) return streamMessages(req, res, request, answer, id, cut, ownCheck);
    const response = {
      ...anthropicMessage(id, request.model, answer.usage.prompt, answer.usage.completion, anthropicStopReason(answer.finishReason)),
      content: anthropicBlocks(answer),
    };
    ownCheck(anthropic.message(response), "message");
    return sendJson(res, 200, response);
  }

  interface Answer {
    content: string;
    refusal?: string;
    toolCalls: { id: string; name: string; arguments: string }[];
    finishReason: FinishReason;
    usage: { prompt: number; completion: number };
  }

  async function compose(request: ChatRequest): Promise<Answer> {
    const reply: Reply = options.respond ? await options.respond(request) : (options.reply ?? echo(request));
    const explicit = typeof reply === "string" ? { content: reply } : reply;
    let calls = explicit.toolCalls;
    if (!calls && request.tools.length > 0 && request.toolChoice !== "none") calls = (options.toolCalls ?? defaultToolCalls)(request);
    let content = explicit.content ?? "";
    if (!calls?.length) {
      if (explicit.json !== undefined) content = JSON.stringify(explicit.json);
      else if (request.responseSchema && (options.structured || !options.respond)) {
        content = JSON.stringify(structuredValue(request, request.responseSchema.schema));
      }
    }
    const prefix = request.route === "chat" ? "call_" : "toolu_";
    const toolCalls = (calls ?? []).map((call, i) => ({
      id: call.id ?? `${prefix}${digest(`${request.index}\0${i}\0${JSON.stringify(request.body)}`).slice(0, 24)}`,
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {}),
    }));
    const completionText = toolCalls.length ? toolCalls.map((c) => c.name + c.arguments).join(" ") : content;
    const usage =
      typeof reply !== "string" && reply.usage
        ? reply.usage
        : { prompt: countTokens(request.messages.map((m) => m.content).join(" ")), completion: countTokens(completionText) };
    const refusal = toolCalls.length === 0 && explicit.refusal !== undefined ? explicit.refusal : undefined;
    if (refusal !== undefined) content = refusal;
    const finishReason =
      explicit.finishReason ??
      (toolCalls.length ? "tool_calls" : refusal !== undefined && request.route === "messages" ? "content_filter" : "stop");
    return { content, ...(refusal !== undefined ? { refusal } : {}), toolCalls, finishReason, usage };
  }

  function structuredValue(request: ChatRequest, schema: Record<string, unknown>): unknown {
    return options.structured ? options.structured(request, schema) : exampleFor(schema);
  }

  function defaultToolCalls(request: ChatRequest): ToolCallReply[] | undefined {
    const forced = request.toolChoice;
    const named = typeof forced === "object" ? request.tools.find((t) => t.name === forced.name) : undefined;
    if (options.toolTurns !== undefined) {
      if (request.toolTurns >= options.toolTurns) return undefined;
      const tool = named ?? request.tools[0]!;
      return [{ name: tool.name, arguments: exampleFor(tool.parameters) ?? {} }];
    }
    if (request.toolResults.length > 0) return undefined;
    if (named) return [{ name: named.name, arguments: structuredValue(request, named.parameters) ?? {} }];
    if (forced === "required") return [{ name: request.tools[0]!.name, arguments: exampleFor(request.tools[0]!.parameters) ?? {} }];
    return undefined;
  }

  function streamChat(
    req: IncomingMessage,
    res: ServerResponse,
    request: ChatRequest,
    answer: Answer,
    id: string,
    cut: StreamCut | undefined,
    ownCheck: (result: Check, what: string) => void,
  ): Promise<void> {
    const includeUsage = isSchema(request.body?.stream_options) && request.body.stream_options.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finish: FinishReason | null) => ({
      id,
      object: "chat.completion.chunk",
      created: CREATED,
      model: request.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    });
    // One event per token (text) or argument fragment (tool calls); the first carries the role.
    const events: Record<string, unknown>[] = [];
    if (answer.toolCalls.length === 0) {
      const pieces = splitTokens(answer.content);
      if (pieces.length === 0) pieces.push("");
      const field = answer.refusal !== undefined ? "refusal" : "content";
      pieces.forEach((piece, i) => {
        events.push(chunk(i === 0 ? { role: "assistant", [field]: piece } : { [field]: piece }, null));
      });
    } else {
      answer.toolCalls.forEach((call, index) => {
        const start = { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } };
        events.push(chunk(index === 0 ? { role: "assistant", content: null, tool_calls: [start] } : { tool_calls: [start] }, null));
        for (const fragment of splitTokens(call.arguments))
          events.push(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }, null));
      });
    }
    const tail: unknown[] = [chunk({}, answer.finishReason)];
    if (includeUsage) {
      const { prompt, completion } = answer.usage;
      tail.push({
        id,
        object: "chat.completion.chunk",
        created: CREATED,
        model: request.model,
        choices: [],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      });
    }
    for (const event of [...events, ...tail]) ownCheck(openai.chatChunk(event), "stream chunk");
    const frames = events.map((event) => `data: ${JSON.stringify(event)}\n\n`);
    frames[frames.length - 1] += `${tail.map((event) => `data: ${JSON.stringify(event)}\n\n`).join("")}data: [DONE]\n\n`;
    return writeStream(req, res, frames, cut);
  }

  function streamMessages(
    req: IncomingMessage,
    res: ServerResponse,
    request: ChatRequest,
    answer: Answer,
    id: string,
    cut: StreamCut | undefined,
    ownCheck: (result: Check, what: string) => void,
  ): Promise<void> {
    const events: [string, Record<string, unknown>][] = [];
    const start = { ...anthropicMessage(id, request.model, answer.usage.prompt, 1, null), content: [] };
    const frames: string[] = [];
    const push = (name: string, data: Record<string, unknown>) => events.push([name, data]);
    // The first frame holds message_start, the first block's start, a ping and the first delta.
    let firstFrameEvents = 0;
    push("message_start", { type: "message_start", message: start });
    const blocks = anthropicBlocks(answer);
    blocks.forEach((block, index) => {
      if (block.type === "text") {
        push("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "", citations: null } });
        if (index === 0) push("ping", { type: "ping" });
        const pieces = splitTokens(block.text as string);
        if (index === 0) firstFrameEvents = events.length + (pieces.length ? 1 : 0);
        for (const piece of pieces)
          push("content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
      } else {
        push("content_block_start", { type: "content_block_start", index, content_block: { ...block, input: {} } });
        if (index === 0) push("ping", { type: "ping" });
        const pieces = splitTokens(JSON.stringify(block.input));
        if (index === 0) firstFrameEvents = events.length + 1;
        for (const piece of pieces)
          push("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } });
      }
      push("content_block_stop", { type: "content_block_stop", index });
    });
    push("message_delta", {
      type: "message_delta",
      delta: { stop_reason: anthropicStopReason(answer.finishReason), stop_sequence: null, container: null, stop_details: null },
      usage: {
        output_tokens: answer.usage.completion,
        input_tokens: answer.usage.prompt,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        output_tokens_details: null,
        server_tool_use: null,
      },
    });
    push("message_stop", { type: "message_stop" });
    for (const [name, data] of events) ownCheck(anthropic.streamEvent(name, data), `${name} event`);
    const text = events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    // Group: the opening events with the first delta, then one delta per frame; the closing events
    // (block stops and starts between deltas, message_delta, message_stop) ride with the delta before them.
    frames.push(text.slice(0, Math.max(1, firstFrameEvents)).join(""));
    for (let i = Math.max(1, firstFrameEvents); i < text.length; i++) {
      if (events[i]![0] === "content_block_delta") frames.push(text[i]!);
      else frames[frames.length - 1] += text[i]!;
    }
    return writeStream(req, res, frames, cut);
  }

  /**
   * Writes the SSE frames: headers at once, frame k due `ttftMs + k * interTokenMs` after them.
   * Deadlines are absolute, so a late timer does not delay the frames after it (frames already
   * due go out together); one timer per stream at a time.
   */
  function writeStream(req: IncomingMessage, res: ServerResponse, frames: string[], cut: StreamCut | undefined): Promise<void> {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
    const ttft = options.ttftMs ?? 0;
    const gap = options.interTokenMs ?? 0;
    const started = performance.now();
    const due = (k: number) => started + ttft + k * gap;
    return new Promise<void>((resolve) => {
      let next = 0;
      let timer: NodeJS.Timeout | undefined;
      const stop = () => {
        if (timer) {
          clearTimeout(timer);
          timers.delete(timer);
          timer = undefined;
        }
        resolve();
      };
      res.once("close", stop);
      const step = () => {
        if (timer) timers.delete(timer);
        timer = undefined;
        if (closing || res.destroyed) return stop();
        let chunk = "";
        const now = performance.now();
        do {
          if (cut !== undefined && next >= cut.after) {
            if (cut.tail !== undefined) res.end(chunk + cut.tail);
            else {
              if (chunk) res.write(chunk);
              req.socket.destroy();
            }
            return stop();
          }
          chunk += frames[next++]!;
        } while (next < frames.length && due(next) <= now + 0.5);
        if (next >= frames.length) {
          res.end(chunk);
          return stop();
        }
        res.write(chunk);
        timer = setTimeout(step, Math.max(0, due(next) - performance.now()));
        timers.add(timer);
      };
      if (ttft <= 0) return step();
      timer = setTimeout(step, ttft);
      timers.add(timer);
    });
  }

  async function handleEmbeddings(
    req: IncomingMessage,
    res: ServerResponse,
    r: { path: string; headers: Record<string, string>; body: Record<string, unknown> | null; raw: string; attempt: number },
  ): Promise<void> {
    const input = r.body?.input;
    const inputs = (typeof input === "string" ? [input] : Array.isArray(input) ? input : []).map((item) =>
      typeof item === "string" ? item : Array.isArray(item) ? item.join(" ") : String(item),
    );
    // A single array of token ids is one input.
    const texts = Array.isArray(input) && input.every((item) => typeof item === "number") ? [input.join(" ")] : inputs;
    const request: EmbeddingRequest = {
      index: embeddingRequests.length,
      path: r.path,
      headers: r.headers,
      body: r.body,
      model: typeof r.body?.model === "string" ? r.body.model : "",
      inputs: texts,
      attempt: r.attempt,
      violations: [],
    };
    embeddingRequests.push(request);
    const fault = options.embeddingFaults?.(request);
    await wait(options.latencyMs ?? 0);
    if (closing) return void res.destroy();
    if (options.apiKey !== undefined && presentedKey(r.headers) !== options.apiKey) return sendError(res, "chat", 401, "invalid api key");
    const check = r.body ? openai.embeddingRequest(r.body) : { ok: false, errors: ["the body is not a JSON object"] };
    if (!check.ok) {
      request.violations.push(...check.errors);
      record({ route: "embeddings", index: request.index, method: "POST", path: r.path, direction: "request", errors: check.errors });
      return sendError(res, "chat", 400, check.errors.join("\n"));
    }
    if (fault) {
      if ("reset" in fault || "cutAfterChunks" in fault || "errorAfterChunks" in fault) return void req.socket.destroy();
      if ("hang" in fault) return;
      if ("malformed" in fault) {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end('{"object": "list", "data": [');
      }
      if ("wrongShape" in fault) return sendJson(res, 200, { object: "unexpected" });
      const extra: Record<string, string> = {};
      if (fault.retryAfter !== undefined) extra["retry-after"] = String(fault.retryAfter);
      if (fault.retryAfterMs !== undefined) extra["retry-after-ms"] = String(fault.retryAfterMs);
      return sendError(res, "chat", fault.status, fault.message ?? `injected fault ${fault.status}`, extra);
    }
    const dimensions = typeof r.body?.dimensions === "number" ? r.body.dimensions : (options.embeddingDimensions ?? 64);
    const vectors = texts.map((text) => options.embeddings?.[text] ?? hashedEmbedding(text, dimensions));
    const tokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
    const response = {
      object: "list",
      data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding })),
      model: request.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    const own = openai.embeddingResponse(response);
    if (!own.ok)
      record({ route: "embeddings", index: request.index, method: "POST", path: r.path, direction: "response", errors: own.errors });
    if (r.body?.encoding_format === "base64") {
      // The description types `embedding` as numbers only; base64 (little-endian float32) is checked before encoding.
      for (const item of response.data)
        (item as { embedding: unknown }).embedding = Buffer.from(new Float32Array(item.embedding).buffer).toString("base64");
    }
    return sendJson(res, 200, response);
  }

  function sendError(res: ServerResponse, route: Route, status: number, message: string, headers: Record<string, string> = {}): void {
    const body = errorBody(route, status, message);
    const check = route === "messages" ? anthropic.error(body) : openai.error(body);
    if (!check.ok)
      record({ route, index: -1, method: "", path: "", direction: "response", errors: check.errors.map((e) => `error body: ${e}`) });
    sendJson(res, status, body, headers);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  let settled = 0;
  let checkedAfterTest = false;
  const settle = () => {
    const left = violations.slice(settled);
    settled = violations.length;
    return left;
  };
  const result: OpenAIServer = {
    url: `${origin}/v1`,
    origin,
    requests,
    embeddingRequests,
    get violations() {
      return [...violations];
    },
    assertNoViolations() {
      const left = settle();
      if (left.length > 0) throw new Error(violationsMessage(left));
    },
    takeViolations() {
      return settle();
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        closing = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      if (!checkedAfterTest) result.assertNoViolations();
    },
  };
  checkedAfterTest = options.checkAfterTest !== false && (await checkWhenTestFinishes(() => result.assertNoViolations()));
  return result;
}

export function violationsMessage(violations: ContractViolation[]): string {
  const requests = violations.filter((v) => v.direction === "request").length;
  const responses = violations.length - requests;
  const parts = [
    requests ? `${requests} request(s) the API's published description does not allow` : "",
    responses ? `${responses} response(s) of its own that do not match it` : "",
  ].filter(Boolean);
  return [
    `LLM test server: ${parts.join(" and ")}:`,
    ...violations.map(
      (v) =>
        `  ${v.direction} ${v.route}#${v.index} ${v.method} ${v.path}:\n${v.errors.map((e) => `    - ${e.replaceAll("\n", " ")}`).join("\n")}`,
    ),
    "(A test that sends such a request on purpose takes it off the record with server.takeViolations().)",
  ].join("\n");
}

/** Registers `check` to run when the current vitest test finishes; false outside a running test. */
async function checkWhenTestFinishes(check: () => void): Promise<boolean> {
  if (!process.env.VITEST) return false;
  try {
    const { onTestFinished } = await import("vitest");
    onTestFinished(check);
    return true;
  } catch {
    return false;
  }
}

function echo(request: ChatRequest): string {
  if (request.toolResults.length > 0) return request.toolResults.map((r) => r.content).join("\n");
  const users = request.messages.filter((m) => m.role === "user");
  return users[users.length - 1]?.content ?? "";
}

/** Words and punctuation runs: a deterministic stand-in for a tokenizer. */
export function countTokens(text: string): number {
  return text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0;
}

/** `text` cut into the pieces streaming sends one by one (each token with the whitespace before it); they join back to `text`. */
export function splitTokens(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}]+|\s*[^\s\p{L}\p{N}]|\s+/gu) ?? [];
}

/**
 * The default embedding: a hashed bag of words (lower-cased letter/number runs, FNV-1a into
 * `dimensions` buckets with a hash-derived sign), L2-normalised. Equal texts get equal vectors,
 * texts sharing words get positive cosine similarity; an empty text gets the first unit vector.
 */
export function hashedEmbedding(text: string, dimensions = 64): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) {
      hash ^= word.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    vector[hash % dimensions]! += hash & 0x80000000 ? -1 : 1;
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((v) => v / norm);
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) =>
      isSchema(part) && typeof part.text === "string"
        ? part.text
        : isSchema(part) && part.type === "tool_result"
          ? textOf(part.content)
          : "",
    )
    .join("");
}

/** The normalised view of a chat request tests read (`messages`, `tools`, `toolResults`, ...). */
function describeRequest(
  base: Pick<ChatRequest, "index" | "route" | "method" | "path" | "query" | "headers" | "body" | "attempt">,
): ChatRequest {
  const { body, route } = base;
  const messages: { role: string; content: string }[] = [];
  const tools: ToolSpec[] = [];
  let toolChoice: ChatRequest["toolChoice"];
  let responseSchema: ChatRequest["responseSchema"];
  let toolResults: ToolResult[] = [];
  let toolTurns = 0;
  const names = new Map<string, string>(); // tool call id -> tool name
  const list = Array.isArray(body?.messages) ? (body.messages as unknown[]) : [];
  if (route === "messages") {
    const system = body?.system;
    if (typeof system === "string" || Array.isArray(system)) messages.push({ role: "system", content: textOf(system) });
    list.forEach((entry, i) => {
      const message = isSchema(entry) ? entry : {};
      const role = typeof message.role === "string" ? message.role : "";
      const blocks = Array.isArray(message.content) ? message.content.filter(isSchema) : [];
      const results = blocks.filter((b) => b.type === "tool_result");
      for (const b of blocks) if (b.type === "tool_use" && typeof b.id === "string" && typeof b.name === "string") names.set(b.id, b.name);
      if (role === "assistant" && blocks.some((b) => b.type === "tool_use")) toolTurns++;
      const rest = blocks.length ? blocks.filter((b) => b.type !== "tool_result") : [];
      for (const r of results) messages.push({ role: "tool", content: textOf(r.content) });
      if (!results.length || rest.length) messages.push({ role, content: blocks.length ? textOf(rest) : textOf(message.content) });
      if (i === list.length - 1) {
        toolResults = results.map((r) => {
          const id = String(r.tool_use_id);
          return { id, ...(names.has(id) ? { name: names.get(id) } : {}), content: textOf(r.content) };
        });
      }
    });
    for (const tool of Array.isArray(body?.tools) ? body.tools.filter(isSchema) : []) {
      if (typeof tool.name !== "string") continue;
      tools.push({
        name: tool.name,
        ...(typeof tool.description === "string" ? { description: tool.description } : {}),
        parameters: isSchema(tool.input_schema) ? tool.input_schema : {},
      });
    }
    const choice = isSchema(body?.tool_choice) ? body.tool_choice : undefined;
    if (choice?.type === "tool" && typeof choice.name === "string") toolChoice = { name: choice.name };
    else if (choice?.type === "any") toolChoice = "required";
    else if (choice?.type === "auto" || choice?.type === "none") toolChoice = choice.type;
    const format = isSchema(body?.output_config) ? body.output_config.format : undefined;
    if (isSchema(format) && isSchema(format.schema)) responseSchema = { name: "output", schema: format.schema };
  } else {
    let tail: ToolResult[] = [];
    for (const entry of list) {
      const message = isSchema(entry) ? entry : {};
      const role = typeof message.role === "string" ? message.role : "";
      messages.push({ role, content: textOf(message.content) });
      if (role === "assistant" && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
        toolTurns++;
        for (const call of message.tool_calls.filter(isSchema)) {
          if (typeof call.id === "string" && isSchema(call.function) && typeof call.function.name === "string")
            names.set(call.id, call.function.name);
        }
      }
      if (role === "tool") {
        const id = String(message.tool_call_id);
        tail.push({ id, ...(names.has(id) ? { name: names.get(id) } : {}), content: textOf(message.content) });
      } else tail = [];
    }
    toolResults = tail;
    for (const tool of Array.isArray(body?.tools) ? body.tools.filter(isSchema) : []) {
      const fn = isSchema(tool.function) ? tool.function : undefined;
      if (!fn || typeof fn.name !== "string") continue;
      tools.push({
        name: fn.name,
        ...(typeof fn.description === "string" ? { description: fn.description } : {}),
        parameters: isSchema(fn.parameters) ? fn.parameters : {},
      });
    }
    const choice = body?.tool_choice;
    if (choice === "auto" || choice === "none" || choice === "required") toolChoice = choice;
    else if (isSchema(choice) && isSchema(choice.function) && typeof choice.function.name === "string")
      toolChoice = { name: choice.function.name };
    const format = isSchema(body?.response_format) ? body.response_format : undefined;
    if (format?.type === "json_schema" && isSchema(format.json_schema)) {
      responseSchema = {
        name: String(format.json_schema.name),
        schema: isSchema(format.json_schema.schema) ? format.json_schema.schema : {},
      };
    } else if (format?.type === "json_object") responseSchema = { name: "json_object", schema: { type: "object" } };
  }
  return {
    ...base,
    model: typeof body?.model === "string" ? body.model : "",
    messages,
    stream: body?.stream === true,
    tools,
    ...(toolChoice !== undefined ? { toolChoice } : {}),
    ...(responseSchema ? { responseSchema } : {}),
    toolResults,
    toolTurns,
    violations: [],
  };
}

/** Anthropic's stop reason for a finish reason in OpenAI's words (`content_filter` is a refusal). */
function anthropicStopReason(reason: FinishReason | null): string | null {
  if (reason === null) return null;
  return reason === "tool_calls" ? "tool_use" : reason === "length" ? "max_tokens" : reason === "content_filter" ? "refusal" : "end_turn";
}

function anthropicMessage(id: string, model: string, input: number, output: number, stopReason: string | null) {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: [] as unknown[],
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: {
      input_tokens: input,
      output_tokens: output,
      cache_creation: null,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: "standard",
      speed: null,
    },
  };
}

function anthropicBlocks(answer: {
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
}): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (answer.content && answer.toolCalls.length === 0) blocks.push({ type: "text", text: answer.content, citations: null });
  for (const call of answer.toolCalls) {
    let input: unknown;
    try {
      input = JSON.parse(call.arguments);
    } catch {
      input = {};
    }
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input, caller: { type: "direct" } });
  }
  if (blocks.length === 0) blocks.push({ type: "text", text: "", citations: null });
  return blocks;
}

function errorBody(route: Route, status: number, message: string): unknown {
  if (route === "messages") {
    const type =
      status === 429
        ? "rate_limit_error"
        : status === 529
          ? "overloaded_error"
          : status === 504
            ? "timeout_error"
            : status >= 500
              ? "api_error"
              : status === 401
                ? "authentication_error"
                : status === 403
                  ? "permission_error"
                  : status === 404
                    ? "not_found_error"
                    : status === 402
                      ? "billing_error"
                      : "invalid_request_error";
    return { type: "error", error: { type, message }, request_id: `req_${digest(message).slice(0, 24)}` };
  }
  const type =
    status === 429 ? "rate_limit_error" : status >= 500 ? "api_error" : status === 401 ? "authentication_error" : "invalid_request_error";
  return { error: { message, type, param: null, code: null } };
}

function pickFault(faults: OpenAIServerOptions["faults"], request: ChatRequest, raw: string): Fault | undefined {
  if (!faults) return undefined;
  if (typeof faults === "function") return faults(request);
  if ("random" in faults && typeof faults.random === "object" && faults.random !== null && "probability" in faults.random) {
    const { probability, seed, faults: choices } = faults.random as { probability: number; seed: number; faults: Fault[] };
    const hash = createHash("sha256").update(`${seed}\0${request.attempt}\0${raw}`).digest();
    const draw = hash.readUInt32BE(0) / 2 ** 32;
    if (draw >= probability || choices.length === 0) return undefined;
    return choices[hash.readUInt32BE(4) % choices.length];
  }
  return (faults as Record<number, Fault>)[request.index];
}

function presentedKey(headers: Record<string, string>): string | undefined {
  const bearer = headers.authorization?.match(/^Bearer (.+)$/)?.[1];
  return bearer ?? headers["api-key"] ?? headers["x-api-key"];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * `node test/src/openai-server.ts '{"latencyMs": 50}'` runs the server in its own process (for
 * benchmarks, so its CPU does not compete with the client's event loop); prints the base URL as
 * the first line of stdout and stops on SIGTERM or SIGINT. A line `count` on stdin is answered
 * with the number of chat requests received so far, on its own line; a line `violations` with the
 * number of contract violations. Only JSON-expressible options apply (`latencyMs`, `ttftMs`,
 * `interTokenMs`, `reply`, `toolTurns`, `faults` by index or random, `embeddings`,
 * `embeddingDimensions`, `apiKey`, `models`, `strictParameters`). Violations are printed to stderr
 * on exit. The validators are compiled before the URL is printed (`LLM_TEST_SERVER_ANTHROPIC=0`
 * skips the Anthropic ones, about a second).
 */
if (import.meta.main) {
  const options = JSON.parse(process.argv[2] ?? "{}") as OpenAIServerOptions;
  // Compile the validators before announcing the URL, so the first requests are not slower.
  openAISpec().warmUp();
  if (process.env.LLM_TEST_SERVER_ANTHROPIC !== "0") anthropicSpec().warmUp();
  const server = await startOpenAIServer(options);
  process.stdout.write(`${server.url}\n`);
  const stop = () =>
    void server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  let pending = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line === "count") process.stdout.write(`${server.requests.length}\n`);
      if (line === "violations") process.stdout.write(`${server.violations.length}\n`);
      newline = pending.indexOf("\n");
    }
  });
}

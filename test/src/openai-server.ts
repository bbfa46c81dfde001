import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * A local OpenAI-compatible (and Anthropic Messages) server for tests and benchmarks, with
 * configurable latency and faults: error statuses with Retry-After, malformed bodies, requests
 * that never answer, and connections reset mid-request.
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
  | { reset: true };

export interface ChatRequest {
  /** 0-based, in arrival order, over both chat routes. */
  index: number;
  route: "chat" | "messages";
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The parsed JSON body (null when it was not JSON). */
  body: Record<string, unknown> | null;
  model: string;
  /** Messages normalised to `{role, content}` (Anthropic `system` becomes a leading system message). */
  messages: { role: string; content: string }[];
  /** How many earlier requests had the same body: 0 for a first attempt, 1 for the first retry, ... */
  attempt: number;
}

export type Reply = string | { content: string; usage?: { prompt: number; completion: number } };

export interface OpenAIServerOptions {
  /** Delay before each answer (faults included). */
  latencyMs?: number;
  /** The reply's content; default: the last user message (an echo). */
  respond?: (request: ChatRequest) => Reply | Promise<Reply>;
  /**
   * A fault per request index (`{3: {status: 500}}`), a function, or seeded random faults. The
   * random draw hashes the seed with the request body and its attempt number, so it is the same
   * whatever order concurrent requests arrive in, and a retry draws afresh.
   */
  faults?:
    | Record<number, Fault>
    | ((request: ChatRequest) => Fault | undefined)
    | { random: { probability: number; seed: number; faults: Fault[] } };
  /** When set, requests must carry this key (Bearer, `api-key` or `x-api-key`), else 401. */
  apiKey?: string;
  /** Model ids listed by GET /v1/models. */
  models?: string[];
}

export interface OpenAIServer {
  /** Base URL ending in /v1 (for OpenAI clients); the Anthropic route is `${origin}/v1/messages`. */
  url: string;
  /** `http://127.0.0.1:port`: the base URL for Anthropic clients. */
  origin: string;
  requests: ChatRequest[];
  close(): Promise<void>;
}

export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const requests: ChatRequest[] = [];
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

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `test server: ${(error as Error).message}`, type: "server_error" } });
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
    if (req.method === "GET" && path === "/v1/models") {
      const ids = options.models ?? ["test-model"];
      return sendJson(res, 200, { object: "list", data: ids.map((id) => ({ id, object: "model", created: 0, owned_by: "test" })) });
    }
    // Azure OpenAI's form: /openai/deployments/<deployment>/chat/completions?api-version=...
    const chatPath = path === "/v1/chat/completions" || /^\/openai\/deployments\/[^/]+\/chat\/completions$/.test(path);
    const route = req.method === "POST" && chatPath ? "chat" : req.method === "POST" && path === "/v1/messages" ? "messages" : undefined;
    if (!route) return sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: "invalid_request_error" } });

    let body: Record<string, unknown> | null = null;
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      body = null;
    }
    const attempt = attempts.get(raw) ?? 0;
    attempts.set(raw, attempt + 1);
    const request: ChatRequest = {
      index: requests.length,
      route,
      method: req.method ?? "POST",
      path,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")])),
      body,
      model: typeof body?.model === "string" ? body.model : "",
      messages: normaliseMessages(body, route),
      attempt,
    };
    requests.push(request);

    const fault = pickFault(options.faults, request, raw);
    await wait(options.latencyMs ?? 0);
    if (closing) return void res.destroy();

    if (options.apiKey !== undefined && presentedKey(request.headers) !== options.apiKey) {
      return sendError(res, route, 401, "invalid api key");
    }
    if (!body) return sendError(res, route, 400, "expected a JSON object body");
    if (body.stream === true) return sendError(res, route, 400, "streaming is not supported by the test server");
    if (request.messages.length === 0) return sendError(res, route, 400, "expected messages");

    if (fault) {
      if ("reset" in fault) return void req.socket.destroy();
      if ("hang" in fault) return; // The socket stays open until the client aborts or close() runs.
      if ("malformed" in fault) {
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end('{"id": "chatcmpl-broken", "choices": [');
      }
      if ("wrongShape" in fault) return sendJson(res, 200, { id: "x", object: "unexpected" });
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter);
      if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
      return sendError(res, route, fault.status, fault.message ?? `injected fault ${fault.status}`, headers);
    }

    const reply = await (options.respond ?? echo)(request);
    const content = typeof reply === "string" ? reply : reply.content;
    const usage =
      typeof reply === "string" || !reply.usage
        ? { prompt: countTokens(request.messages.map((m) => m.content).join(" ")), completion: countTokens(content) }
        : reply.usage;
    const id = `${route === "chat" ? "chatcmpl" : "msg"}-${createHash("sha256").update(raw).digest("hex").slice(0, 16)}`;
    if (route === "chat") {
      return sendJson(res, 200, {
        id,
        object: "chat.completion",
        created: 1_700_000_000,
        model: request.model,
        choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
        usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
      });
    }
    return sendJson(res, 200, {
      id,
      type: "message",
      role: "assistant",
      model: request.model,
      content: [{ type: "text", text: content }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function echo(request: ChatRequest): string {
  const users = request.messages.filter((m) => m.role === "user");
  return users[users.length - 1]?.content ?? "";
}

/** Words and punctuation runs: a deterministic stand-in for a tokenizer. */
export function countTokens(text: string): number {
  return text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0;
}

function normaliseMessages(body: Record<string, unknown> | null, route: "chat" | "messages"): { role: string; content: string }[] {
  if (!body || !Array.isArray(body.messages)) return [];
  const out: { role: string; content: string }[] = [];
  if (route === "messages" && typeof body.system === "string") out.push({ role: "system", content: body.system });
  for (const message of body.messages as { role?: unknown; content?: unknown }[]) {
    const content =
      typeof message?.content === "string"
        ? message.content
        : Array.isArray(message?.content)
          ? (message.content as { text?: unknown }[]).map((part) => (typeof part?.text === "string" ? part.text : "")).join("")
          : "";
    out.push({ role: typeof message?.role === "string" ? message.role : "", content });
  }
  return out;
}

function pickFault(faults: OpenAIServerOptions["faults"], request: ChatRequest, raw: string): Fault | undefined {
  if (!faults) return undefined;
  if (typeof faults === "function") return faults(request);
  if ("random" in faults && typeof faults.random === "object" && faults.random !== null && "probability" in faults.random) {
    const { probability, seed, faults: choices } = faults.random as { probability: number; seed: number; faults: Fault[] };
    const digest = createHash("sha256").update(`${seed}\0${request.attempt}\0${raw}`).digest();
    const draw = digest.readUInt32BE(0) / 2 ** 32;
    if (draw >= probability || choices.length === 0) return undefined;
    return choices[digest.readUInt32BE(4) % choices.length];
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

function sendError(
  res: ServerResponse,
  route: "chat" | "messages",
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  const type =
    status === 429 ? "rate_limit_error" : status >= 500 ? "api_error" : status === 401 ? "authentication_error" : "invalid_request_error";
  const body = route === "messages" ? { type: "error", error: { type, message } } : { error: { message, type, code: null } };
  sendJson(res, status, body, headers);
}

/**
 * `node test/src/openai-server.ts '{"latencyMs": 50}'` runs the server in its own process (for
 * benchmarks, so its CPU does not compete with the client's event loop); prints the base URL as
 * the first line of stdout and stops on SIGTERM or SIGINT. A line `count` on stdin is answered
 * with the number of chat requests received so far, on its own line. Only JSON-expressible
 * options apply.
 */
if (import.meta.main) {
  const options = JSON.parse(process.argv[2] ?? "{}") as OpenAIServerOptions;
  const server = await startOpenAIServer(options);
  process.stdout.write(`${server.url}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
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
      newline = pending.indexOf("\n");
    }
  });
}

import { readdir, readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { join } from "node:path";

/**
 * A stand-in for Triton Inference Server's model repository extension (Triton itself needs a GPU
 * image and cannot run here). It follows triton-inference-server/server
 * `docs/protocol/extension_model_repository.md` and `src/http_server.cc` (HandleRepositoryIndex,
 * HandleRepositoryControl, HttpCodeFromError) at commit e1db8a603d863b1317ee859bdeea2be19959462e,
 * and for which versions a load serves, triton-inference-server/core
 * `src/model_repository_manager/model_lifecycle.cc` (VersionsToLoad) at commit
 * 73aad7c3348d040c7087d57837d75822c488495e:
 *
 *   POST /v2/repository/index                  body empty or {"ready": bool}
 *   POST /v2/repository/models/<name>/load     body empty or {"parameters": {"config": str, "file:<v>/<f>": base64}}
 *   POST /v2/repository/models/<name>/unload   body empty or {"parameters": {"unload_dependents": bool}}
 *
 * Errors are `{"error": "..."}` with Triton's statuses: 405 for another method, 404 for another
 * path, 501 for a repository name in the path, 400 for a malformed body. Stricter than Triton in
 * one way, on purpose: unknown body keys are refused (400) so a client sending anything the
 * protocol does not define fails here.
 *
 * A load reads `<repositoryRoot>/<name>/config.pbtxt` (its `version_policy`; without the file,
 * Triton's default `latest { num_versions: 1 }`), lists the numeric version directories (leading
 * zeros ignored, as Triton does) and loads the versions the policy selects that exist: none → 400
 * "at least one version must be available under the version policy of model '<name>'", no model
 * directory → 500 "failed to load '<name>', failed to poll from model repository".
 */

export interface TritonCall {
  method: string;
  path: string;
  action: "index" | "load" | "unload" | "invalid";
  model?: string;
  body: unknown;
  status: number;
  error?: string;
  /** Versions a successful load made ready. */
  versions?: number[];
}

export interface TritonServerOptions {
  repositoryRoot: string;
  /** An error for a load (after validation), e.g. to act out a backend that fails to initialize. */
  loadFault?: (model: string) => { status: number; error: string } | undefined;
}

export interface TritonServer {
  /** `http://127.0.0.1:<port>`: the `loadUrl` of a model-repository target. */
  url: string;
  calls: TritonCall[];
  /** Model name → versions ready since its last load (absent once unloaded). */
  loaded: Map<string, number[]>;
  close(): Promise<void>;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const ROUTE = /^\/v2\/repository(?:\/([^/]+))?\/(index|models\/([^/]+)\/(load|unload))$/;

export async function startTritonServer(options: TritonServerOptions): Promise<TritonServer> {
  const calls: TritonCall[] = [];
  const loaded = new Map<string, number[]>();
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: `test server: ${(error as Error).message}` }));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const raw = await readBody(req);
    const call: TritonCall = { method: req.method ?? "", path, action: "invalid", body: null, status: 200 };
    calls.push(call);
    try {
      const match = ROUTE.exec(path);
      if (!match) throw new HttpError(404, "Not Found");
      const [, repository, kind, model, action] = match;
      call.action = kind === "index" ? "index" : (action as "load" | "unload");
      if (model !== undefined) call.model = decodeURIComponent(model);
      if (req.method !== "POST") throw new HttpError(405, "Method Not Allowed");
      const body = parseBody(raw);
      call.body = body;
      if (repository !== undefined) throw new HttpError(501, "'repository_name' specification is not supported");
      if (call.action === "index") {
        checkKeys(body, ["ready"]);
        if (body && "ready" in body && typeof body.ready !== "boolean")
          throw new HttpError(400, "Invalid value for 'ready': expected a boolean");
        return send(res, 200, await index(body?.ready === true));
      }
      checkKeys(body, ["parameters"]);
      const parameters = body?.parameters;
      if (parameters !== undefined && (parameters === null || typeof parameters !== "object" || Array.isArray(parameters))) {
        throw new HttpError(400, "Unable to parse 'parameters': expected an object");
      }
      const params = (parameters ?? {}) as Record<string, unknown>;
      if (call.action === "load") {
        for (const [key, value] of Object.entries(params)) {
          if (typeof value !== "string") throw new HttpError(400, `Unable to parse '${key}': expected a string`);
          if (key === "config") continue;
          if (key.startsWith("file:")) {
            if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new HttpError(400, `'${key}': invalid base64 content`);
            continue;
          }
          throw new HttpError(500, "unexpected error on creating Triton parameter");
        }
        if (Object.keys(params).some((k) => k.startsWith("file:")) && !("config" in params)) {
          throw new HttpError(400, "failed to load, 'config' parameter must be provided with the override model files");
        }
        const versions = await load(call.model!);
        call.versions = versions;
        loaded.set(call.model!, versions);
        return send(res, 200, null);
      }
      for (const [key, value] of Object.entries(params)) {
        if (key !== "unload_dependents") throw new HttpError(400, `unknown unload parameter '${key}'`);
        if (typeof value !== "boolean") throw new HttpError(400, "Unable to parse 'unload_dependents': expected a boolean");
      }
      loaded.delete(call.model!);
      return send(res, 200, null);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      call.status = error.status;
      call.error = error.message;
      return send(res, error.status, { error: error.message });
    }
  }

  async function load(model: string): Promise<number[]> {
    const modelDir = join(options.repositoryRoot, model);
    const isDir = await stat(modelDir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) throw new HttpError(500, `failed to load '${model}', failed to poll from model repository`);
    let config: string | undefined;
    try {
      config = await readFile(join(modelDir, "config.pbtxt"), "utf8");
    } catch {
      config = undefined;
    }
    let policy: Policy;
    try {
      policy = versionPolicy(config);
    } catch (error) {
      throw new HttpError(400, `failed to load '${model}', failed to parse config.pbtxt: ${(error as Error).message}`);
    }
    const names = (await readdir(modelDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    const existing = names.filter((n) => /^\d+$/.test(n) && !(n.length > 1 && n.startsWith("0"))).map(Number);
    const newest = [...existing].sort((a, b) => b - a);
    const versions =
      policy.kind === "all"
        ? newest
        : policy.kind === "latest"
          ? newest.slice(0, policy.n)
          : policy.versions.filter((v) => existing.includes(v)).sort((a, b) => a - b);
    if (versions.length === 0)
      throw new HttpError(400, `at least one version must be available under the version policy of model '${model}'`);
    const fault = options.loadFault?.(model);
    if (fault) throw new HttpError(fault.status, fault.error);
    return versions.sort((a, b) => a - b);
  }

  async function index(readyOnly: boolean): Promise<{ name: string; version?: string; state: string; reason: string }[]> {
    const out: { name: string; version?: string; state: string; reason: string }[] = [];
    const entries = await readdir(options.repositoryRoot, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.filter((e) => e.isDirectory() && !e.name.startsWith(".")).sort((a, b) => a.name.localeCompare(b.name))) {
      const versions = loaded.get(entry.name);
      if (versions) for (const v of versions) out.push({ name: entry.name, version: String(v), state: "READY", reason: "" });
      else if (!readyOnly) out.push({ name: entry.name, state: "UNAVAILABLE", reason: "unloaded" });
    }
    return out;
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    loaded,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function parseBody(raw: string): Record<string, unknown> | null {
  if (raw.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new HttpError(400, `failed to parse the request JSON buffer: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new HttpError(400, "the request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

function checkKeys(body: Record<string, unknown> | null, allowed: string[]): void {
  for (const key of Object.keys(body ?? {})) {
    if (!allowed.includes(key)) throw new HttpError(400, `unexpected field '${key}' in the request; expected only ${allowed.join(", ")}`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = body === null ? "" : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

type Policy = { kind: "all" } | { kind: "latest"; n: number } | { kind: "specific"; versions: number[] };

/**
 * `version_policy` of a config.pbtxt, read with a tokenizer of its own (independent of the
 * target's editor, so a test checks one against the other): comments, strings, nested messages.
 */
function versionPolicy(config: string | undefined): Policy {
  if (config === undefined) return { kind: "latest", n: 1 };
  const tokens = config
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""')
    .replace(/#[^\n]*/g, "")
    .match(/[A-Za-z_][A-Za-z0-9_]*|-?\d+|""|[{}<>[\]:,;]|\S/g);
  let depth = 0;
  let at = -1;
  for (let i = 0; i < (tokens?.length ?? 0); i++) {
    const t = tokens![i]!;
    if (t === "{" || t === "<") depth++;
    else if (t === "}" || t === ">") depth--;
    else if (depth === 0 && t === "version_policy") {
      if (at >= 0) throw new Error("version_policy appears twice");
      at = i;
    }
    if (depth < 0) throw new Error("unbalanced braces");
  }
  if (depth !== 0) throw new Error("unbalanced braces");
  if (at < 0) return { kind: "latest", n: 1 };
  const rest = tokens!.slice(at + 1);
  let i = rest[0] === ":" ? 1 : 0;
  if (rest[i] !== "{" && rest[i] !== "<") throw new Error("version_policy is not a message");
  i++;
  const kind = rest[i];
  i++;
  if (rest[i] === ":") i++;
  if (rest[i] !== "{" && rest[i] !== "<") throw new Error(`version_policy.${kind} is not a message`);
  let d = 1;
  const inner: string[] = [];
  for (i++; i < rest.length && d > 0; i++) {
    const t = rest[i]!;
    if (t === "{" || t === "<") d++;
    else if (t === "}" || t === ">") d--;
    if (d > 0) inner.push(t);
  }
  if (kind === "all") return { kind: "all" };
  const numbers = (field: string) => {
    const out: number[] = [];
    for (let j = 0; j < inner.length; j++) {
      if (inner[j] !== field) continue;
      let k = j + 1;
      if (inner[k] === ":") k++;
      if (inner[k] === "[") {
        for (k++; k < inner.length && inner[k] !== "]"; k++) if (/^-?\d+$/.test(inner[k]!)) out.push(Number(inner[k]));
      } else if (/^-?\d+$/.test(inner[k] ?? "")) out.push(Number(inner[k]));
      else throw new Error(`${field}: expected a number`);
    }
    return out;
  };
  if (kind === "latest") return { kind: "latest", n: numbers("num_versions")[0] ?? 1 };
  if (kind === "specific") return { kind: "specific", versions: numbers("versions") };
  throw new Error(`unknown version_policy kind ${kind}`);
}

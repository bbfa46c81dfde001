// A local stand-in for api.github.com: every request is checked against GitHub's published REST
// description (the operations extracted into test/fixtures/github-openapi/operations.json), answered
// from simple in-memory state, and recorded. Point GITHUB_API_URL (or octokit's baseUrl) at `url`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Handler, handlers } from "./handlers.ts";
import { DEFAULT_FAULT_MESSAGES, errorBody, GENERIC_DOCS, GitHubHttpError, notFound, type Reply } from "./http.ts";
import { ACTIONS_BOT, type Site } from "./shapes.ts";
import { GitHubSpec } from "./spec.ts";
import { createState, type Filler, fillState, type GitHubState, Ids } from "./state.ts";

export { GitHubSpec, type OperationSpec, toJsonSchema } from "./spec.ts";
export type {
  Artifact,
  CheckRun,
  CheckRunAnnotation,
  CommitStatus,
  Deployment,
  DeploymentStatus,
  Environment,
  GitHubState,
  GitRef,
  Issue,
  IssueComment,
  PullRequest,
  WorkflowRun,
} from "./state.ts";

export interface GitHubServerOptions {
  owner?: string;
  repo?: string;
  /** Login of the token's user (default `github-actions[bot]`, as for GITHUB_TOKEN). */
  login?: string;
  /** When set, only this token is accepted; any other gets 401 Bad credentials. */
  token?: string;
  defaultBranch?: string;
  /** Base of html_url links (default https://github.com). */
  serverUrl?: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** The operationId the request matched, when it matched one. */
  operation?: string;
}

export interface GitHubServer {
  url: string;
  calls: RecordedCall[];
  state: GitHubState;
  /** Makes the next request matching method and path (a pattern on the path without query) fail once. */
  failNext(method: string, pathPattern: RegExp, status: number, message?: string, headers?: Record<string, string>): void;
  /** The extracted REST description the server validates against. */
  spec: GitHubSpec;
  close(): Promise<void>;
}

interface Fault {
  method: string;
  pattern: RegExp;
  status: number;
  message: string | undefined;
  headers: Record<string, string> | undefined;
}

const REPO_SCOPED = /^\/repos\/\{owner\}\/\{repo\}(\/|$)/;
const MAX_REQUEST_BYTES = 25 * 1024 * 1024;

let cachedSpec: GitHubSpec | undefined;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new GitHubHttpError(413, "Payload Too Large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new GitHubHttpError(400, "Problems parsing JSON", GENERIC_DOCS);
  }
}

function token(req: IncomingMessage): string | undefined {
  const match = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match?.[1];
}

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  cachedSpec ??= new GitHubSpec();
  const spec = cachedSpec;
  const defaultBranch = options.defaultBranch ?? "main";
  const state = createState(defaultBranch);
  const calls: RecordedCall[] = [];
  const faults: Fault[] = [];
  const blobs = new Map<string, Uint8Array>();
  const ids = new Ids();
  const site: Site = {
    api: "",
    html: (options.serverUrl ?? "https://github.com").replace(/\/+$/, ""),
    owner: options.owner ?? "octo-org",
    repo: options.repo ?? "octo-repo",
    repoId: 123456789,
  };
  const filler: Filler = { site, ids, login: options.login ?? ACTIONS_BOT.login, defaultBranch };

  async function route(req: IncomingMessage, requestUrl: URL, call: RecordedCall): Promise<Reply> {
    const method = (req.method ?? "GET").toUpperCase();
    const fault = faults.findIndex((f) => f.method === method && f.pattern.test(requestUrl.pathname));
    if (fault >= 0) {
      const [f] = faults.splice(fault, 1);
      await readBody(req).catch(() => "");
      throw new GitHubHttpError(f!.status, f!.message ?? DEFAULT_FAULT_MESSAGES[f!.status] ?? "Error", GENERIC_DOCS, undefined, f!.headers);
    }
    if (requestUrl.pathname.startsWith("/_blobs/")) return blob(method, requestUrl);

    const { op, params } = spec.match(method, requestUrl.pathname);
    call.operation = op.id;
    const text = await readBody(req);
    const presented = token(req);
    if (presented === undefined) throw new GitHubHttpError(401, "Requires authentication", GENERIC_DOCS);
    if (options.token !== undefined && presented !== options.token) throw new GitHubHttpError(401, "Bad credentials", GENERIC_DOCS);
    // Other repositories do not exist here; GitHub says Not Found rather than revealing anything.
    if (
      REPO_SCOPED.test(op.path) &&
      (String(params.owner).toLowerCase() !== site.owner.toLowerCase() || String(params.repo).toLowerCase() !== site.repo.toLowerCase())
    )
      throw notFound(op.documentationUrl);
    const query = spec.validateQuery(op, call.query);
    const body = op.requestBody ? parseJson(text) : undefined;
    call.body = body ?? (text === "" ? undefined : text);
    spec.validateBody(op, body);
    const handler: Handler | undefined = handlers[op.id];
    if (!handler) throw new Error(`no handler for ${op.id}`);
    fillState(state, filler);
    const reply = handler({ op, params, query, body: (body ?? {}) as Record<string, unknown>, state, filler, site, requestUrl, blobs });
    fillState(state, filler);
    return reply;
  }

  function blob(method: string, requestUrl: URL): Reply {
    const signature = requestUrl.searchParams.get("sig") ?? "";
    const zip = blobs.get(signature);
    if (method !== "GET" || !zip || !/^\/_blobs\/artifacts\/\d+\.zip$/.test(requestUrl.pathname))
      throw new GitHubHttpError(403, "Server failed to authenticate the request.", GENERIC_DOCS);
    return { status: 200, raw: zip, headers: { "content-type": "application/zip" } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? "/", site.api);
    const call: RecordedCall = {
      method: (req.method ?? "GET").toUpperCase(),
      path: requestUrl.pathname,
      query: Object.fromEntries(requestUrl.searchParams),
      body: undefined,
      status: 0,
    };
    let reply: Reply;
    try {
      reply = await route(req, requestUrl, call);
    } catch (error) {
      if (!(error instanceof GitHubHttpError))
        process.stderr.write(`github test server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      const e = error instanceof GitHubHttpError ? error : new GitHubHttpError(500, "Server Error", GENERIC_DOCS);
      reply = { status: e.status, body: errorBody(e), ...(e.headers ? { headers: e.headers } : {}) };
    }
    call.status = reply.status;
    calls.push(call);
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const headers: Record<string, string> = {
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": `${calls.length.toString(16).toUpperCase()}:LOCAL`,
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(reset),
      "x-ratelimit-used": "1",
      "x-ratelimit-resource": "core",
      ...(reply.headers ?? {}),
    };
    if (reply.raw) {
      res.writeHead(reply.status, { ...headers, "content-length": String(reply.raw.length) });
      res.end(reply.raw);
      return;
    }
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const payload = Buffer.from(JSON.stringify(reply.body));
    res.writeHead(reply.status, {
      ...headers,
      "content-type": "application/json; charset=utf-8",
      "content-length": String(payload.length),
    });
    res.end(payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(`github test server: ${String(error)}\n`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  site.api = `http://127.0.0.1:${port}`;

  return {
    url: site.api,
    calls,
    state,
    spec,
    failNext(method, pathPattern, status, message, headers) {
      faults.push({ method: method.toUpperCase(), pattern: pathPattern, status, message, headers });
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

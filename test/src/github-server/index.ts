// A local stand-in for api.github.com: every request is checked against GitHub's published REST
// description (the operations extracted into test/fixtures/github-openapi/operations.json), answered
// from simple in-memory state, and recorded. Point GITHUB_API_URL (or octokit's baseUrl) at `url`.
// Besides REST: `POST /graphql` answers the token's `viewer { login databaseId }` (see graphql.ts;
// octokit.graphql posts to `{baseUrl}/graphql`), and the server hands out artifact zips and file
// download URLs under `/_blobs/` and `/_raw/`.
//
// Strict by default: a request the description does not allow (no operation matches, a path, query
// or body value its schemas refuse, a query parameter the operation does not declare, no token,
// another repository) is answered as GitHub would and also recorded as unexpected, and unexpected
// calls fail the test that made them even when the code under test swallowed the 404 or 422. When
// the server is started while a vitest test runs (in the test or its beforeEach), the check runs
// when that test finishes (after its afterEach hooks); otherwise (beforeAll, scripts) `close()`
// rejects after closing. A test that sends a bad request on purpose takes it off the record with
// `takeUnexpectedCalls()` and asserts on what it got.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { rawFile } from "./contents.ts";
import { answerGraphql, GRAPHQL_AUTH_DOCS, GRAPHQL_DOCS } from "./graphql.ts";
import { type Handler, handlers, viewer } from "./handlers.ts";
import { DEFAULT_FAULT_MESSAGES, errorBody, GENERIC_DOCS, GitHubHttpError, notFound, type Reply } from "./http.ts";
import { ACTIONS_BOT, type Site } from "./shapes.ts";
import { GitHubSpec } from "./spec.ts";
import { createState, type Filler, fillState, type GitHubState, Ids } from "./state.ts";

export { gitBlobSha, githubBase64 } from "./contents.ts";
export { GitHubSpec, type OperationSpec, toJsonSchema } from "./spec.ts";
export type {
  Approval,
  Artifact,
  CheckRun,
  CheckRunAnnotation,
  CommitStatus,
  Deployment,
  DeploymentStatus,
  Environment,
  GitCommit,
  GitHubState,
  GitRef,
  Issue,
  IssueComment,
  PullRequest,
  RepoFile,
  WorkflowRun,
} from "./state.ts";

export interface GitHubServerOptions {
  owner?: string;
  repo?: string;
  /**
   * Login of the token's user (default `github-actions[bot]`, as for GITHUB_TOKEN): what `GET /user`
   * and GraphQL's `viewer` answer, and the author of what the token creates.
   */
  login?: string;
  /** When set, only this token is accepted; any other gets 401 Bad credentials. */
  token?: string;
  defaultBranch?: string;
  /** Base of html_url links (default https://github.com). */
  serverUrl?: string;
  /**
   * When started inside a running vitest test, check for unexpected calls when that test finishes
   * (default true). With false, or outside a test, `close()` does the check instead.
   */
  checkAfterTest?: boolean;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** The operationId the request matched, when it matched one (`graphql` for `POST /graphql`). */
  operation?: string;
  /**
   * Why the request is not one GitHub's REST description allows (or why the server failed on it);
   * absent for every request a correct client could send. Such calls fail the test (see the module doc).
   */
  unexpected?: string;
}

export interface GitHubServer {
  url: string;
  calls: RecordedCall[];
  state: GitHubState;
  /** Makes the next request matching method and path (a pattern on the path without query) fail once. */
  failNext(method: string, pathPattern: RegExp, status: number, message?: string, headers?: Record<string, string>): void;
  /** The extracted REST description the server validates against. */
  spec: GitHubSpec;
  /** Every unexpected call so far (those reported or taken too, and those a test cleared from `calls`). */
  readonly unexpectedCalls: RecordedCall[];
  /** Throws naming the unexpected calls not yet reported or taken, then counts them as reported. */
  assertNoUnexpectedCalls(): void;
  /** Returns the unexpected calls not yet reported or taken, and takes them off the record: for tests that send bad requests on purpose. */
  takeUnexpectedCalls(): RecordedCall[];
  /** Stops the server; rejects after stopping when unexpected calls are left and no running test checks them. */
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

/** Marks the call unexpected with `reason` and returns the error GitHub would answer with. */
function refuse(call: RecordedCall, reason: string, error: GitHubHttpError): GitHubHttpError {
  call.unexpected ??= reason;
  return error;
}

function describeCall(call: RecordedCall): string {
  const query = new URLSearchParams(call.query).toString();
  return `${call.method} ${call.path}${query ? `?${query}` : ""} -> ${call.status}: ${call.unexpected ?? ""}`;
}

export function unexpectedCallsMessage(calls: RecordedCall[]): string {
  const count = calls.length === 1 ? "1 request" : `${calls.length} requests`;
  return [
    `GitHub test server: ${count} GitHub's REST description does not allow:`,
    ...calls.map((call) => `  ${describeCall(call).replaceAll("\n", " ")}`),
    "(A test that sends such a request on purpose takes it off the record with server.takeUnexpectedCalls().)",
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
    // "can only be called inside a test": started in beforeAll, at module level or in a script.
    return false;
  }
}

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  cachedSpec ??= new GitHubSpec();
  const spec = cachedSpec;
  const defaultBranch = options.defaultBranch ?? "main";
  const state = createState(defaultBranch);
  const calls: RecordedCall[] = [];
  // Kept apart from `calls`, which tests may clear, so no unexpected call escapes the check.
  const unexpected: RecordedCall[] = [];
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

  const faultError = (f: Fault) =>
    new GitHubHttpError(f.status, f.message ?? DEFAULT_FAULT_MESSAGES[f.status] ?? "Error", GENERIC_DOCS, undefined, f.headers);

  async function route(req: IncomingMessage, requestUrl: URL, call: RecordedCall): Promise<Reply> {
    const method = call.method;
    const text = await readBody(req);
    // An injected fault answers whatever the request is, but a malformed request stays unexpected.
    const fault = faults.findIndex((f) => f.method === method && f.pattern.test(requestUrl.pathname));
    const injected = fault >= 0 ? faults.splice(fault, 1)[0] : undefined;

    if (requestUrl.pathname.startsWith("/_blobs/")) {
      if (injected) throw faultError(injected);
      return blob(method, requestUrl, call);
    }
    if (requestUrl.pathname.startsWith("/_raw/")) {
      if (injected) throw faultError(injected);
      return raw(method, requestUrl, call);
    }
    if (requestUrl.pathname === "/graphql" && method === "POST") return graphql(req, text, call, injected);

    let matched: ReturnType<GitHubSpec["match"]>;
    try {
      matched = spec.match(method, requestUrl.pathname);
    } catch (error) {
      const reason = `no operation in GitHub's REST description matches ${method} ${requestUrl.pathname}`;
      throw refuse(call, reason, injected ? faultError(injected) : (error as GitHubHttpError));
    }
    const { op, params } = matched;
    call.operation = op.id;

    // What GitHub checks, in its order: authentication, the repository, query, body.
    let refusal: GitHubHttpError | undefined;
    let query: Record<string, unknown> = {};
    let body: unknown;
    try {
      const presented = token(req);
      if (presented === undefined)
        throw refuse(call, "no Authorization header", new GitHubHttpError(401, "Requires authentication", GENERIC_DOCS));
      if (options.token !== undefined && presented !== options.token) throw new GitHubHttpError(401, "Bad credentials", GENERIC_DOCS);
      // Other repositories do not exist here; GitHub says Not Found rather than revealing anything.
      if (
        REPO_SCOPED.test(op.path) &&
        (String(params.owner).toLowerCase() !== site.owner.toLowerCase() || String(params.repo).toLowerCase() !== site.repo.toLowerCase())
      )
        throw refuse(
          call,
          `${String(params.owner)}/${String(params.repo)} is not the repository this server holds (${site.owner}/${site.repo})`,
          notFound(op.documentationUrl),
        );
      query = invalid(call, op.id, () => spec.validateQuery(op, call.query));
      if (op.requestBody) {
        try {
          body = parseJson(text);
        } catch (error) {
          call.body = text;
          throw refuse(call, `${op.id}: the request body is not JSON`, error as GitHubHttpError);
        }
      }
      call.body = body ?? (text === "" ? undefined : text);
      invalid(call, op.id, () => spec.validateBody(op, body));
    } catch (error) {
      if (!(error instanceof GitHubHttpError)) throw error;
      refusal = error;
    }
    if (injected) throw faultError(injected);
    if (refusal) throw refusal;

    const handler: Handler | undefined = handlers[op.id];
    if (!handler) throw new Error(`no handler for ${op.id}`);
    fillState(state, filler);
    const reply = handler({
      op,
      params,
      query,
      body: (body ?? {}) as Record<string, unknown>,
      state,
      filler,
      site,
      requestUrl,
      headers: req.headers,
      unexpected: (reason) => {
        call.unexpected ??= reason;
      },
      blobs,
    });
    fillState(state, filler);
    return reply;
  }

  // GraphQL is not in the REST description: the token and the JSON body are checked here, the
  // query in graphql.ts. GitHub answers GraphQL errors with 200 and an `errors` array.
  function graphql(req: IncomingMessage, text: string, call: RecordedCall, injected: Fault | undefined): Reply {
    call.operation = "graphql";
    let refusal: GitHubHttpError | undefined;
    let body: unknown;
    try {
      const presented = token(req);
      if (presented === undefined)
        throw refuse(
          call,
          "no Authorization header",
          new GitHubHttpError(401, "This endpoint requires you to be authenticated.", GRAPHQL_AUTH_DOCS),
        );
      if (options.token !== undefined && presented !== options.token) throw new GitHubHttpError(401, "Bad credentials", GRAPHQL_DOCS);
      try {
        body = parseJson(text);
      } catch {
        call.body = text;
        throw refuse(call, "graphql: the request body is not JSON", new GitHubHttpError(400, "Problems parsing JSON", GRAPHQL_DOCS));
      }
      call.body = body;
    } catch (error) {
      if (!(error instanceof GitHubHttpError)) throw error;
      refusal = error;
    }
    if (injected) throw faultError(injected);
    if (refusal) throw refusal;
    const answer = answerGraphql(body, viewer(site, filler));
    if (answer.unexpected !== undefined) call.unexpected ??= `graphql: ${answer.unexpected}`;
    return {
      status: 200,
      body: answer.body,
      headers: { "x-github-media-type": "github.v4; format=json", "x-ratelimit-resource": "graphql" },
    };
  }

  /** A file's bytes at a download_url handed out by repos/get-content (raw.githubusercontent.com needs no token for a public repository). */
  function raw(method: string, requestUrl: URL, call: RecordedCall): Reply {
    const found = method === "GET" ? rawFile(state, site, defaultBranch, requestUrl.pathname) : { ours: false };
    const text = (status: number, message: string): Reply => ({
      status,
      raw: Buffer.from(message),
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
    if (!found.ours) {
      call.unexpected ??= "not a file download URL this server hands out";
      return text(404, "404: Not Found");
    }
    if (!found.bytes) return text(404, "404: Not Found");
    return { status: 200, raw: found.bytes, headers: { "content-type": "text/plain; charset=utf-8" } };
  }

  /** Runs a schema check of `op`; its refusal is unexpected, named by the operation and GitHub's lines. */
  function invalid<T>(call: RecordedCall, operation: string, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof GitHubHttpError)) throw error;
      throw refuse(call, `${operation}: ${error.message.replace(/^Invalid request\.\n\n/, "").replaceAll("\n", " ")}`, error);
    }
  }

  function blob(method: string, requestUrl: URL, call: RecordedCall): Reply {
    const signature = requestUrl.searchParams.get("sig") ?? "";
    const zip = blobs.get(signature);
    if (method !== "GET" || !zip || !/^\/_blobs\/artifacts\/\d+\.zip$/.test(requestUrl.pathname))
      throw refuse(
        call,
        "not an artifact download URL this server handed out",
        new GitHubHttpError(403, "Server failed to authenticate the request.", GENERIC_DOCS),
      );
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
      if (!(error instanceof GitHubHttpError)) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        process.stderr.write(`github test server: ${message}\n`);
        call.unexpected ??= `the test server failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      const e = error instanceof GitHubHttpError ? error : new GitHubHttpError(500, "Server Error", GENERIC_DOCS);
      reply = { status: e.status, body: errorBody(e), ...(e.headers ? { headers: e.headers } : {}) };
    }
    call.status = reply.status;
    calls.push(call);
    if (call.unexpected !== undefined) unexpected.push(call);
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

  // unexpected[settled..] are the unexpected calls no check has reported and no test has taken.
  let settled = 0;
  let checkedAfterTest = false;
  const settle = () => {
    const left = unexpected.slice(settled);
    settled = unexpected.length;
    return left;
  };
  const github: GitHubServer = {
    url: site.api,
    calls,
    state,
    spec,
    get unexpectedCalls() {
      return [...unexpected];
    },
    assertNoUnexpectedCalls() {
      const left = settle();
      if (left.length > 0) throw new Error(unexpectedCallsMessage(left));
    },
    takeUnexpectedCalls() {
      return settle();
    },
    failNext(method, pathPattern, status, message, headers) {
      faults.push({ method: method.toUpperCase(), pattern: pathPattern, status, message, headers });
    },
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      if (!checkedAfterTest) github.assertNoUnexpectedCalls();
    },
  };
  checkedAfterTest = options.checkAfterTest !== false && (await checkWhenTestFinishes(() => github.assertNoUnexpectedCalls()));
  return github;
}

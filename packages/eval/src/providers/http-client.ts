import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/**
 * A small HTTP client for provider calls on `node:http` with keep-alive agents. `fetch` costs
 * several times more CPU per request (WHATWG streams, Headers, Response objects), which at 50
 * concurrent calls is what limits an eval run; the `undici` package would be as cheap but adds
 * to every action bundle. Idle pooled sockets are unref'd by the agent, so they never keep the
 * process alive, and the agent honours the server's `Keep-Alive: timeout` hint.
 */

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface HttpRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /**
   * Streams a successful (2xx) body instead of buffering it: called with the status and headers,
   * it returns a function given each decompressed chunk as it arrives (or undefined to buffer
   * after all, e.g. when the server did not answer with a stream). An error the function throws
   * ends the request and is what it rejects with. The response's `text` is then "".
   */
  onBody?: (status: number, headers: IncomingHttpHeaders) => ((chunk: Buffer) => void) | undefined;
}

/** No response body is read past this many (decompressed) bytes: a model's reply is hostile input. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/** An error of the request itself (network, abort), not an HTTP status. */
export class HttpClientError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = "HttpClientError";
    this.code = code;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;
/**
 * Headers that may follow a redirect to another origin: they describe the request, never the
 * caller. Everything else is dropped. A config can put a secret in any header (`x-goog-api-key`,
 * `{{env.TOKEN}}` in a custom one), and a list of credential names always misses one; another
 * origin that needs credentials must be configured as the URL.
 */
const CROSS_ORIGIN_HEADERS = new Set(["accept", "content-type"]);

/**
 * Sends one request and follows redirects as fetch does: 303, and 301/302 after a POST, become a
 * GET without a body; 307/308 repeat the request. On a change of origin every header but
 * `accept` and `content-type` is dropped, for the rest of the chain.
 */
export async function httpSend(url: string, init: HttpRequestInit): Promise<HttpResponse> {
  let current = { url, init };
  for (let hop = 0; ; hop++) {
    const response = await sendOnce(current.url, current.init);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.status) || typeof location !== "string") return response;
    if (hop >= MAX_REDIRECTS) throw new HttpClientError(`more than ${MAX_REDIRECTS} redirects`, "ERR_TOO_MANY_REDIRECTS");
    let next: URL;
    try {
      next = new URL(location, current.url);
    } catch {
      throw new HttpClientError("redirect to an invalid URL", "ERR_INVALID_URL");
    }
    const headers =
      next.origin === new URL(current.url).origin
        ? { ...current.init.headers }
        : Object.fromEntries(Object.entries(current.init.headers).filter(([name]) => CROSS_ORIGIN_HEADERS.has(name.toLowerCase())));
    const toGet = response.status === 303 ? current.init.method !== "HEAD" : response.status <= 302 && current.init.method === "POST";
    const nextInit: HttpRequestInit = { ...current.init, headers };
    if (toGet) {
      nextInit.method = "GET";
      delete nextInit.body;
      delete headers["content-type"];
    }
    current = { url: next.href, init: nextInit };
  }
}

function sendOnce(url: string, init: HttpRequestInit): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    if (init.signal.aborted) return reject(new HttpClientError("aborted", "ABORT_ERR"));
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return reject(new HttpClientError("invalid URL", "ERR_INVALID_URL"));
    }
    const secure = target.protocol === "https:";
    if (!secure && target.protocol !== "http:") return reject(new HttpClientError(`unsupported protocol ${target.protocol}`));
    let settled = false;
    const finish = (error: Error | undefined, value?: HttpResponse) => {
      if (settled) return;
      settled = true;
      init.signal.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(value!);
    };
    const onAbort = () => {
      finish(new HttpClientError("aborted", "ABORT_ERR"));
      req.destroy();
    };
    const headers: Record<string, string | number> = { ...init.headers };
    if (init.body !== undefined) headers["content-length"] = Buffer.byteLength(init.body);
    const options = {
      method: init.method,
      headers,
      agent: secure ? httpsAgent : httpAgent,
      // Credentials in the URL become Basic auth, as fetch would send them.
      ...(target.username || target.password
        ? { auth: `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}` }
        : {}),
    };
    let req: ReturnType<typeof httpRequest>;
    try {
      req = (secure ? httpsRequest : httpRequest)(target, options, (res) => {
        const status = res.statusCode ?? 0;
        const sink = status >= 200 && status < 300 && init.onBody ? init.onBody(status, res.headers) : undefined;
        readText(res, sink).then(
          (text) => finish(undefined, { status, headers: res.headers, text }),
          (error: NodeJS.ErrnoException) => {
            req.destroy();
            finish(error instanceof HttpClientError ? error : new HttpClientError(error.message, error.code));
          },
        );
      });
    } catch (error) {
      // Invalid header names or values are thrown synchronously.
      const e = error as NodeJS.ErrnoException;
      return reject(new HttpClientError(e.message, e.code));
    }
    init.signal.addEventListener("abort", onAbort, { once: true });
    req.on("error", (error: NodeJS.ErrnoException) => finish(new HttpClientError(error.message, error.code)));
    req.end(init.body);
  });
}

/**
 * The body as UTF-8, decompressed when the server compressed it anyway; or, with a sink, each
 * chunk given to it as it arrives (and "" returned). At most MAX_RESPONSE_BYTES either way.
 */
function readText(res: IncomingMessage, sink?: (chunk: Buffer) => void): Promise<string> {
  const encoding = String(res.headers["content-encoding"] ?? "")
    .trim()
    .toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? createGunzip()
      : encoding === "deflate"
        ? createInflate()
        : encoding === "br"
          ? createBrotliDecompress()
          : undefined;
  return new Promise<string>((resolve, reject) => {
    const source = decoder ? res.pipe(decoder) : res;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.removeAllListeners("data");
      res.destroy();
      reject(error);
    };
    source.on("data", (chunk: Buffer) => {
      if (failed) return;
      bytes += chunk.length;
      if (bytes > MAX_RESPONSE_BYTES)
        return fail(new HttpClientError(`response body larger than ${MAX_RESPONSE_BYTES} bytes`, "ERR_BODY_TOO_LARGE"));
      if (!sink) return void chunks.push(chunk);
      try {
        sink(chunk);
      } catch (error) {
        fail(Object.assign(new HttpClientError("the body's reader failed", "ERR_BODY_READER"), { cause: error }));
      }
    });
    source.on("end", () => {
      if (failed) return;
      resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"));
    });
    source.on("error", fail);
    if (decoder) res.on("error", fail);
    // A connection reset mid-body ends the message as aborted rather than with an error.
    res.on("aborted", () => fail(Object.assign(new Error("response aborted"), { code: "ECONNRESET" })));
  });
}

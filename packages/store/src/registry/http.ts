import { setTimeout as sleep } from "node:timers/promises";
import { ExternalError, LlmopsError, type Logger, oneLine, retryAfterMs } from "@llmops/core";
import { InsecureTokenRealmError, RegistryConnectionError, RegistryHttpError } from "../errors.ts";

export type RegistryAuth = { username: string; password: string } | { token: string; username?: string };

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A fresh body per attempt (streams cannot be replayed). */
  body?: () => RequestInit["body"];
  /** Token scopes this request needs, e.g. `repository:a/b:pull,push`. */
  scopes: string[];
  /** Statuses that are answers, not failures (e.g. 404 for "does not exist"). */
  ok: number[];
  retry?: boolean;
}

export interface HttpOptions {
  /** `host[:port]`. */
  host: string;
  secure: boolean;
  auth?: RegistryAuth | undefined;
  logger: Logger;
  retries?: number | undefined;
  retryDelayMs?: number | undefined;
}

const MAX_RETRY_AFTER_MS = 60_000;
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * HTTP to one registry: auth challenges, retries with backoff, redirects. Credentials (Basic, or
 * the bearer tokens they buy) go to the registry's own origin only: a Location or Link on another
 * origin, or anything after a redirect to one, gets none, and a challenge from elsewhere is not
 * answered, since whoever serves it could name a realm of its own to collect them.
 */
export class RegistryHttp {
  readonly origin: string;
  /** For messages: `oci://host`, never credentials. */
  readonly location: string;
  readonly logger: Logger;
  readonly retries: number;
  readonly retryDelayMs: number;
  readonly #auth: RegistryAuth | undefined;
  readonly #tokens = new Map<string, string>();
  #basic: string | undefined;

  constructor(options: HttpOptions) {
    this.origin = `${options.secure ? "https" : "http"}://${options.host}`;
    this.location = `oci://${options.host}`;
    this.#auth = options.auth;
    this.logger = options.logger;
    this.retries = options.retries ?? 4;
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  /** The wait before retry number `attempt` (0-based): what Retry-After asked for, else exponential backoff with jitter. */
  delay(attempt: number, retryAfter?: number): number {
    if (retryAfter !== undefined) return Math.min(retryAfter, MAX_RETRY_AFTER_MS);
    return this.retryDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
  }

  async request(method: string, pathOrUrl: string, options: RequestOptions): Promise<Response> {
    const url = new URL(pathOrUrl, this.origin);
    const shown = `${method} ${url.pathname}`;
    let challenged = false;
    const attempts = options.retry === false ? 1 : this.retries + 1;
    for (let attempt = 0; ; attempt++) {
      let cause: string;
      let retryAfter: number | undefined;
      try {
        const { response, home } = await this.#send(method, url, options);
        if (response.status === 401 && home && !challenged) {
          challenged = true;
          await response.body?.cancel();
          await this.#answerChallenge(response.headers.get("www-authenticate") ?? "", options.scopes);
          attempt--;
          continue;
        }
        if (options.ok.includes(response.status) || (response.status >= 200 && response.status < 300)) return response;
        const transient = response.status >= 500 || response.status === 429;
        if (!transient || attempt + 1 >= attempts) throw await this.failure(shown, response, attempt + 1);
        retryAfter = retryAfterMs(response.headers.get("retry-after"));
        cause = `status ${response.status}`;
        await response.body?.cancel();
      } catch (error) {
        if (error instanceof LlmopsError) throw error;
        if (attempt + 1 >= attempts) {
          throw new RegistryConnectionError(
            `registry ${this.location}: ${shown}: connection failed after ${attempt + 1} attempts (${describeCause(error)})`,
          );
        }
        cause = describeCause(error);
      }
      const delay = this.delay(attempt, retryAfter);
      this.logger.debug(`registry ${shown}: ${cause}; retry ${attempt + 1} in ${Math.round(delay)} ms`);
      await sleep(delay);
    }
  }

  /**
   * One attempt, following redirects by hand so that credentials are attached hop by hop.
   * `home` is false once the chain has left the registry's origin.
   */
  async #send(method: string, url: URL, options: RequestOptions): Promise<{ response: Response; home: boolean }> {
    let current = url;
    let home = url.origin === this.origin;
    let verb = method;
    let headers = { ...options.headers };
    let withBody = true;
    for (let hop = 0; ; hop++) {
      const sent: Record<string, string> = { ...headers };
      const authorization = home ? this.#authorization(options.scopes) : undefined;
      if (authorization) sent.authorization = authorization;
      const init: RequestInit & { duplex?: "half" } = { method: verb, headers: sent, redirect: "manual" };
      const body = withBody ? options.body?.() : undefined;
      if (body !== undefined) {
        init.body = body;
        if (body instanceof ReadableStream) init.duplex = "half";
      }
      const response = await fetch(current, init);
      const location = response.headers.get("location");
      if (!REDIRECTS.has(response.status) || !location) return { response, home };
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryHttpError(
          `registry ${this.location}: ${method} ${url.pathname}: more than ${MAX_REDIRECTS} redirects`,
          response.status,
        );
      }
      const next = new URL(location, current);
      if (next.origin !== this.origin) home = false;
      // RFC 9110 §15.4: 303 turns anything but HEAD into GET; 301/302 do so for POST (as browsers and fetch do).
      if ((response.status === 303 && verb !== "HEAD") || ((response.status === 301 || response.status === 302) && verb === "POST")) {
        verb = "GET";
        withBody = false;
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !/^content-/i.test(k)));
      }
      current = next;
    }
  }

  #credentials(): string | undefined {
    const a = this.#auth;
    if (!a) return undefined;
    const [user, pass] = "token" in a ? [a.username ?? "llmops", a.token] : [a.username, a.password];
    return `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
  }

  #authorization(scopes: string[]): string | undefined {
    return this.#tokens.get(scopes.join(" ")) ?? this.#basic;
  }

  async #answerChallenge(header: string, scopes: string[]): Promise<void> {
    const { scheme, params } = parseChallenge(header);
    if (scheme === "bearer") return this.#fetchToken(params, scopes);
    if (scheme === "basic") {
      const basic = this.#credentials();
      if (!basic)
        throw new ExternalError(
          `registry ${this.location}: requires credentials (set LLMOPS_REGISTRY_USERNAME/PASSWORD or LLMOPS_REGISTRY_TOKEN)`,
        );
      this.#basic = basic;
      return;
    }
    throw new ExternalError(`registry ${this.location}: unsupported authentication challenge "${header.split(" ")[0]}"`);
  }

  async #fetchToken(challenge: Record<string, string>, scopes: string[]): Promise<void> {
    const realm = challenge.realm;
    if (!realm) throw new ExternalError(`registry ${this.location}: bearer challenge without a realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new ExternalError(`registry ${this.location}: bearer challenge with an unreadable realm`);
    }
    if (url.protocol !== "https:" && (url.protocol !== "http:" || this.origin.startsWith("https:"))) {
      throw new InsecureTokenRealmError(
        `registry ${this.location}: token realm ${url.origin} is not https; refusing to send credentials or take a token over it`,
      );
    }
    if (challenge.service) url.searchParams.set("service", challenge.service);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    const basic = this.#credentials();
    let response: Response;
    try {
      response = await fetchWithin(url, basic);
    } catch (error) {
      throw new ExternalError(`registry ${this.location}: token endpoint ${url.origin} unreachable (${describeCause(error)})`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ExternalError(`registry ${this.location}: token endpoint refused (${response.status}); check the registry credentials`);
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new ExternalError(`registry ${this.location}: token endpoint returned no token`);
    this.#tokens.set(scopes.join(" "), `Bearer ${token}`);
  }

  async failure(shown: string, response: Response, attempts?: number): Promise<RegistryHttpError> {
    let detail = "";
    try {
      const body = (await response.json()) as { errors?: { code?: string; message?: string }[] };
      const first = body.errors?.[0];
      if (first) detail = `: ${first.code ?? ""} ${first.message ?? ""}`.trimEnd();
    } catch {}
    const hint =
      response.status === 401 || response.status === 403
        ? " (check credentials; on GHCR the workflow needs `permissions: packages: write`)"
        : "";
    const tries = attempts && attempts > 1 ? ` after ${attempts} attempts` : "";
    return new RegistryHttpError(
      `registry ${this.location}: ${shown}: HTTP ${response.status}${oneLine(detail)}${hint}${tries}`,
      response.status,
      retryAfterMs(response.headers.get("retry-after")),
    );
  }
}

/** GET `url` with `authorization` for its origin only, following redirects by hand (credentials never leave that origin). */
async function fetchWithin(url: URL, authorization: string | undefined): Promise<Response> {
  let current = url;
  let home = true;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = {};
    if (home && authorization) headers.authorization = authorization;
    const response = await fetch(current, { headers, redirect: "manual" });
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || !location || hop >= MAX_REDIRECTS) return response;
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.origin !== url.origin) home = false;
    current = next;
  }
}

/** Whether a failure is worth another attempt: connection trouble, 5xx or 429. */
export function isTransient(error: unknown): boolean {
  if (error instanceof RegistryConnectionError) return true;
  if (error instanceof RegistryHttpError) return error.status >= 500 || error.status === 429;
  return false;
}

export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /([a-zA-Z_]+)=(?:"([^"]*)"|([^,\s]*))/g;
  for (const m of header.slice(space + 1).matchAll(re)) params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? "";
  return { scheme, params };
}

export function describeCause(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  return oneLine(e.cause?.code ?? e.cause?.message ?? e.message ?? String(error));
}

export function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  return url.toString();
}

/** The upload URL a registry answered with, resolved against the URL that answered (RFC 9110 §10.2.2). */
export function locationOf(http: RegistryHttp, response: Response): string {
  const location = response.headers.get("location");
  if (!location) throw new ExternalError(`registry ${http.location}: upload response without a Location header`);
  return new URL(location, response.url || http.origin).toString();
}

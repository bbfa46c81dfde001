import { createReadStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { ExternalError, InputError, type Logger, retryAfterMs } from "@llmops/core";
import { AliasConflictError } from "./errors.ts";
import { type Descriptor, type ImageIndex, type Manifest, OCI_INDEX, OCI_MANIFEST } from "./media.ts";
import type { StoredManifest, Transport } from "./transport.ts";
import { digestOf } from "./verify.ts";

export type RegistryAuth = { username: string; password: string } | { token: string; username?: string };

export interface RegistryOptions {
  /** `host[:port]`. */
  host: string;
  /** https unless false. */
  secure: boolean;
  auth?: RegistryAuth;
  logger: Logger;
  /** Retries after the first attempt for 5xx, 429 and connection failures. */
  retries?: number;
  /** First backoff delay; doubles per retry (Retry-After wins when the registry sends it). */
  retryDelayMs?: number;
  /** Blobs larger than this are uploaded in PATCH chunks of this size. */
  chunkSize?: number;
  /** Page size asked of tag and catalog listings (`n`). */
  pageSize?: number;
}

const MANIFEST_ACCEPT = [OCI_MANIFEST, OCI_INDEX, "application/vnd.docker.distribution.manifest.v2+json"].join(", ");
const FALLBACK_TAG = /^sha256-[a-f0-9]{64}$/;
const MAX_RETRY_AFTER_MS = 60_000;

interface RequestOptions {
  headers?: Record<string, string>;
  /** A fresh body per attempt (streams cannot be replayed). */
  body?: () => RequestInit["body"];
  /** Token scopes this request needs, e.g. `repository:a/b:pull,push`. */
  scopes: string[];
  /** Statuses that are answers, not failures (e.g. 404 for "does not exist"). */
  ok: number[];
  retry?: boolean;
}

class RetryableStatus extends Error {
  readonly response: Response;
  constructor(response: Response) {
    super(`status ${response.status}`);
    this.response = response;
  }
}

/**
 * The OCI Distribution API over HTTP(S): anonymous, basic and bearer-token auth (challenge →
 * token endpoint, tokens cached per scope), HEAD before upload, cross-repository mount,
 * monolithic and chunked uploads, Link pagination, the Referrers API with the OCI 1.1 tag-schema
 * fallback (`sha256-<hex>` index tags) for registries without it (CNCF Distribution 2.8).
 *
 * Tags cannot be moved atomically on a registry: `setTag` reads, compares, PUTs and re-reads,
 * which catches a lost race when the other writer lands after us but not when two writers read
 * the same old value and both land before either re-reads. The layout store has a real lock.
 */
export class RegistryTransport implements Transport {
  readonly kind = "registry" as const;
  readonly location: string;
  readonly #base: string;
  readonly #auth: RegistryAuth | undefined;
  readonly #logger: Logger;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #chunkSize: number;
  readonly #pageSize: number;
  readonly #tokens = new Map<string, string>();
  #basic: string | undefined;
  #referrersApi: boolean | undefined;

  constructor(options: RegistryOptions) {
    this.#base = `${options.secure ? "https" : "http"}://${options.host}`;
    this.location = `oci://${options.host}`;
    this.#auth = options.auth;
    this.#logger = options.logger;
    this.#retries = options.retries ?? 4;
    this.#retryDelayMs = options.retryDelayMs ?? 500;
    this.#chunkSize = options.chunkSize ?? 64 * 1024 * 1024;
    this.#pageSize = options.pageSize ?? 1000;
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

  async #fetchToken(challenge: Record<string, string>, scopes: string[]): Promise<void> {
    const realm = challenge.realm;
    if (!realm) throw new ExternalError(`registry ${this.location}: bearer challenge without a realm`);
    const url = new URL(realm);
    if (challenge.service) url.searchParams.set("service", challenge.service);
    for (const scope of scopes) url.searchParams.append("scope", scope);
    const headers: Record<string, string> = {};
    const basic = this.#credentials();
    if (basic) headers.authorization = basic;
    let response: Response;
    try {
      response = await fetch(url, { headers });
    } catch (error) {
      throw new ExternalError(`registry ${this.location}: token endpoint ${url.origin} unreachable (${(error as Error).message})`);
    }
    if (!response.ok) {
      throw new ExternalError(`registry ${this.location}: token endpoint refused (${response.status}); check the registry credentials`);
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new ExternalError(`registry ${this.location}: token endpoint returned no token`);
    this.#tokens.set(scopes.join(" "), `Bearer ${token}`);
  }

  async #request(method: string, pathOrUrl: string, options: RequestOptions): Promise<Response> {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${this.#base}${pathOrUrl}`;
    const shown = `${method} ${new URL(url).pathname}`;
    let authTried = false;
    const attempts = options.retry === false ? 1 : this.#retries + 1;
    for (let attempt = 0; ; attempt++) {
      try {
        const headers: Record<string, string> = { ...options.headers };
        const authorization = this.#authorization(options.scopes);
        if (authorization) headers.authorization = authorization;
        const body = options.body?.();
        const init: RequestInit & { duplex?: "half" } = { method, headers, redirect: "follow" };
        if (body !== undefined) {
          init.body = body;
          if (body instanceof ReadableStream) init.duplex = "half";
        }
        const response = await fetch(url, init);
        if (response.status === 401 && !authTried) {
          authTried = true;
          await response.body?.cancel();
          await this.#answerChallenge(response.headers.get("www-authenticate") ?? "", options.scopes);
          attempt--;
          continue;
        }
        if (options.ok.includes(response.status) || (response.status >= 200 && response.status < 300)) return response;
        if (response.status >= 500 || response.status === 429) throw new RetryableStatus(response);
        throw await this.#failure(shown, response);
      } catch (error) {
        if (error instanceof ExternalError || error instanceof InputError) throw error;
        const last = attempt + 1 >= attempts;
        if (last) {
          if (error instanceof RetryableStatus) throw await this.#failure(shown, error.response, attempt + 1);
          throw new ExternalError(
            `registry ${this.location}: ${shown}: connection failed after ${attempt + 1} attempts (${describeCause(error)})`,
          );
        }
        let delay = this.#retryDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
        if (error instanceof RetryableStatus) {
          const after = retryAfterMs(error.response.headers.get("retry-after"));
          if (after !== undefined) delay = Math.min(after, MAX_RETRY_AFTER_MS);
          await error.response.body?.cancel();
        }
        this.#logger.debug(
          `registry ${shown}: ${error instanceof RetryableStatus ? error.message : describeCause(error)}; retry ${attempt + 1} in ${Math.round(delay)} ms`,
        );
        await sleep(delay);
      }
    }
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

  async #failure(shown: string, response: Response, attempts?: number): Promise<ExternalError> {
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
    return new ExternalError(`registry ${this.location}: ${shown}: HTTP ${response.status}${detail}${hint}${tries}`);
  }

  #pull(repo: string): string[] {
    return [`repository:${repo}:pull`];
  }

  #push(repo: string): string[] {
    return [`repository:${repo}:pull,push`];
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const r = await this.#request("HEAD", `/v2/${repo}/blobs/${digest}`, { scopes: this.#pull(repo), ok: [404] });
    return r.status === 200;
  }

  async putBlobFile(
    repo: string,
    blob: { digest: string; size: number; path: string },
    options: { mountFrom?: string[]; onBytes?: (n: number) => void } = {},
  ): Promise<"uploaded" | "mounted" | "exists"> {
    if (await this.hasBlob(repo, blob.digest)) return "exists";
    for (const from of options.mountFrom ?? []) {
      const r = await this.#request("POST", `/v2/${repo}/blobs/uploads/?mount=${blob.digest}&from=${encodeURIComponent(from)}`, {
        scopes: [...this.#push(repo), ...this.#pull(from)],
        ok: [202],
        headers: { "content-length": "0" },
      });
      await r.body?.cancel();
      if (r.status === 201) return "mounted";
    }
    const open = (start: number, end: number) => {
      let counted = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _e, done) {
          counted += chunk.length;
          options.onBytes?.(chunk.length);
          done(null, chunk);
        },
      });
      const source = createReadStream(blob.path, { start, end: end - 1, highWaterMark: 1024 * 1024 });
      source.on("error", (e) => counter.destroy(e));
      return { stream: Readable.toWeb(source.pipe(counter)) as ReadableStream, undo: () => options.onBytes?.(-counted) };
    };
    // A broken upload session cannot be resumed portably, so a failed attempt starts a new one.
    for (let attempt = 0; ; attempt++) {
      const undos: (() => void)[] = [];
      try {
        await this.#upload(repo, blob, (s, e) => {
          const o = open(s, e);
          undos.push(o.undo);
          return o.stream;
        });
        return "uploaded";
      } catch (error) {
        for (const undo of undos) undo();
        if (
          error instanceof InputError ||
          attempt >= this.#retries ||
          (error instanceof ExternalError && !/HTTP 5\d\d|HTTP 429|connection failed/.test(error.message))
        ) {
          throw error instanceof ExternalError || error instanceof InputError
            ? error
            : new ExternalError(
                `registry ${this.location}: upload of ${blob.path} failed after ${attempt + 1} attempts (${describeCause(error)})`,
              );
        }
        const delay = this.#retryDelayMs * 2 ** attempt;
        this.#logger.debug(`registry upload of ${blob.path} failed (${describeCause(error)}); restarting in ${delay} ms`);
        await sleep(delay);
      }
    }
  }

  async #upload(repo: string, blob: { digest: string; size: number }, open: (start: number, end: number) => ReadableStream): Promise<void> {
    const scopes = this.#push(repo);
    const started = await this.#request("POST", `/v2/${repo}/blobs/uploads/`, { scopes, ok: [], headers: { "content-length": "0" } });
    await started.body?.cancel();
    let location = this.#location(started);
    if (blob.size <= this.#chunkSize) {
      const r = await this.#request("PUT", withDigest(location, blob.digest), {
        scopes,
        ok: [],
        retry: false,
        headers: { "content-type": "application/octet-stream", "content-length": String(blob.size) },
        body: () => open(0, blob.size),
      });
      await r.body?.cancel();
      return;
    }
    for (let offset = 0; offset < blob.size; offset += this.#chunkSize) {
      const end = Math.min(blob.size, offset + this.#chunkSize);
      const r = await this.#request("PATCH", location, {
        scopes,
        ok: [],
        retry: false,
        headers: {
          "content-type": "application/octet-stream",
          "content-length": String(end - offset),
          "content-range": `${offset}-${end - 1}`,
        },
        body: () => open(offset, end),
      });
      await r.body?.cancel();
      location = this.#location(r);
    }
    const done = await this.#request("PUT", withDigest(location, blob.digest), {
      scopes,
      ok: [],
      retry: false,
      headers: { "content-length": "0" },
    });
    await done.body?.cancel();
  }

  #location(response: Response): string {
    const location = response.headers.get("location");
    if (!location) throw new ExternalError(`registry ${this.location}: upload response without a Location header`);
    return new URL(location, this.#base).toString();
  }

  async putBlobBytes(repo: string, digest: string, bytes: Uint8Array): Promise<void> {
    if (await this.hasBlob(repo, digest)) return;
    const scopes = this.#push(repo);
    const started = await this.#request("POST", `/v2/${repo}/blobs/uploads/`, { scopes, ok: [], headers: { "content-length": "0" } });
    await started.body?.cancel();
    const r = await this.#request("PUT", withDigest(this.#location(started), digest), {
      scopes,
      ok: [],
      headers: { "content-type": "application/octet-stream" },
      body: () => new Uint8Array(bytes),
    });
    await r.body?.cancel();
  }

  async openBlob(repo: string, digest: string): Promise<Readable | undefined> {
    const r = await this.#request("GET", `/v2/${repo}/blobs/${digest}`, { scopes: this.#pull(repo), ok: [404] });
    if (r.status === 404 || !r.body) {
      await r.body?.cancel();
      return undefined;
    }
    return Readable.fromWeb(r.body as import("node:stream/web").ReadableStream);
  }

  async getManifest(repo: string, reference: string): Promise<StoredManifest | undefined> {
    const r = await this.#request("GET", `/v2/${repo}/manifests/${reference}`, {
      scopes: this.#pull(repo),
      ok: [404],
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (r.status === 404) {
      await r.body?.cancel();
      return undefined;
    }
    const bytes = Buffer.from(await r.arrayBuffer());
    const digest = digestOf(bytes);
    const claimed = reference.startsWith("sha256:") ? reference : r.headers.get("docker-content-digest");
    if (claimed && claimed !== digest) {
      throw new InputError(`registry ${this.location}: manifest ${repo}:${reference} does not match its digest ${claimed} (got ${digest})`);
    }
    const mediaType = (r.headers.get("content-type") ?? OCI_MANIFEST).split(";")[0]!.trim();
    return { bytes, digest, mediaType };
  }

  async putManifest(repo: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = digestOf(bytes);
    const r = await this.#putManifestRef(repo, digest, bytes, mediaType);
    const manifest = JSON.parse(bytes.toString("utf8")) as Manifest;
    if (manifest.subject && !r.headers.get("oci-subject")) {
      const d: Descriptor = { mediaType, digest, size: bytes.length };
      if (manifest.artifactType) d.artifactType = manifest.artifactType;
      if (manifest.annotations) d.annotations = manifest.annotations;
      await this.#addFallbackReferrer(repo, manifest.subject.digest, d);
    }
    return digest;
  }

  async #putManifestRef(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<Response> {
    const r = await this.#request("PUT", `/v2/${repo}/manifests/${reference}`, {
      scopes: this.#push(repo),
      ok: [],
      headers: { "content-type": mediaType },
      body: () => new Uint8Array(bytes),
    });
    await r.body?.cancel();
    return r;
  }

  /** OCI 1.1 tag schema: an index tagged `sha256-<hex>` lists the subject's referrers. */
  async #addFallbackReferrer(repo: string, subject: string, descriptor: Descriptor): Promise<void> {
    const tag = subject.replace(":", "-");
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.getManifest(repo, tag);
      const index: ImageIndex = current
        ? (JSON.parse(current.bytes.toString("utf8")) as ImageIndex)
        : { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
      if (index.manifests.some((m) => m.digest === descriptor.digest)) return;
      index.manifests.push(descriptor);
      await this.#putManifestRef(repo, tag, Buffer.from(JSON.stringify(index)), OCI_INDEX);
      // Another writer may have replaced the index between our read and write: check and redo.
      const after = await this.getManifest(repo, tag);
      const listed =
        after && (JSON.parse(after.bytes.toString("utf8")) as ImageIndex).manifests.some((m) => m.digest === descriptor.digest);
      if (listed) return;
    }
    throw new ExternalError(`registry ${this.location}: could not record referrer ${descriptor.digest} in tag ${tag} (concurrent writers)`);
  }

  async setTag(repo: string, tag: string, manifest: StoredManifest, expect?: string | null): Promise<{ previous: string | null }> {
    const previous = (await this.getManifest(repo, tag))?.digest ?? null;
    if (expect !== undefined && previous !== expect) throw new AliasConflictError(`${repo}:${tag}`, expect, previous);
    await this.#putManifestRef(repo, tag, manifest.bytes, manifest.mediaType);
    const now = (await this.getManifest(repo, tag))?.digest ?? null;
    if (now !== manifest.digest) throw new AliasConflictError(`${repo}:${tag}`, manifest.digest, now);
    return { previous };
  }

  async #paginate<T>(path: string, scopes: string[], pick: (body: unknown) => T[]): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    for (let page = 0; next && page < 10_000; page++) {
      const r = await this.#request("GET", next, { scopes, ok: [404] });
      if (r.status === 404) {
        await r.body?.cancel();
        break;
      }
      out.push(...pick(await r.json()));
      next = nextLink(r.headers.get("link"));
    }
    return out;
  }

  async listTags(repo: string): Promise<string[]> {
    const tags = await this.#paginate(
      `/v2/${repo}/tags/list?n=${this.#pageSize}`,
      this.#pull(repo),
      (b) => (b as { tags?: string[] | null }).tags ?? [],
    );
    return tags.filter((t) => !FALLBACK_TAG.test(t));
  }

  async listRepositories(): Promise<string[]> {
    return this.#paginate(
      `/v2/_catalog?n=${this.#pageSize}`,
      ["registry:catalog:*"],
      (b) => (b as { repositories?: string[] }).repositories ?? [],
    );
  }

  async referrers(repo: string, digest: string): Promise<Descriptor[]> {
    if (this.#referrersApi !== false) {
      const r = await this.#request("GET", `/v2/${repo}/referrers/${digest}`, {
        scopes: this.#pull(repo),
        ok: [404, 400, 405],
        headers: { accept: OCI_INDEX },
      });
      const type = r.headers.get("content-type") ?? "";
      if (r.status === 200 && type.includes(OCI_INDEX)) {
        this.#referrersApi = true;
        return ((await r.json()) as ImageIndex).manifests ?? [];
      }
      await r.body?.cancel();
      this.#referrersApi = false;
    }
    const index = await this.getManifest(repo, digest.replace(":", "-"));
    return index ? ((JSON.parse(index.bytes.toString("utf8")) as ImageIndex).manifests ?? []) : [];
  }

  /** Whether the registry answered the Referrers API (undefined until asked). */
  get referrersApi(): boolean | undefined {
    return this.#referrersApi;
  }
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  return url.toString();
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

function describeCause(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

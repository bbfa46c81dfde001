import { Readable } from "node:stream";
import { ExternalError, InputError, type Logger } from "@llmops/core";
import { AliasConflictError, RegistryHttpError } from "./errors.ts";
import { ManifestTooLargeError } from "./integrity-errors.ts";
import { type Descriptor, type ImageIndex, MANIFEST_SIZE_LIMIT, type Manifest, OCI_INDEX, OCI_MANIFEST } from "./media.ts";
import { openBlobStream } from "./registry/download.ts";
import { nextLink, type RegistryAuth, RegistryHttp, type RequestOptions } from "./registry/http.ts";
import { bytesSource, fileSource, uploadBlob } from "./registry/upload.ts";
import type { StoredManifest, Transport } from "./transport.ts";
import { digestOf } from "./verify.ts";

export { nextLink, parseChallenge, type RegistryAuth } from "./registry/http.ts";

export interface RegistryOptions {
  /** `host[:port]`. */
  host: string;
  /** https unless false. */
  secure: boolean;
  auth?: RegistryAuth;
  logger: Logger;
  /** Retries after the first attempt for 5xx, 429 and connection failures; a transfer that moves on gets a fresh budget. */
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

/**
 * The OCI Distribution API over HTTP(S): anonymous, basic and bearer-token auth (challenge →
 * token endpoint, tokens cached per scope; credentials only ever sent to the registry's origin
 * and its token realm), HEAD before upload, cross-repository mount, monolithic and chunked
 * uploads that resume from the registry's offset, downloads that resume with Range, Link
 * pagination, the Referrers API with the OCI 1.1 tag-schema fallback (`sha256-<hex>` index tags)
 * for registries without it (CNCF Distribution 2.8).
 *
 * Tags cannot be moved atomically on a registry: `setTag` reads, compares, PUTs and re-reads,
 * which catches a lost race when the other writer lands after us but not when two writers read
 * the same old value and both land before either re-reads. The layout store has a real lock.
 */
export class RegistryTransport implements Transport {
  readonly kind = "registry" as const;
  readonly location: string;
  readonly #http: RegistryHttp;
  readonly #chunkSize: number;
  readonly #pageSize: number;
  #referrersApi: boolean | undefined;

  constructor(options: RegistryOptions) {
    this.#http = new RegistryHttp(options);
    this.location = this.#http.location;
    this.#chunkSize = options.chunkSize ?? 64 * 1024 * 1024;
    this.#pageSize = options.pageSize ?? 1000;
  }

  #request(method: string, pathOrUrl: string, options: RequestOptions): Promise<Response> {
    return this.#http.request(method, pathOrUrl, options);
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
    await uploadBlob(this.#http, repo, fileSource(blob), {
      chunkSize: this.#chunkSize,
      onBytes: options.onBytes,
      exists: () => this.hasBlob(repo, blob.digest),
    });
    return "uploaded";
  }

  async putBlobBytes(repo: string, digest: string, bytes: Uint8Array): Promise<void> {
    if (await this.hasBlob(repo, digest)) return;
    await uploadBlob(this.#http, repo, bytesSource(digest, bytes), {
      chunkSize: this.#chunkSize,
      exists: () => this.hasBlob(repo, digest),
    });
  }

  /** The blob's bytes, resuming with Range across dropped connections; unverified (callers verify). */
  openBlob(repo: string, digest: string): Promise<Readable | undefined> {
    return openBlobStream(this.#http, `/v2/${repo}/blobs/${digest}`, this.#pull(repo));
  }

  /**
   * Bytes [start, end) of a blob with one Range request (RFC 9110 §14.2). A 206 must carry the
   * Content-Range asked for; a 200 (a registry or proxy that ignores Range) is returned as the
   * whole blob from byte 0, for the caller to read through and verify whole. Unverified.
   */
  async openBlobRange(repo: string, digest: string, start: number, end: number): Promise<{ stream: Readable; start: number } | undefined> {
    const path = `/v2/${repo}/blobs/${digest}`;
    const r = await this.#request("GET", path, {
      scopes: this.#pull(repo),
      ok: [404],
      headers: { "accept-encoding": "identity", range: `bytes=${start}-${end - 1}` },
    });
    if (r.status === 404 || !r.body) {
      await r.body?.cancel();
      return undefined;
    }
    const stream = Readable.fromWeb(r.body as import("node:stream/web").ReadableStream<Uint8Array>);
    if (r.status === 200) return { stream, start: 0 };
    const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(r.headers.get("content-range")?.trim() ?? "");
    if (r.status !== 206 || !m || Number(m[1]) !== start || Number(m[2]) !== end - 1) {
      stream.destroy();
      throw new RegistryHttpError(
        `registry ${this.location}: GET ${path}: asked for bytes ${start}-${end - 1}, got HTTP ${r.status} ${r.headers.get("content-range") ?? "without Content-Range"}`,
        r.status,
      );
    }
    return { stream, start };
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
    const bytes = await readCapped(
      r,
      `registry ${this.location}: manifest ${repo}${reference.startsWith("sha256:") ? "@" : ":"}${reference}`,
    );
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
        const bytes = await readCapped(r, `registry ${this.location}: referrers of ${repo}@${digest}`);
        return (JSON.parse(bytes.toString("utf8")) as ImageIndex).manifests ?? [];
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

/**
 * A manifest's body, at most MANIFEST_SIZE_LIMIT bytes: a Content-Length over it is refused before
 * the body is read, and a body that runs past it (chunked, or lying about its length) is cancelled
 * as soon as it does, so a hostile registry cannot make us hold more than the limit.
 */
async function readCapped(r: Response, what: string, limit = MANIFEST_SIZE_LIMIT): Promise<Buffer> {
  const length = r.headers.get("content-length")?.trim();
  if (length && /^\d+$/.test(length) && Number(length) > limit) {
    await r.body?.cancel().catch(() => {});
    throw new ManifestTooLargeError(what, limit, `Content-Length ${length}`);
  }
  if (!r.body) return Buffer.alloc(0);
  const reader = r.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new ManifestTooLargeError(what, limit, `more than ${limit} bytes sent`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

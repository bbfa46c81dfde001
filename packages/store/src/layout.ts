import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { InputError, writeFileAtomic } from "@llmops/core";
import { AliasConflictError } from "./errors.ts";
import { hashAndCopy } from "./files.ts";
import { ManifestTooLargeError } from "./integrity-errors.ts";
import { acquireLock } from "./lock.ts";
import { type Descriptor, type ImageIndex, MANIFEST_SIZE_LIMIT, type Manifest, OCI_INDEX, REF_NAME } from "./media.ts";
import { DIGEST_EXPECTED, isDigest, parseIndex } from "./schema.ts";
import type { StoredManifest, Transport } from "./transport.ts";
import { sha256Hex } from "./verify.ts";

/** Layout metadata and blobs must survive a crash: fsync before the rename. */
const DURABLE = { durable: true };

/**
 * Every blob file is read-only (r--r--r--, as containerd's content store keeps its blobs): a blob is
 * immutable and content-addressed, written once to a temp file and renamed into place, and never
 * opened for writing again. That is what lets materialize hard-link blobs into a model directory
 * (materialize.ts): the link is the blob's inode, and its mode keeps tools that honour permissions
 * from writing through it (root ignores modes; `verify` catches what it writes).
 */
export const BLOB_MODE = 0o444;

/**
 * An OCI image layout directory. Tags are `org.opencontainers.image.ref.name` annotations in
 * index.json with the value `<name>:<tag>`, so `skopeo inspect oci:<dir>:<name>:<tag>` reads them
 * (skopeo splits `oci:` references at the first colon after the directory). Every manifest we write
 * is listed in index.json (untagged ones without a ref name) so garbage collectors keep it; updates
 * to index.json happen under an exclusive lock file (lock.ts) and land by atomic rename.
 */
export class LayoutTransport implements Transport {
  readonly kind = "layout" as const;
  readonly location: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.location = root;
  }

  /** Refuses anything but a sha256 digest, so no digest read from a manifest can point outside blobs/. */
  #blobPath(digest: string): string {
    if (!isDigest(digest)) throw new InputError(`store ${this.#root}: digest ${JSON.stringify(digest)}: ${DIGEST_EXPECTED}`);
    return join(this.#root, "blobs", "sha256", digest.slice("sha256:".length));
  }

  /**
   * Creates the layout on first use. One creation per transport, shared by concurrent callers:
   * two files ingested at once into a new store must not see each other's half-made layout
   * (blobs/ present, oci-layout not yet) as a foreign directory.
   */
  #ensure(): Promise<void> {
    this.#ready ??= this.#create().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  #ready: Promise<void> | undefined;

  async #create(): Promise<void> {
    let exists = false;
    try {
      exists = (await stat(join(this.#root, "oci-layout"))).isFile();
    } catch {}
    if (exists) return;
    try {
      const entries = await readdir(this.#root);
      if (entries.length > 0) throw new InputError(`store ${this.#root}: exists but is not an OCI image layout (no oci-layout file)`);
    } catch (error) {
      if (error instanceof InputError) throw error;
    }
    await mkdir(join(this.#root, "blobs", "sha256"), { recursive: true });
    await writeFileAtomic(
      join(this.#root, "index.json"),
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }),
      DURABLE,
    );
    await writeFileAtomic(join(this.#root, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }), DURABLE);
  }

  /** index.json, schema-checked: its digests become blob paths. */
  async #readIndex(): Promise<ImageIndex> {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.#root, "index.json"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
      throw new InputError(`store ${this.#root}: index.json cannot be read (${(error as Error).message.split("\n")[0]})`);
    }
    return parseIndex(bytes, `store ${this.#root}: index.json`, "");
  }

  /** Read-modify-write of index.json under the lock; `change` may throw to abort. */
  async #updateIndex<T>(change: (index: ImageIndex) => T): Promise<T> {
    await this.#ensure();
    const release = await acquireLock(join(this.#root, "index.json.lock"));
    try {
      const index = await this.#readIndex();
      const result = change(index);
      await writeFileAtomic(join(this.#root, "index.json"), JSON.stringify(index), DURABLE);
      return result;
    } finally {
      await release();
    }
  }

  async hasBlob(_repo: string, digest: string): Promise<boolean> {
    const path = this.#blobPath(digest);
    try {
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  }

  /** The blob's file, for hard links that are never written through (BLOB_MODE); undefined when absent. */
  async blobPath(_repo: string, digest: string): Promise<string | undefined> {
    return (await this.hasBlob(_repo, digest)) ? this.#blobPath(digest) : undefined;
  }

  #tempBlob(): string {
    return join(this.#root, "blobs", "sha256", `.tmp-${randomBytes(8).toString("hex")}`);
  }

  async ingestFile(path: string, onBytes?: (n: number) => void): Promise<{ digest: string; size: number; existed: boolean }> {
    await this.#ensure();
    const temp = this.#tempBlob();
    try {
      const result = await hashAndCopy(path, temp, onBytes);
      const existed = await this.hasBlob("", result.digest);
      if (existed) await rm(temp, { force: true });
      else {
        await chmod(temp, BLOB_MODE);
        await rename(temp, this.#blobPath(result.digest));
      }
      return { ...result, existed };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async tempBlobPath(): Promise<string> {
    await this.#ensure();
    return this.#tempBlob();
  }

  async adoptBlobFile(temp: string, digest: string): Promise<boolean> {
    const target = this.#blobPath(digest);
    if (await this.hasBlob("", digest)) {
      await rm(temp, { force: true });
      return true;
    }
    try {
      const handle = await open(temp, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(temp, BLOB_MODE);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return false;
  }

  async openBlobRange(_repo: string, digest: string, start: number, end: number): Promise<{ stream: Readable; start: number } | undefined> {
    if (!(await this.hasBlob(_repo, digest))) return undefined;
    if (end <= start) return { stream: Readable.from([]), start };
    return { stream: createReadStream(this.#blobPath(digest), { start, end: end - 1, highWaterMark: 1024 * 1024 }), start };
  }

  async putBlobFile(
    _repo: string,
    blob: { digest: string; size: number; path: string },
    options?: { onBytes?: (n: number) => void },
  ): Promise<"uploaded" | "exists"> {
    if (await this.hasBlob(_repo, blob.digest)) return "exists";
    const got = await this.ingestFile(blob.path, options?.onBytes);
    if (got.digest !== blob.digest) throw new InputError(`file ${blob.path} changed while being versioned`);
    return "uploaded";
  }

  async putBlobBytes(_repo: string, digest: string, bytes: Uint8Array): Promise<void> {
    if (await this.hasBlob(_repo, digest)) return;
    await this.#ensure();
    const temp = this.#tempBlob();
    try {
      // Created read-only: the mode applies to later opens, not to this descriptor.
      const handle = await open(temp, "wx", BLOB_MODE);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.#blobPath(digest));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async openBlob(_repo: string, digest: string): Promise<Readable | undefined> {
    if (!(await this.hasBlob(_repo, digest))) return undefined;
    return createReadStream(this.#blobPath(digest), { highWaterMark: 1024 * 1024 });
  }

  async getManifest(repo: string, reference: string): Promise<StoredManifest | undefined> {
    let descriptor: Descriptor | undefined;
    if (reference.startsWith("sha256:")) {
      descriptor = (await this.#readIndex()).manifests.find((m) => m.digest === reference);
    } else {
      const refName = `${repo}:${reference}`;
      descriptor = (await this.#readIndex()).manifests.find((m) => m.annotations?.[REF_NAME] === refName);
    }
    if (!descriptor) return undefined;
    const what = `store ${this.#root}: manifest ${repo}${reference.startsWith("sha256:") ? `@${reference}` : `:${reference} (${descriptor.digest})`}`;
    if (descriptor.size > MANIFEST_SIZE_LIMIT)
      throw new ManifestTooLargeError(what, MANIFEST_SIZE_LIMIT, `size ${descriptor.size} in index.json`);
    const path = this.#blobPath(descriptor.digest);
    let bytes: Buffer | undefined;
    try {
      bytes = await readCapped(path);
    } catch {
      throw new InputError(`store ${this.#root}: manifest ${descriptor.digest} is listed in index.json but its blob is missing`);
    }
    if (!bytes) throw new ManifestTooLargeError(what, MANIFEST_SIZE_LIMIT, `blob larger than ${MANIFEST_SIZE_LIMIT} bytes`);
    if (`sha256:${sha256Hex(bytes)}` !== descriptor.digest) {
      throw new InputError(`store ${this.#root}: manifest blob ${descriptor.digest} does not match its digest (tampered store)`);
    }
    return { bytes, digest: descriptor.digest, mediaType: descriptor.mediaType };
  }

  async putManifest(_repo: string, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = `sha256:${sha256Hex(bytes)}`;
    await this.putBlobBytes(_repo, digest, bytes);
    const manifest = JSON.parse(bytes.toString("utf8")) as Manifest;
    await this.#updateIndex((index) => {
      if (index.manifests.some((m) => m.digest === digest && !m.annotations?.[REF_NAME])) return;
      const entry: Descriptor = { mediaType, digest, size: bytes.length };
      if (manifest.artifactType) entry.artifactType = manifest.artifactType;
      index.manifests.push(entry);
    });
    return digest;
  }

  async setTag(repo: string, tag: string, manifest: StoredManifest, expect?: string | null): Promise<{ previous: string | null }> {
    const refName = `${repo}:${tag}`;
    return this.#updateIndex((index) => {
      const at = index.manifests.findIndex((m) => m.annotations?.[REF_NAME] === refName);
      const previous = at >= 0 ? (index.manifests[at]?.digest ?? null) : null;
      if (expect !== undefined && previous !== expect) throw new AliasConflictError(refName, expect, previous);
      const parsed = JSON.parse(manifest.bytes.toString("utf8")) as Manifest;
      const entry: Descriptor = {
        mediaType: manifest.mediaType,
        digest: manifest.digest,
        size: manifest.bytes.length,
        annotations: { [REF_NAME]: refName },
      };
      if (parsed.artifactType) entry.artifactType = parsed.artifactType;
      if (at >= 0) index.manifests[at] = entry;
      else index.manifests.push(entry);
      return { previous };
    });
  }

  async listTags(repo: string): Promise<string[]> {
    const prefix = `${repo}:`;
    return (await this.#readIndex()).manifests
      .map((m) => m.annotations?.[REF_NAME])
      .filter((r): r is string => r?.startsWith(prefix) === true && !r.slice(prefix.length).includes(":"))
      .map((r) => r.slice(prefix.length));
  }

  async listRepositories(): Promise<string[]> {
    const names = new Set<string>();
    for (const m of (await this.#readIndex()).manifests) {
      const ref = m.annotations?.[REF_NAME];
      const colon = ref?.lastIndexOf(":") ?? -1;
      if (ref && colon > 0) names.add(ref.slice(0, colon));
    }
    return [...names].sort();
  }

  async referrers(_repo: string, digest: string): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    const seen = new Set<string>();
    for (const m of (await this.#readIndex()).manifests) {
      if (m.annotations?.[REF_NAME] || seen.has(m.digest) || !m.artifactType) continue;
      seen.add(m.digest);
      let manifest: Manifest;
      try {
        const bytes = await readCapped(this.#blobPath(m.digest));
        if (!bytes) continue;
        manifest = JSON.parse(bytes.toString("utf8")) as Manifest;
      } catch {
        continue;
      }
      if (manifest.subject?.digest !== digest) continue;
      const d: Descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.size, annotations: manifest.annotations ?? {} };
      const artifactType = manifest.artifactType ?? manifest.config.mediaType;
      if (artifactType) d.artifactType = artifactType;
      out.push(d);
    }
    return out;
  }
}

/**
 * A manifest blob, or undefined when it is larger than MANIFEST_SIZE_LIMIT: read in chunks that
 * stop one byte past the limit, so a blob that grows after a stat still cannot be read whole.
 */
async function readCapped(path: string, limit = MANIFEST_SIZE_LIMIT): Promise<Buffer | undefined> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size > limit) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    // The whole file plus one byte in one read when it stays as stat'ed; any growth in 64 KiB steps.
    for (let want = size + 1; ; want = 64 * 1024) {
      const chunk = Buffer.allocUnsafe(Math.min(want, limit + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) return undefined;
      chunks.push(chunk.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

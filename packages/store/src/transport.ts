import type { Readable } from "node:stream";
import type { Descriptor } from "./media.ts";

export interface StoredManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
}

/**
 * What the store needs from where bytes live: an OCI image layout directory or a registry. `repo`
 * is the full repository path (the store prefix joined with the artifact name).
 */
export interface Transport {
  readonly kind: "layout" | "registry";
  /** For messages: the layout path or registry URL, never credentials. */
  readonly location: string;
  hasBlob(repo: string, digest: string): Promise<boolean>;
  /** Stores a blob read from a file; `mountFrom` lists repositories that may already hold it. */
  putBlobFile(
    repo: string,
    blob: { digest: string; size: number; path: string },
    options?: { mountFrom?: string[]; onBytes?: (n: number) => void },
  ): Promise<"uploaded" | "mounted" | "exists">;
  putBlobBytes(repo: string, digest: string, bytes: Uint8Array): Promise<void>;
  /** The blob's bytes, unverified (callers verify); undefined when it does not exist. */
  openBlob(repo: string, digest: string): Promise<Readable | undefined>;
  /** Reads a manifest by tag or digest; undefined when it does not exist. */
  getManifest(repo: string, reference: string): Promise<StoredManifest | undefined>;
  /** Stores a manifest by digest only (all its blobs must already exist). Returns its digest. */
  putManifest(repo: string, bytes: Buffer, mediaType: string): Promise<string>;
  /**
   * Points `tag` at a stored manifest. With `expect` (a digest, or null for "must not exist")
   * the move happens only if the tag still points there; throws AliasConflictError otherwise.
   * Returns what the tag pointed at before.
   */
  setTag(repo: string, tag: string, manifest: StoredManifest, expect?: string | null): Promise<{ previous: string | null }>;
  listTags(repo: string): Promise<string[]>;
  /** Repositories below the store's prefix (relative names); may be unsupported (empty). */
  listRepositories(): Promise<string[]>;
  /** Descriptors of manifests whose subject is `digest` (artifactType and annotations filled). */
  referrers(repo: string, digest: string): Promise<Descriptor[]>;
  /**
   * Layout only: the path of the blob's file, for hard-linking it into a materialized version;
   * undefined when the blob does not exist. Callers must never write through it (blobs are
   * immutable and read-only, layout.ts BLOB_MODE) and verify what they copy from it.
   */
  blobPath?(repo: string, digest: string): Promise<string | undefined>;
  /**
   * Bytes [start, end) of a blob, unverified; `start` in the answer is where the stream really
   * begins (0 when a registry ignored Range and sent the whole blob). Undefined when absent.
   */
  openBlobRange?(repo: string, digest: string, start: number, end: number): Promise<{ stream: Readable; start: number } | undefined>;
  /** Layout only: a fresh temp path inside the store, on the blobs' filesystem, for adoptBlobFile. */
  tempBlobPath?(): Promise<string>;
  /** Layout only: renames a temp file (tempBlobPath) whose digest the caller computed into the store; true when it was there already. */
  adoptBlobFile?(temp: string, digest: string): Promise<boolean>;
  /** Layout only: copy a file into the store while hashing it (one read for both). */
  ingestFile?(path: string, onBytes?: (n: number) => void): Promise<{ digest: string; size: number; existed: boolean }>;
}

import { ExternalError, InputError } from "@llmops/core";

/**
 * A manifest read from a store does not match the OCI schema we accept (bad digest, size, media
 * type or file title). Raised before any path or URL is built from it: a store is input, and a
 * hostile or corrupt one must not steer where we read, write or delete.
 */
export class InvalidManifestError extends InputError {
  readonly digest: string;
  readonly field: string;
  /** `digest` empty for documents that have none of their own (the layout's index.json). */
  constructor(what: string, digest: string, field: string, expected: string) {
    super(`${digest ? `${what}: manifest ${digest}` : what}: ${field || "(root)"}: ${expected}`);
    this.digest = digest;
    this.field = field;
  }
}

/**
 * A manifest (or a registry's referrers list) is larger than the limit, by its Content-Length, its
 * recorded size or the bytes read so far; nothing past the limit is read.
 */
export class ManifestTooLargeError extends InputError {
  readonly limit: number;
  /** `what` names the manifest, e.g. `registry oci://host: manifest team/m:v1`. */
  constructor(what: string, limit: number, seen: string) {
    super(`${what}: ${seen}, over the ${limit}-byte (${limit / (1024 * 1024)} MiB) manifest size limit; refusing to read it`);
    this.limit = limit;
  }
}

/**
 * Swapping a fetched tree into its destination failed and putting the old tree back failed too,
 * so the destination may hold a mix; re-running the fetch repairs it.
 */
export class TreeSwapError extends ExternalError {
  readonly destination: string;
  constructor(destination: string, cause: unknown, rollback: unknown) {
    super(
      `destination ${destination}: swap failed (${firstLine(cause)}) and restoring the old tree failed (${firstLine(rollback)}); re-run the fetch`,
      { cause },
    );
    this.destination = destination;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

/**
 * A blob's bytes do not match the digest (or size) its manifest records: a tampered or corrupt
 * store, or a bad download. `what` names the version and the file (`ref m:v1: file weights.bin`).
 * An InputError (exit 2), as before it had a name of its own: the store is input.
 */
export class BlobIntegrityError extends InputError {
  readonly digest: string;
  constructor(what: string, digest: string, detail: string) {
    super(`${what}: ${detail}`);
    this.digest = digest;
  }
}

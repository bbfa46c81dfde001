import { ExternalError, InputError } from "@llmops/core";

/** A compare-and-swap tag move lost: the alias points somewhere other than the caller expected. */
export class AliasConflictError extends InputError {
  readonly found: string | null;
  constructor(ref: string, expected: string | null, found: string | null) {
    super(
      `alias ${ref} points at ${found ?? "nothing"}, expected ${expected ?? "nothing"}; re-read it and retry with --expect ${found ?? "(none)"}`,
    );
    this.found = found;
  }
}

/** A registry answered with an HTTP error (5xx and 429 only after the retries ran out). */
export class RegistryHttpError extends ExternalError {
  readonly status: number;
  /** What the registry's Retry-After asked for, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status: number, retryAfterMs?: number) {
    super(message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The connection to a registry failed (refused, reset, closed mid-body) after the retries ran out. */
export class RegistryConnectionError extends ExternalError {}

/**
 * An https registry named a token endpoint on plain http: the credentials sent there and the
 * token it returns would cross the network in clear text, so the client refuses.
 */
export class InsecureTokenRealmError extends ExternalError {}

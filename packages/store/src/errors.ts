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

/**
 * A fetch was pointed at a non-empty directory that an earlier fetch did not write (or that holds
 * more than the version it wrote): fetch removes whatever is not in the version, so replacing it
 * must be asked for (`replace`, `--replace`).
 */
export class DestinationNotEmptyError extends InputError {
  readonly destination: string;
  readonly ref: string;
  /** `how` tells the caller how to ask for the replacement: the CLI flag by default, an action its input. */
  constructor(destination: string, ref: string, how = "pass --replace") {
    super(
      `destination ${destination} is not empty and was not written by llmops fetch; ${how} to make it hold exactly ${ref} (files not in it are removed)`,
    );
    this.destination = destination;
    this.ref = ref;
  }
}

/**
 * A store URL with `user[:password]@` before the host. Refused before anything can log the URL; the
 * message names the store without them.
 */
export class StoreCredentialsInUrlError extends InputError {}

/** LLMOPS_INSECURE_REGISTRY names the GHCR host, which is only ever reached over https. */
export class InsecureGhcrError extends InputError {}

/** A declared artifact's path is absolute or leads outside the directory of llmops.yaml. */
export class ArtifactPathError extends InputError {
  readonly artifact: string;
  constructor(artifact: string, message: string) {
    super(message);
    this.artifact = artifact;
  }
}

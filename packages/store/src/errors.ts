import { InputError } from "@llmops/core";

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

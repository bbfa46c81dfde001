import { ExitCode, InputError, LlmopsError } from "@llmops/core";

/** Every event of a feedback file was bad: nothing to ingest, and most likely the wrong file or format (exit 2). */
export class FeedbackRejectedError extends InputError {}

/**
 * `latest` of the dataset moved while the ingest ran (another ingest or a `tag` won the
 * compare-and-swap). The new version exists, built on the version `latest` named when the ingest
 * began, but `latest` was left where the other writer put it, so no one's cases are lost from it.
 * Exit 3: the store changed under the ingest; running it again builds on the new `latest`.
 */
export class DatasetMovedError extends LlmopsError {
  readonly version: string;
  readonly found: string | null;
  constructor(message: string, version: string, found: string | null) {
    super(message, ExitCode.External);
    this.version = version;
    this.found = found;
  }
}

import { ExternalError, InputError } from "@llmops/core";

/**
 * A metric set that would break the exposition: a bad metric or label name, a series given twice,
 * two families whose sample names clash. Input, not a malfunction (exit 2): it comes from the
 * results given or from a `--grouping` flag.
 */
export class MetricsError extends InputError {}

/** The Pushgateway refused the push or did not answer after retries (exit 3). */
export class PushgatewayError extends ExternalError {
  /** The HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

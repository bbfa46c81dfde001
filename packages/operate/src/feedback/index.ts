export { DatasetMovedError, FeedbackRejectedError } from "./errors.ts";
export {
  BAD_REASONS,
  type BadReason,
  badReasonSchema,
  type FeedbackEvent,
  feedbackEventSchema,
  INPUT_VAR,
  parseFeedbackLine,
  RATINGS,
  REQUEST_ID_PATTERN,
} from "./event.ts";
export {
  DEFAULT_CASES_FILE,
  DEFAULT_MAX_BAD_LINES,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_MODELS,
  type IngestFeedbackOptions,
  ingestFeedback,
} from "./ingest.ts";
export { type BadLine, badLineSchema, type FeedbackIngestResult, feedbackIngestResultSchema } from "./result.ts";
export { FEEDBACK_ID_PREFIX, type FeedbackCase, type Redaction, type Redactor } from "./to-case.ts";
export { isVersionOf } from "./version-metadata.ts";

export { type AgainstSource, type CheckDatasetOptions, checkDataset, failureReason } from "./check-dataset.ts";
export { JsonSchemaFileError, NoCaseFilesError, RedactedCopyError } from "./errors.ts";
export {
  type CheckedVersion,
  checkSuiteDatasets,
  DatasetChecksFailedError,
  describeFailure,
  type GateContext,
  NoDeclaredChecksError,
  type VersionCheck,
  versionChecked,
  versionDeclaredChecked,
} from "./gates.ts";
export { findPii, maskPii, PII_PLACEHOLDER, type PiiMatch, redactPii } from "./pii/detect.ts";
export { ibanChecksumValid, ibanValid } from "./pii/iban.ts";
export { cardScheme, luhnValid } from "./pii/luhn.ts";
export {
  ANNOTATION_CHECK_PASSED,
  CHECK_FILE,
  CHECK_FILE_MAX_BYTES,
  type CheckRecordStore,
  readCheckRecords,
  recordCheck,
  type StoredCheckRecord,
} from "./record.ts";
export { describeCheckResult, renderCheckMarkdown } from "./render.ts";
export * from "./result.ts";
export { type DatasetInput, datasetInput, type RunCheckOptions, type RunCheckOutcome, runCheck } from "./run-check.ts";

import { ANNOTATION_CREATED, CHECK_ARTIFACT_TYPE, canonicalJson, type Logger, type ResolvedVersion } from "@llmops/core";
import type { Store } from "@llmops/store";
import { type CheckResult, checkResultSchema } from "./result.ts";

/**
 * Check records: referrers (`application/vnd.llmops.check.v1+json`) of the dataset version they
 * checked, one `check.json` each (the CheckResult), so "was this data checked, and what was
 * found" is read from the store itself, beside the version's eval evidence and promotions.
 */
export const CHECK_FILE = "check.json";
export const ANNOTATION_CHECK_PASSED = "dev.llmops.check.passed";

/**
 * The largest check.json read back. A result holds at most 1000 entries per list and bounded
 * strings (CHECK_RESULT_LIMITS), a few MB at worst: a larger file is foreign and is not read.
 */
export const CHECK_FILE_MAX_BYTES = 16 * 1024 * 1024;

export type CheckRecordStore = Pick<Store, "attachEvidence" | "listEvidence" | "readEvidenceJson">;

/** Validates and attaches the result to `subject`; returns the referrer's digest. */
export async function recordCheck(store: CheckRecordStore, subject: ResolvedVersion, result: CheckResult): Promise<string> {
  const parsed = checkResultSchema.parse(result);
  const { digest } = await store.attachEvidence(subject, {
    artifactType: CHECK_ARTIFACT_TYPE,
    files: [{ title: CHECK_FILE, mediaType: "application/json", data: new TextEncoder().encode(canonicalJson(parsed)) }],
    annotations: {
      [ANNOTATION_CREATED]: parsed.finishedAt,
      [ANNOTATION_CHECK_PASSED]: parsed.passed ? "true" : "false",
    },
  });
  return digest;
}

export interface StoredCheckRecord {
  /** Digest of the referrer. */
  digest: string;
  result: CheckResult;
}

/**
 * Check records of `subject`, newest first. Records that do not parse (a foreign writer, a newer
 * schema, a file over CHECK_FILE_MAX_BYTES, a string beyond the result's limits) are skipped with
 * a debug line, never trusted half-read.
 */
export async function readCheckRecords(
  store: CheckRecordStore,
  subject: ResolvedVersion,
  options: { logger: Logger },
): Promise<StoredCheckRecord[]> {
  const records = await store.readEvidenceJson(subject, {
    artifactType: CHECK_ARTIFACT_TYPE,
    file: CHECK_FILE,
    schema: checkResultSchema,
    maxBytes: CHECK_FILE_MAX_BYTES,
    what: "check record",
    logger: options.logger,
  });
  return records
    .map(({ digest, value }) => ({ digest, result: value }))
    .sort((a, b) => (a.result.finishedAt < b.result.finishedAt ? 1 : a.result.finishedAt > b.result.finishedAt ? -1 : 0));
}

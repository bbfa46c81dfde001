import {
  ANNOTATION_CREATED,
  ANNOTATION_ENVIRONMENT,
  ANNOTATION_EVENT,
  ANNOTATION_PROMOTION,
  canonicalJson,
  type Logger,
  PROMOTION_ARTIFACT_TYPE,
  PROMOTION_FILE,
  PROMOTION_FILE_MAX_BYTES,
  type PromotionEvent,
  type PromotionRecord,
  type PromotionRecordInput,
  promotionRecordSchema,
  RECORD_LIMITS,
  type ResolvedVersion,
} from "@llmops/core";
import { clip as clipText } from "@llmops/report";
import type { Store } from "@llmops/store";

/**
 * Promotion records: event-sourced referrers (`application/vnd.llmops.promotion.v1+json`) of the
 * version they are about, one `promotion.json` each. "What serves production, since when, approved
 * by whom, on which evidence" is read back from them and from the alias history. Their contract
 * (schema, events, annotations, limits) is @llmops/core's, which the monitor reads them by too;
 * writing and reading them here needs the store and report's clipping.
 */

// Re-exported: the CLI and @llmops/github take the contract from @llmops/promote.
export {
  ANNOTATION_CREATED,
  ANNOTATION_ENVIRONMENT,
  ANNOTATION_EVENT,
  ANNOTATION_PROMOTION,
  type ApproverRecord,
  approverSchema,
  deploymentRefSchema,
  type EvidenceRef,
  evidenceRefSchema,
  PROMOTION_EVENTS,
  PROMOTION_FILE,
  PROMOTION_FILE_MAX_BYTES,
  type PromotionEvent,
  type PromotionRecord,
  type PromotionRecordInput,
  promotionEventSchema,
  promotionRecordSchema,
  RECORD_LIMITS,
  type SmokeSummary,
  smokeSummarySchema,
  targetResultSchema,
} from "@llmops/core";

let lastAt = 0;
/** ISO time, strictly increasing within the process: records of one promotion sort in the order they were written. */
export function recordTime(now: () => Date = () => new Date()): string {
  const ms = Math.max(now().getTime(), lastAt + 1);
  lastAt = ms;
  return new Date(ms).toISOString();
}

/** `text` cut to `max` characters, ending in `…` when it was longer. */
export function clip(text: string, max: number = RECORD_LIMITS.text): string {
  return clipText(text, max, { suffix: "…", lineWindow: 0 });
}

/** The free text of a record clipped to RECORD_LIMITS: a long target error must not make writing fail. */
function clipRecord(record: PromotionRecordInput): PromotionRecordInput {
  return {
    ...record,
    ...(record.reason !== undefined ? { reason: clip(record.reason) } : {}),
    ...(record.targets ? { targets: record.targets.map((t) => ({ ...t, summary: clip(t.summary) })) } : {}),
    ...(record.approvers
      ? { approvers: record.approvers.map((a) => (a.comment !== undefined ? { ...a, comment: clip(a.comment) } : a)) }
      : {}),
    ...(record.smoke?.error !== undefined ? { smoke: { ...record.smoke, error: clip(record.smoke.error) } } : {}),
    ...(record.evidence
      ? {
          evidence: record.evidence.map((e) => ({
            ...e,
            finishedAt: clip(e.finishedAt, 64),
            ...(e.ref !== undefined ? { ref: clip(e.ref, RECORD_LIMITS.url) } : {}),
          })),
        }
      : {}),
  };
}

/** Validates and attaches a record to `subject` (free text clipped to RECORD_LIMITS); returns the referrer's digest. */
export async function writePromotionRecord(store: Store, subject: ResolvedVersion, record: PromotionRecordInput): Promise<string> {
  const parsed = promotionRecordSchema.parse(clipRecord(record));
  const { digest } = await store.attachEvidence(subject, {
    artifactType: PROMOTION_ARTIFACT_TYPE,
    files: [{ title: PROMOTION_FILE, mediaType: "application/json", data: new TextEncoder().encode(canonicalJson(parsed)) }],
    annotations: {
      [ANNOTATION_CREATED]: parsed.at,
      [ANNOTATION_ENVIRONMENT]: parsed.environment,
      [ANNOTATION_EVENT]: parsed.event,
      [ANNOTATION_PROMOTION]: parsed.id,
    },
  });
  return digest;
}

export interface StoredPromotionRecord {
  /** Digest of the referrer. */
  digest: string;
  record: PromotionRecord;
}

/**
 * Promotion records on `subject`, newest first, for one environment and of some events when given
 * (the annotations are checked before a file is read). Records that do not parse (an event this
 * version does not know, a foreign writer, a string beyond RECORD_LIMITS, a file over
 * PROMOTION_FILE_MAX_BYTES) are skipped with a debug line.
 */
export async function readPromotionRecords(
  store: Store,
  subject: ResolvedVersion,
  options: { environment?: string; events?: readonly PromotionEvent[]; logger: Logger },
): Promise<StoredPromotionRecord[]> {
  const wanted = (environment: string | undefined, event: string | undefined) =>
    (options.environment === undefined || environment === options.environment) &&
    (options.events === undefined || options.events.some((e) => e === event));
  const read = await store.readEvidenceJson(subject, {
    artifactType: PROMOTION_ARTIFACT_TYPE,
    file: PROMOTION_FILE,
    schema: promotionRecordSchema,
    maxBytes: PROMOTION_FILE_MAX_BYTES,
    what: "promotion record",
    match: (annotations) => wanted(annotations[ANNOTATION_ENVIRONMENT], annotations[ANNOTATION_EVENT]),
    logger: options.logger,
  });
  // The annotations are the writer's word; the record's own fields decide.
  return read
    .filter(({ value }) => wanted(value.environment, value.event))
    .map(({ digest, value }) => ({ digest, record: value }))
    .sort((a, b) => (a.record.at < b.record.at ? 1 : a.record.at > b.record.at ? -1 : 0));
}

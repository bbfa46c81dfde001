import { canonicalJson, digestSchema, type Logger, oneLine, PROMOTION_ARTIFACT_TYPE, type ResolvedVersion } from "@llmops/core";
import { clip as clipText } from "@llmops/report";
import type { Store } from "@llmops/store";
import { z } from "zod";
import { canaryStateSchema } from "./canary/state-schema.ts";
import { RECORD_LIMITS } from "./record-limits.ts";

/**
 * Promotion records: event-sourced referrers (`application/vnd.llmops.promotion.v1+json`) of the
 * version they are about, one `promotion.json` each. "What serves production, since when, approved
 * by whom, on which evidence" is read back from them and from the alias history.
 */

/**
 * Every event a promotion record may carry, in one place. Rollouts (canary steps) add theirs here;
 * readers skip records whose event they do not know instead of failing.
 */
/**
 * - `proposed`: a target only proposed the change (a gitops pull request awaits merging); the
 *   alias was not moved and nothing is in service. Never counts as having been in the environment.
 */
/**
 * - `canary-started`, `canary-analyzed`: a canary rollout began, or one of its analyses decided
 *   (hold, advance); its end is `promoted` (complete) or `rolled-back` (a failed analysis, a
 *   timeout, an abort), each with the rollout's `canary` state.
 */
export const PROMOTION_EVENTS = [
  "promoted",
  "smoke-passed",
  "smoke-failed",
  "rolled-back",
  "refused",
  "failed",
  "proposed",
  "canary-started",
  "canary-analyzed",
] as const;
export const promotionEventSchema = z.enum(PROMOTION_EVENTS);
export type PromotionEvent = z.infer<typeof promotionEventSchema>;

export const PROMOTION_FILE = "promotion.json";
export const ANNOTATION_ENVIRONMENT = "dev.llmops.environment";
export const ANNOTATION_EVENT = "dev.llmops.event";
export const ANNOTATION_PROMOTION = "dev.llmops.promotion";
export const ANNOTATION_CREATED = "org.opencontainers.image.created";

export { RECORD_LIMITS } from "./record-limits.ts";

const name = () => z.string().max(RECORD_LIMITS.name);
const text = () => z.string().max(RECORD_LIMITS.text);
const url = () => z.string().max(RECORD_LIMITS.url);

/** One eval run a requirement counted: the evidence referrer and what its summary said. */
export const evidenceRefSchema = z.strictObject({
  suite: name(),
  /** Digest of the eval referrer. */
  digest: digestSchema,
  passed: z.boolean(),
  finishedAt: z.string().max(64),
  /** The git ref of the run that recorded it (`refs/heads/main`), when recorded. */
  ref: url().optional(),
});
export type EvidenceRef = z.infer<typeof evidenceRefSchema>;

export const approverSchema = z.strictObject({
  login: name(),
  state: name(),
  comment: text().optional(),
});
export type ApproverRecord = z.infer<typeof approverSchema>;

export const targetResultSchema = z.strictObject({
  type: z.enum(["model-repository", "gitops", "webhook", "command"]),
  summary: text(),
  details: z.record(z.string().max(RECORD_LIMITS.name), z.unknown()),
  /** The change awaits someone (a pull request to merge); see TargetResult.pending. */
  pending: z.boolean().optional(),
});

export const deploymentRefSchema = z.strictObject({ id: z.number().int(), url: url() });

export const smokeSummarySchema = z.strictObject({
  suite: name(),
  passed: z.boolean(),
  /** Headline value of each metric (`pass_rate`, scorer names …). */
  metrics: z.record(name(), z.number()),
  /** The eval referrer the smoke run was recorded as on the version, when it completed. */
  evidenceDigest: digestSchema.optional(),
  /** It ran out of `smoke.timeoutMs` (aborted; counts as failed). */
  timedOut: z.boolean().optional(),
  /** Why it failed, in one line, when it is not the gates (an error, a timeout). */
  error: text().optional(),
});
export type SmokeSummary = z.infer<typeof smokeSummarySchema>;

/** `promotion.json`. `from`/`to` describe the alias as this event left it (`to` = where it points after). */
export const promotionRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  event: promotionEventSchema,
  /** The promotion's id (a UUID): every record of one promotion shares it. */
  id: name().min(1),
  environment: name(),
  name: name(),
  alias: name(),
  from: digestSchema.nullable(),
  to: digestSchema,
  version: name().optional(),
  evidence: z.array(evidenceRefSchema).max(RECORD_LIMITS.items).default([]),
  approvers: z.array(approverSchema).max(RECORD_LIMITS.items).default([]),
  actor: name().optional(),
  runUrl: url().optional(),
  git: z.strictObject({ commit: name().optional(), ref: url().optional() }).default({}),
  at: z.iso.datetime(),
  targets: z.array(targetResultSchema).max(RECORD_LIMITS.items).default([]),
  deployment: deploymentRefSchema.optional(),
  smoke: smokeSummarySchema.optional(),
  reason: text().optional(),
  /** A canary rollout's state as this record left it (every record of a rollout shares its `id`). */
  canary: canaryStateSchema.optional(),
});
export type PromotionRecord = z.infer<typeof promotionRecordSchema>;
export type PromotionRecordInput = z.input<typeof promotionRecordSchema>;

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

/** The largest promotion.json read back (records are far smaller; a larger one is foreign). */
export const PROMOTION_FILE_MAX_BYTES = 16 * 1024 * 1024;

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
  const listed = await store.listEvidence(subject, PROMOTION_ARTIFACT_TYPE);
  const out: StoredPromotionRecord[] = [];
  const wanted = (event: string | undefined) => options.events === undefined || options.events.some((e) => e === event);
  for (const entry of listed) {
    if (options.environment !== undefined && entry.annotations[ANNOTATION_ENVIRONMENT] !== options.environment) continue;
    if (!wanted(entry.annotations[ANNOTATION_EVENT])) continue;
    try {
      const bytes = await store.readEvidenceFile(subject, entry.digest, PROMOTION_FILE, { maxBytes: PROMOTION_FILE_MAX_BYTES });
      const parsed = promotionRecordSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
      if (!parsed.success) {
        options.logger.debug(`promotion record ${entry.digest}: skipped (${parsed.error.issues[0]?.message ?? "invalid"})`);
        continue;
      }
      if (options.environment !== undefined && parsed.data.environment !== options.environment) continue;
      if (!wanted(parsed.data.event)) continue;
      out.push({ digest: entry.digest, record: parsed.data });
    } catch (error) {
      options.logger.debug(`promotion record ${entry.digest}: unreadable (${oneLine(error)})`);
    }
  }
  return out.sort((a, b) => (a.record.at < b.record.at ? 1 : a.record.at > b.record.at ? -1 : 0));
}

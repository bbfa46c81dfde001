import { canonicalJson, digestSchema, type Logger, PROMOTION_ARTIFACT_TYPE, type ResolvedVersion } from "@llmops/core";
import type { Store } from "@llmops/store";
import { z } from "zod";

/**
 * Promotion records: event-sourced referrers (`application/vnd.llmops.promotion.v1+json`) of the
 * version they are about, one `promotion.json` each. "What serves production, since when, approved
 * by whom, on which evidence" is read back from them and from the alias history.
 */

/**
 * Every event a promotion record may carry, in one place. Rollouts (canary steps) add theirs here;
 * readers skip records whose event they do not know instead of failing.
 */
export const PROMOTION_EVENTS = ["promoted", "smoke-passed", "smoke-failed", "rolled-back", "refused", "failed"] as const;
export const promotionEventSchema = z.enum(PROMOTION_EVENTS);
export type PromotionEvent = z.infer<typeof promotionEventSchema>;

export const PROMOTION_FILE = "promotion.json";
export const ANNOTATION_ENVIRONMENT = "dev.llmops.environment";
export const ANNOTATION_EVENT = "dev.llmops.event";
export const ANNOTATION_PROMOTION = "dev.llmops.promotion";
export const ANNOTATION_CREATED = "org.opencontainers.image.created";

/** One eval run a requirement counted: the evidence referrer and what its summary said. */
export const evidenceRefSchema = z.strictObject({
  suite: z.string(),
  /** Digest of the eval referrer. */
  digest: digestSchema,
  passed: z.boolean(),
  finishedAt: z.string(),
  /** The git ref of the run that recorded it (`refs/heads/main`), when recorded. */
  ref: z.string().optional(),
});
export type EvidenceRef = z.infer<typeof evidenceRefSchema>;

export const approverSchema = z.strictObject({
  login: z.string(),
  state: z.string(),
  comment: z.string().optional(),
});
export type ApproverRecord = z.infer<typeof approverSchema>;

export const targetResultSchema = z.strictObject({
  type: z.enum(["model-repository", "gitops", "webhook", "command"]),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const deploymentRefSchema = z.strictObject({ id: z.number().int(), url: z.string() });

export const smokeSummarySchema = z.strictObject({
  suite: z.string(),
  passed: z.boolean(),
  /** Headline value of each metric (`pass_rate`, scorer names …). */
  metrics: z.record(z.string(), z.number()),
  /** The eval referrer the smoke run was recorded as on the version, when it completed. */
  evidenceDigest: digestSchema.optional(),
  /** It ran out of `smoke.timeoutMs` (aborted; counts as failed). */
  timedOut: z.boolean().optional(),
  /** Why it failed, in one line, when it is not the gates (an error, a timeout). */
  error: z.string().optional(),
});
export type SmokeSummary = z.infer<typeof smokeSummarySchema>;

/** `promotion.json`. `from`/`to` describe the alias as this event left it (`to` = where it points after). */
export const promotionRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  event: promotionEventSchema,
  /** The promotion's id (a UUID): every record of one promotion shares it. */
  id: z.string().min(1),
  environment: z.string(),
  name: z.string(),
  alias: z.string(),
  from: digestSchema.nullable(),
  to: digestSchema,
  version: z.string().optional(),
  evidence: z.array(evidenceRefSchema).default([]),
  approvers: z.array(approverSchema).default([]),
  actor: z.string().optional(),
  runUrl: z.string().optional(),
  git: z.strictObject({ commit: z.string().optional(), ref: z.string().optional() }).default({}),
  at: z.iso.datetime(),
  targets: z.array(targetResultSchema).default([]),
  deployment: deploymentRefSchema.optional(),
  smoke: smokeSummarySchema.optional(),
  reason: z.string().optional(),
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

/** Validates and attaches a record to `subject`; returns the referrer's digest. */
export async function writePromotionRecord(store: Store, subject: ResolvedVersion, record: PromotionRecordInput): Promise<string> {
  const parsed = promotionRecordSchema.parse(record);
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
 * Promotion records on `subject`, newest first, for one environment when given. Records that do
 * not parse (an event this version does not know, a foreign writer) are skipped with a debug line.
 */
export async function readPromotionRecords(
  store: Store,
  subject: ResolvedVersion,
  options: { environment?: string; logger: Logger },
): Promise<StoredPromotionRecord[]> {
  const listed = await store.listEvidence(subject, PROMOTION_ARTIFACT_TYPE);
  const out: StoredPromotionRecord[] = [];
  for (const entry of listed) {
    if (options.environment !== undefined && entry.annotations[ANNOTATION_ENVIRONMENT] !== options.environment) continue;
    try {
      const bytes = await store.readEvidenceFile(subject, entry.digest, PROMOTION_FILE);
      const parsed = promotionRecordSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
      if (!parsed.success) {
        options.logger.debug(`promotion record ${entry.digest}: skipped (${parsed.error.issues[0]?.message ?? "invalid"})`);
        continue;
      }
      if (options.environment !== undefined && parsed.data.environment !== options.environment) continue;
      out.push({ digest: entry.digest, record: parsed.data });
    } catch (error) {
      options.logger.debug(`promotion record ${entry.digest}: unreadable (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return out.sort((a, b) => (a.record.at < b.record.at ? 1 : a.record.at > b.record.at ? -1 : 0));
}

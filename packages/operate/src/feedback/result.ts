import { artifactNameSchema, digestSchema } from "@llmops/core";
import { z } from "zod";
import { badReasonSchema } from "./event.ts";

/**
 * What `llmops feedback ingest --json` prints (and an action's outputs would mirror). Changing a
 * field changes the machine interface.
 */

const count = z.number().int().nonnegative();

export const badLineSchema = z.strictObject({
  /** 1-based line number in the feedback file (blank lines counted). */
  line: z.number().int().positive(),
  reason: badReasonSchema,
  /** Names the field and what was expected; never quotes the event's own text. */
  message: z.string(),
});
export type BadLine = z.infer<typeof badLineSchema>;

const versionRefSchema = z.strictObject({
  /** `name:vN`. */
  ref: z.string(),
  digest: digestSchema,
});

export const feedbackIngestResultSchema = z.strictObject({
  schemaVersion: z.literal(1),
  dataset: artifactNameSchema,
  /** The cases file inside the dataset version. */
  file: z.string(),
  /** The version written (and now `latest`); null when no event added a case (nothing written). */
  version: versionRefSchema.nullable(),
  /** What `latest` was before: the version the new one extends; null for a dataset's first version. */
  previous: versionRefSchema.nullable(),
  /** Lineage of the new version: the previous version, then the model versions that produced the outputs (empty when nothing was written). */
  parents: z.array(z.strictObject({ ref: z.string(), digest: digestSchema })),
  counts: z.strictObject({
    /** Non-blank lines of the feedback file: each one an event, good or bad. */
    read: count,
    /** New cases in the version. */
    added: count,
    /** Cases carried over from the previous version. */
    carried: count,
    /** Good events not added: their request id, or their normalized input and expected value, was already there. */
    duplicates: z.strictObject({ total: count, requestId: count, content: count }),
    bad: z.strictObject({ total: count, byReason: z.partialRecord(badReasonSchema, count) }),
    /** Personal data replaced, by kind (email, phone, …); zero when `redacted` is false. */
    redactions: z.strictObject({ total: count, byKind: z.record(z.string(), count) }),
    /** Events from which control characters, invisible characters or lone surrogates were removed. */
    sanitized: count,
  }),
  /** The first bad lines (at most `maxBadLines`), in file order. */
  badLines: z.array(badLineSchema),
  /** Model refs events named that are not model versions in the store: how many, and the first few. */
  unknownModels: z.strictObject({ total: count, first: z.array(z.string()) }),
  redacted: z.boolean(),
  requireConsent: z.boolean(),
});
export type FeedbackIngestResult = z.infer<typeof feedbackIngestResultSchema>;

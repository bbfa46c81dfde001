import { z } from "zod";

/**
 * `checks:` of a dataset artifact: what `llmops check` (and `version`/`eval` when they run checks
 * as gates) verifies in its case files. Owned by the dataset checks of @llmops/operate; every
 * field has a default, so an artifact without `checks:` is checked as `checks: {}` says.
 */

/**
 * How a check's count becomes a verdict: `error` fails the check (exit 1) when the count exceeds
 * `max`; `warn` reports it and never fails; `off` skips the check.
 */
export const checkSeveritySchema = z.enum(["error", "warn", "off"]);
export type CheckSeverity = z.infer<typeof checkSeveritySchema>;

/**
 * A field of a case: `question` (a var), `vars.question`, `expected`, `tags.lang`, `metadata.source`,
 * with `.` into objects and `*` for every key or array element (`messages.*.content`).
 */
export const checkFieldPathSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^.]+(\.[^.]+)*$/, "expected a field path such as question, expected, vars.question or messages.*.content");

const maxSchema = z.number().int().nonnegative();

/** A JSON Schema file every row must match (relative to llmops.yaml), or without `file` the eval case schema. */
export const schemaCheckSchema = z.union([
  z
    .string()
    .min(1)
    .transform((file) => ({ file, severity: "error" as CheckSeverity, max: 0 })),
  z.strictObject({
    file: z.string().min(1).optional(),
    severity: checkSeveritySchema.default("error"),
    max: maxSchema.default(0),
  }),
]);

/** Fields every case must have (present, not null, not a blank string). */
export const requiredCheckSchema = z.union([
  z
    .array(checkFieldPathSchema)
    .min(1)
    .transform((fields) => ({ fields, severity: "error" as CheckSeverity, max: 0 })),
  z.strictObject({
    fields: z.array(checkFieldPathSchema).min(1),
    severity: checkSeveritySchema.default("error"),
    max: maxSchema.default(0),
  }),
]);

/** The label field and the values it may take; a case without a label counts as a violation too. */
export const labelsCheckSchema = z.strictObject({
  field: checkFieldPathSchema,
  values: z
    .array(z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)))
    .min(1)
    .max(10_000),
  severity: checkSeveritySchema.default("error"),
  max: maxSchema.default(0),
});

/** Exact and near duplicates within the version (MinHash over word shingles, LSH banding, verified pairs). */
export const duplicatesCheckSchema = z.strictObject({
  /** Estimated Jaccard similarity of word-shingle sets at or above which two cases are near duplicates. */
  threshold: z.number().gt(0).lte(1).default(0.8),
  /** Words per shingle. */
  shingle: z.number().int().min(1).max(16).default(3),
  /** MinHash permutations (signature length). */
  permutations: z.number().int().min(16).max(512).default(128),
  /** Look for near duplicates as well as exact ones. */
  near: z.boolean().default(true),
  severity: checkSeveritySchema.default("warn"),
  max: maxSchema.default(0),
});

/**
 * Train/eval contamination against other dataset versions: cases sharing a word n-gram (13 as in
 * GPT-3's decontamination) with one of theirs, and near-duplicate pairs across the two.
 */
export const contaminationCheckSchema = z.strictObject({
  /** Refs (`name:alias`, `name:v3`, `name@sha256:…`) of the versions to compare with; `--against` replaces them. */
  against: z.array(z.string().min(1)).default([]),
  /** Words per n-gram. */
  ngram: z.number().int().min(2).max(64).default(13),
  /** Also report near-duplicate pairs across the versions (same threshold, shingles and permutations as duplicates). */
  near: z.boolean().default(true),
  severity: checkSeveritySchema.default("error"),
  max: maxSchema.default(0),
});

export const PII_KINDS = ["email", "phone", "credit-card", "iban", "ip-address", "secret"] as const;
export const piiKindSchema = z.enum(PII_KINDS);
export type PiiKind = z.infer<typeof piiKindSchema>;

/** Personal data and secrets in any string of a row (and in its keys). */
export const piiCheckSchema = z.strictObject({
  kinds: z
    .array(piiKindSchema)
    .min(1)
    .default([...PII_KINDS]),
  severity: checkSeveritySchema.default("error"),
  max: maxSchema.default(0),
});

export const distributionsCheckSchema = z.strictObject({
  /** The field whose values are counted (default: `labels.field`, else `expected` while it holds few short values). */
  label: checkFieldPathSchema.optional(),
});

export const checksConfigSchema = z.strictObject({
  /** Case files to check, as globs relative to the artifact root (default: every .jsonl, .ndjson, .json, .csv, .yaml, .yml file). */
  files: z.array(z.string().min(1)).min(1).optional(),
  /** The text of a case that duplicates, contamination and lengths look at (default: every string in vars and expected). */
  fields: z.array(checkFieldPathSchema).min(1).optional(),
  /** A longer JSONL line is reported (and skipped) without being read into memory. */
  maxLineBytes: z
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  /** Locations listed per finding kind in the result (counts are always complete). */
  maxListed: z.number().int().min(0).max(1000).default(100),
  schema: schemaCheckSchema.default({ severity: "error", max: 0 }),
  required: requiredCheckSchema.optional(),
  labels: labelsCheckSchema.optional(),
  duplicates: duplicatesCheckSchema.default(duplicatesCheckSchema.parse({})),
  contamination: contaminationCheckSchema.default(contaminationCheckSchema.parse({})),
  pii: piiCheckSchema.default(piiCheckSchema.parse({})),
  distributions: distributionsCheckSchema.default({}),
});
export type ChecksConfig = z.infer<typeof checksConfigSchema>;
export type ChecksConfigInput = z.input<typeof checksConfigSchema>;

import { checkSeveritySchema, digestSchema, piiKindSchema } from "@llmops/core";
import { z } from "zod";

/**
 * `check.json` and `llmops check --json`: one schema for the result, the record and the machine
 * output. Every string that came from a dataset is bounded (and PII-redacted before it gets
 * here), and every list is cut to `maxListed`, so a record read back from a store is bounded too.
 */

export const CHECK_RESULT_LIMITS = {
  path: 1024,
  text: 1000,
  id: 256,
  items: 1000,
} as const;

const path = () => z.string().max(CHECK_RESULT_LIMITS.path);
const text = () => z.string().max(CHECK_RESULT_LIMITS.text);
const count = () => z.number().int().nonnegative();
const listed = <T extends z.ZodType>(item: T) => z.array(item).max(CHECK_RESULT_LIMITS.items);

/** Where a finding is: a case file (path inside the dataset), its line, the case id and the field. */
export const caseLocationSchema = z.strictObject({
  file: path(),
  line: count(),
  id: z.string().max(CHECK_RESULT_LIMITS.id).optional(),
  field: path().optional(),
});
export type CaseLocation = z.infer<typeof caseLocationSchema>;

/**
 * A check's verdict: `findings` against `max` at `severity` (`error` fails when findings > max),
 * and the findings by kind. The shape `llmops metrics` reads (`CheckMetricsInput`).
 */
const gateFields = {
  severity: checkSeveritySchema,
  max: count(),
  findings: count(),
  passed: z.boolean(),
  kinds: z.record(z.string().max(64), count()),
};

export const violationSchema = caseLocationSchema.extend({ kind: z.string().max(64), message: text() });
export type Violation = z.infer<typeof violationSchema>;

export const schemaCheckResultSchema = z.strictObject({
  name: z.literal("schema"),
  ...gateFields,
  /** `case`: eval's case schema; `json-schema`: the configured file. */
  mode: z.enum(["case", "json-schema"]),
  file: path().optional(),
  violations: listed(violationSchema),
});

export const requiredCheckResultSchema = z.strictObject({
  name: z.literal("required"),
  ...gateFields,
  fields: z.array(path()).max(CHECK_RESULT_LIMITS.items),
  violations: listed(violationSchema),
});

export const labelsCheckResultSchema = z.strictObject({
  name: z.literal("labels"),
  ...gateFields,
  field: path(),
  allowed: z.array(text()).max(10_000),
  violations: listed(violationSchema),
});

export const duplicatePairSchema = z.strictObject({
  first: caseLocationSchema,
  second: caseLocationSchema,
  /** 1 for exact duplicates; the estimated Jaccard similarity of word shingles for near ones. */
  similarity: z.number().min(0).max(1),
  exact: z.boolean(),
});

export const duplicatesCheckResultSchema = z.strictObject({
  name: z.literal("duplicates"),
  ...gateFields,
  /** Cases whose texts equal an earlier case's. */
  exact: count(),
  /** Other cases with an earlier case at or above the threshold. */
  near: count(),
  threshold: z.number(),
  shingle: count(),
  permutations: count(),
  bands: count(),
  rows: count(),
  /** Candidate pairs compared on their signatures. */
  comparisons: count(),
  pairs: listed(duplicatePairSchema),
});

export const contaminationFindingSchema = z.strictObject({
  case: caseLocationSchema,
  /** A case of the other version it overlaps with. */
  against: caseLocationSchema,
  kind: z.enum(["ngram", "near"]),
  /** n-grams of the case also in the other version (kind ngram). */
  overlap: count().optional(),
  /** n-grams of the case (kind ngram). */
  ngrams: count().optional(),
  similarity: z.number().min(0).max(1).optional(),
});

export type ContaminationFinding = z.infer<typeof contaminationFindingSchema>;

export const againstResultSchema = z.strictObject({
  /** The ref (or path) as given. */
  ref: path(),
  digest: digestSchema.optional(),
  cases: count(),
  ngram: count(),
  /** Distinct n-grams of the other version. */
  ngramsIndexed: count(),
  /** Cases of this version with an n-gram overlap or a near duplicate there. */
  contaminated: count(),
  ngramCases: count(),
  nearCases: count(),
  findings: listed(contaminationFindingSchema),
});

export const contaminationCheckResultSchema = z.strictObject({
  name: z.literal("contamination"),
  ...gateFields,
  against: z.array(againstResultSchema).max(100),
});

export const piiFindingSchema = caseLocationSchema.extend({
  kind: piiKindSchema,
  /** Enough to find it, never the value: `j***@***.com`, `************1111`, `ghp_… (40 characters)`. */
  masked: z.string().max(128),
});

export type PiiFinding = z.infer<typeof piiFindingSchema>;

export const redactedCopySchema = z.strictObject({
  path: path(),
  files: count(),
  /** Lines left blank because they could not be redacted safely (too long, nested too deep). */
  droppedLines: count(),
  /** Files not copied (too large to read whole). */
  droppedFiles: z.array(path()).max(CHECK_RESULT_LIMITS.items),
});

export const piiCheckResultSchema = z.strictObject({
  name: z.literal("pii"),
  ...gateFields,
  /** The kinds looked for (`kinds` counts what was found). */
  detectors: z.array(piiKindSchema),
  /** Rows with at least one finding. */
  rows: count(),
  /** Where the first `maxListed` findings are. */
  locations: listed(piiFindingSchema),
  redacted: redactedCopySchema.optional(),
});

export const lengthStatsSchema = z.strictObject({
  count: count(),
  min: count(),
  max: count(),
  mean: z.number(),
  p50: count(),
  p90: count(),
  p99: count(),
  /** Power-of-two buckets: [from, to] inclusive. */
  histogram: z.array(z.strictObject({ from: count(), to: count(), count: count() })).max(64),
});
export type LengthStats = z.infer<typeof lengthStatsSchema>;

export const labelDistributionSchema = z.strictObject({
  field: path(),
  values: listed(z.strictObject({ value: text(), count: count() })),
  /** Cases whose label is among values beyond the listed ones. */
  other: count(),
  /** Cases without a label. */
  missing: count(),
});

export const distributionsSchema = z.strictObject({
  words: lengthStatsSchema,
  chars: lengthStatsSchema,
  label: labelDistributionSchema.optional(),
});

export const checkEntrySchema = z.discriminatedUnion("name", [
  schemaCheckResultSchema,
  requiredCheckResultSchema,
  labelsCheckResultSchema,
  duplicatesCheckResultSchema,
  contaminationCheckResultSchema,
  piiCheckResultSchema,
]);
export type CheckEntry = z.infer<typeof checkEntrySchema>;
export type CheckName = CheckEntry["name"];
/** The entry of one check, by name. */
export type CheckEntryOf<N extends CheckName> = Extract<CheckEntry, { name: N }>;

export const checkedFileSchema = z.strictObject({
  path: path(),
  format: z.enum(["jsonl", "json", "csv", "yaml"]),
  bytes: count(),
  rows: count(),
});

export const checkSubjectSchema = z.strictObject({
  /** The ref or path as given. */
  ref: path(),
  /** The artifact's name (`acme/train`), or the path when a directory is not a declared artifact. */
  name: path(),
  digest: digestSchema.optional(),
  version: z.string().max(64).optional(),
});
export type CheckSubject = z.infer<typeof checkSubjectSchema>;

export const checkResultSchema = z.strictObject({
  schemaVersion: z.literal(1),
  dataset: checkSubjectSchema,
  passed: z.boolean(),
  /** One line per failed check. */
  reasons: z.array(text()).max(20),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  files: listed(checkedFileSchema),
  skippedFiles: listed(z.strictObject({ path: path(), reason: text() })),
  /** Rows read (cases and broken rows; blank lines not counted). */
  rows: count(),
  /** Rows that are cases (objects). */
  cases: count(),
  /** The checks that ran, in a fixed order: schema, required, labels, duplicates, contamination, pii. */
  checks: z.array(checkEntrySchema).max(6),
  distributions: distributionsSchema,
  /** `llmops check --record --json` only: the digest of the check referrer it attached (never in check.json). */
  record: digestSchema.optional(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

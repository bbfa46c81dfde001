import { DRIFT_FEATURE_TYPES } from "@llmops/core";
import { z } from "zod";

/**
 * What a drift analysis reports, per feature: every test that ran with its statistic (PSI, the
 * KS distance, Pearson's X², an OOV rate), p-value and threshold, and the verdict those give.
 * Part of the monitor's `--json` document and the action's `result` output.
 */

export const DRIFT_TESTS = ["psi", "ks", "chi-square", "oov"] as const;
/** What a test compared: the values, text lengths, the language mix, the vocabulary, the categories. */
export const DRIFT_ASPECTS = ["value", "length", "language", "vocabulary", "category"] as const;

export const driftTestSchema = z.strictObject({
  test: z.enum(DRIFT_TESTS),
  of: z.enum(DRIFT_ASPECTS),
  /** PSI; the KS distance D; Pearson's X²; the sample's out-of-vocabulary rate. */
  statistic: z.number(),
  /** KS and chi-square. */
  pValue: z.number().min(0).max(1).optional(),
  /** KS: how the p-value was computed (scipy's ks_2samp "auto": exact up to 10,000 values a side). */
  method: z.enum(["exact", "asymptotic"]).optional(),
  /** Chi-square: degrees of freedom. */
  dof: z.number().int().nonnegative().optional(),
  /** OOV: the rate the reference's own held-out half has (what the same distribution gives). */
  expected: z.number().optional(),
  /** PSI and OOV: the limit (psi, or expected + oov); KS and chi-square: alpha. */
  threshold: z.number(),
  /** Past its threshold: PSI or OOV at or above, a p-value below alpha. */
  exceeded: z.boolean(),
});
export type DriftTest = z.infer<typeof driftTestSchema>;

/** One category's (or language's) share on each side, for the report. */
export const shareSchema = z.strictObject({ value: z.string(), reference: z.number(), sample: z.number() });

export const featureDriftSchema = z.strictObject({
  field: z.string(),
  type: z.enum(DRIFT_FEATURE_TYPES),
  /** `insufficient`: fewer than `minSamples` values on a side, so nothing was judged. */
  verdict: z.enum(["ok", "drift", "insufficient"]),
  /** One line per drifted aspect, e.g. `value: PSI 0.41 ≥ 0.2 and KS p = 2e-9 < 0.01`. */
  reasons: z.array(z.string()),
  reference: z.strictObject({ values: z.number().int().nonnegative(), missing: z.number().int().nonnegative() }),
  sample: z.strictObject({ values: z.number().int().nonnegative(), missing: z.number().int().nonnegative() }),
  /** The headline PSI (of the values, categories, or text lengths), for charts and metrics. */
  psi: z.number().optional(),
  tests: z.array(driftTestSchema),
  /** The categories or languages whose share moved most, largest change first (at most 8). */
  shares: z.array(shareSchema).optional(),
  /** Something limited the analysis (too many categories, a vocabulary over its cap). */
  notes: z.array(z.string()).optional(),
});
export type FeatureDrift = z.infer<typeof featureDriftSchema>;

export const dataSourceSchema = z.strictObject({
  /** `samples/prod.jsonl`, or `acme/traffic@sha256:…/inputs.jsonl`. */
  source: z.string(),
  /** The dataset version's digest, when it came from the store. */
  digest: z.string().optional(),
  records: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  skippedAt: z.array(z.number().int()),
  truncated: z.boolean(),
});
export type DataSource = z.infer<typeof dataSourceSchema>;

export const driftResultSchema = z.strictObject({
  /** `drift`: some feature drifted; `insufficient`: none did, but some could not be judged; `ok`: every one judged and fine. */
  verdict: z.enum(["ok", "drift", "insufficient"]),
  sample: dataSourceSchema,
  reference: dataSourceSchema,
  features: z.array(featureDriftSchema),
});
export type DriftResult = z.infer<typeof driftResultSchema>;

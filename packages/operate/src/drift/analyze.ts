import { type DriftThresholds, formatNumber } from "@llmops/core";
import { chiSquareContingency, ksTwoSample } from "@llmops/eval";
import { type FeatureColumn, OTHER_CATEGORY, type TokenCounts, valueCount } from "./columns.ts";
import { categoricalPsi, numericPsi } from "./psi.ts";
import type { DriftTest, FeatureDrift } from "./result.ts";

/**
 * Judges one feature: the tests for its type (see driftFeatureSchema in @llmops/core), each
 * against its threshold. A distribution has drifted when the change is both significant (the
 * test's p-value below alpha) and material (its PSI at or above the psi threshold): with tens of
 * thousands of values a test finds any difference, however small, and with a few dozen a PSI is
 * noise. The vocabulary drifts when the sample's out-of-vocabulary rate exceeds the reference's
 * own (one half against the other) by the oov threshold.
 */

/** Categories a chi-square table keeps (by combined count); the rest are merged into one column. */
export const MAX_TABLE_CATEGORIES = 50;
const LISTED_SHARES = 8;

const p = (value: number) => (value < 1e-4 ? value.toExponential(1) : formatNumber(value));

function distributionTests(
  of: "value" | "length",
  reference: number[],
  sample: number[],
  bins: number,
  thresholds: DriftThresholds,
): { tests: DriftTest[]; psi: number; reason?: string } {
  const psi = numericPsi(reference, sample, bins).psi;
  const ks = ksTwoSample(reference, sample);
  const tests: DriftTest[] = [
    { test: "psi", of, statistic: psi, threshold: thresholds.psi, exceeded: psi >= thresholds.psi },
    {
      test: "ks",
      of,
      statistic: ks.statistic,
      pValue: ks.pValue,
      method: ks.method,
      threshold: thresholds.alpha,
      exceeded: ks.pValue < thresholds.alpha,
    },
  ];
  const drifted = tests.every((t) => t.exceeded);
  return {
    tests,
    psi,
    ...(drifted
      ? {
          reason: `${of}: PSI ${formatNumber(psi)} ≥ ${formatNumber(thresholds.psi)}, KS D = ${formatNumber(ks.statistic)}, p = ${p(ks.pValue)} < ${formatNumber(thresholds.alpha)}`,
        }
      : {}),
  };
}

/** The top MAX_TABLE_CATEGORIES categories by combined count, the rest merged into OTHER_CATEGORY. */
function mergedCategories(
  reference: ReadonlyMap<string, number>,
  sample: ReadonlyMap<string, number>,
): {
  reference: Map<string, number>;
  sample: Map<string, number>;
  merged: number;
} {
  const combined = new Map<string, number>();
  for (const m of [reference, sample]) for (const [k, v] of m) combined.set(k, (combined.get(k) ?? 0) + v);
  const ranked = [...combined.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const kept = new Set(ranked.slice(0, MAX_TABLE_CATEGORIES - 1).map(([k]) => k));
  if (ranked.length <= MAX_TABLE_CATEGORIES) for (const [k] of ranked) kept.add(k);
  const merge = (m: ReadonlyMap<string, number>) => {
    const out = new Map<string, number>();
    for (const [k, v] of m) {
      const key = kept.has(k) ? k : OTHER_CATEGORY;
      out.set(key, (out.get(key) ?? 0) + v);
    }
    return out;
  };
  return { reference: merge(reference), sample: merge(sample), merged: Math.max(0, ranked.length - kept.size) };
}

function categoryTests(
  of: "category" | "language",
  referenceCounts: ReadonlyMap<string, number>,
  sampleCounts: ReadonlyMap<string, number>,
  thresholds: DriftThresholds,
): { tests: DriftTest[]; psi: number; shares: FeatureDrift["shares"]; merged: number; reason?: string } {
  const { reference, sample, merged } = mergedCategories(referenceCounts, sampleCounts);
  const categories = [...new Set([...reference.keys(), ...sample.keys()])].sort();
  const table = [categories.map((c) => reference.get(c) ?? 0), categories.map((c) => sample.get(c) ?? 0)];
  const chi = chiSquareContingency(table);
  const psi = categoricalPsi(reference, sample);
  const tests: DriftTest[] = [
    { test: "psi", of, statistic: psi, threshold: thresholds.psi, exceeded: psi >= thresholds.psi },
    {
      test: "chi-square",
      of,
      statistic: chi.statistic,
      pValue: chi.pValue,
      dof: chi.dof,
      threshold: thresholds.alpha,
      exceeded: chi.pValue < thresholds.alpha,
    },
  ];
  const total = (row: number[]) => row.reduce((a, b) => a + b, 0);
  const [rn, sn] = [total(table[0]!), total(table[1]!)];
  const shares = categories
    .map((value, i) => ({ value, reference: table[0]![i]! / rn, sample: table[1]![i]! / sn }))
    .sort((a, b) => Math.abs(b.sample - b.reference) - Math.abs(a.sample - a.reference) || (a.value < b.value ? -1 : 1))
    .slice(0, LISTED_SHARES);
  const drifted = tests.every((t) => t.exceeded);
  return {
    tests,
    psi,
    shares,
    merged,
    ...(drifted
      ? {
          reason: `${of}: PSI ${formatNumber(psi)} ≥ ${formatNumber(thresholds.psi)}, chi-square ${formatNumber(chi.statistic)} (${chi.dof} df), p = ${p(chi.pValue)} < ${formatNumber(thresholds.alpha)}`,
        }
      : {}),
  };
}

/** Share of `tokens` not in `vocabulary`. */
function oovRate(tokens: readonly TokenCounts[], vocabulary: TokenCounts): number {
  let total = 0;
  let unseen = 0;
  for (const bucket of tokens) {
    total += bucket.total;
    for (const [token, n] of bucket.counts) if (!vocabulary.counts.has(token)) unseen += n;
    // Tokens past a capped bucket's limit were counted but not kept: they are unknown, so unseen.
    let kept = 0;
    for (const n of bucket.counts.values()) kept += n;
    unseen += bucket.total - kept;
  }
  return total === 0 ? 0 : unseen / total;
}

function vocabularyTest(
  reference: FeatureColumn,
  sample: FeatureColumn,
  thresholds: DriftThresholds,
): { test: DriftTest; reason?: string } {
  const [vocabulary, heldOut] = reference.tokens;
  const expected = oovRate([heldOut], vocabulary);
  const rate = oovRate(sample.tokens, vocabulary);
  const limit = expected + thresholds.oov;
  const exceeded = rate >= limit && rate > expected;
  return {
    test: { test: "oov", of: "vocabulary", statistic: rate, expected, threshold: limit, exceeded },
    ...(exceeded
      ? {
          reason: `vocabulary: ${formatNumber(rate * 100)}% of the sample's words are out of vocabulary, the reference's own ${formatNumber(expected * 100)}% + ${formatNumber(thresholds.oov * 100)} points`,
        }
      : {}),
  };
}

/** The drift of one feature, from its reference and sample columns. */
export function analyzeFeature(reference: FeatureColumn, sample: FeatureColumn, thresholds: DriftThresholds): FeatureDrift {
  const feature = reference.feature;
  const counts = (column: FeatureColumn) => {
    const values = valueCount(column);
    // A categorical feature counts its missing values as a category ("(missing)"): a field that
    // vanished from production is drift, not too few values.
    return { values, missing: column.missing, judged: feature.type === "categorical" ? values + column.missing : values };
  };
  const r = counts(reference);
  const s = counts(sample);
  const result: FeatureDrift = {
    field: feature.field,
    type: feature.type,
    verdict: "ok",
    reasons: [],
    reference: { values: r.values, missing: r.missing },
    sample: { values: s.values, missing: s.missing },
    tests: [],
  };
  if (Math.min(r.judged, s.judged) < thresholds.minSamples) {
    result.verdict = "insufficient";
    result.notes = [`fewer than ${thresholds.minSamples} values on a side (reference ${r.judged}, sample ${s.judged}): not judged`];
    return result;
  }
  const notes: string[] = [];
  const reasons: string[] = [];
  if (feature.type === "numeric") {
    const values = distributionTests("value", reference.numbers, sample.numbers, feature.bins, thresholds);
    result.tests.push(...values.tests);
    result.psi = values.psi;
    if (values.reason) reasons.push(values.reason);
  } else if (feature.type === "categorical") {
    const categories = categoryTests("category", reference.categories, sample.categories, thresholds);
    result.tests.push(...categories.tests);
    result.psi = categories.psi;
    result.shares = categories.shares;
    if (categories.reason) reasons.push(categories.reason);
    if (categories.merged > 0) notes.push(`${categories.merged} rarer categories are compared as one, ${OTHER_CATEGORY}`);
  } else {
    const lengths = distributionTests("length", reference.numbers, sample.numbers, feature.bins, thresholds);
    const vocabulary = vocabularyTest(reference, sample, thresholds);
    const languages = categoryTests("language", reference.categories, sample.categories, thresholds);
    result.tests.push(...lengths.tests, vocabulary.test, ...languages.tests);
    result.psi = lengths.psi;
    result.shares = languages.shares;
    for (const reason of [lengths.reason, vocabulary.reason, languages.reason]) if (reason) reasons.push(reason);
    if ([...reference.tokens, ...sample.tokens].some((t) => t.capped))
      notes.push("a vocabulary reached its cap of distinct words; words past it count as out of vocabulary");
  }
  for (const column of [reference, sample]) {
    if (column.overflow > 0)
      notes.push(
        `more than ${column.categories.size - 1} distinct values in the ${column === reference ? "reference" : "sample"}; the rest counted as ${OTHER_CATEGORY}`,
      );
  }
  result.reasons = reasons;
  result.verdict = reasons.length > 0 ? "drift" : "ok";
  if (notes.length > 0) result.notes = notes;
  return result;
}

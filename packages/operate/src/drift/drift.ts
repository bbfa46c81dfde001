import type { DriftFeatureConfig, DriftThresholds } from "@llmops/core";
import { analyzeFeature } from "./analyze.ts";
import { addRecord, type FeatureColumn, newColumn } from "./columns.ts";
import { type RecordFormat, type RecordStats, readRecords } from "./records.ts";
import type { DataSource, DriftResult } from "./result.ts";

/**
 * Data drift of production inputs: the sample's records against the reference's, feature by
 * feature (analyze.ts). Both files are read once, keeping only the features' values.
 */

/** A data file ready to read: a local path (a dataset version is fetched first), and how to name it. */
export interface DriftSource {
  path: string;
  /** How people see it: `samples/prod.jsonl`, `acme/traffic@sha256:…/inputs.jsonl`. */
  display: string;
  format?: RecordFormat | undefined;
  /** The dataset version's digest when it came from the store. */
  digest?: string | undefined;
}

export interface AnalyzeDriftOptions {
  sample: DriftSource;
  reference: DriftSource;
  features: readonly DriftFeatureConfig[];
  thresholds: DriftThresholds;
  /** Records read from each side. */
  maxRecords: number;
}

async function collect(source: DriftSource, features: readonly DriftFeatureConfig[], maxRecords: number) {
  const columns: FeatureColumn[] = features.map(newColumn);
  const stats: RecordStats = await readRecords(source.path, { format: source.format, maxRecords, display: source.display }, (record) => {
    for (const column of columns) addRecord(column, record);
  });
  const described: DataSource = {
    source: source.display,
    ...(source.digest ? { digest: source.digest } : {}),
    records: stats.records,
    skipped: stats.skipped,
    skippedAt: stats.skippedAt,
    truncated: stats.truncated,
  };
  return { columns, described };
}

/** Compares the sample with the reference on every feature. */
export async function analyzeDrift(options: AnalyzeDriftOptions): Promise<DriftResult> {
  const reference = await collect(options.reference, options.features, options.maxRecords);
  const sample = await collect(options.sample, options.features, options.maxRecords);
  const features = options.features.map((_, i) => analyzeFeature(reference.columns[i]!, sample.columns[i]!, options.thresholds));
  // One feature that could not be judged makes the whole inconclusive unless another drifted:
  // "ok" closes an open alert, and the feature that raised it may be the one without values now.
  const verdict = features.some((f) => f.verdict === "drift")
    ? "drift"
    : features.some((f) => f.verdict === "insufficient")
      ? "insufficient"
      : "ok";
  return { verdict, sample: sample.described, reference: reference.described, features };
}

import { type CanaryMetricConfig, ExternalError, type Logger } from "@llmops/core";
import type { Sample } from "@llmops/eval";

/** Where a canary metric's numbers come from (Prometheus, a feedback file), per variant. */

export interface VariantIdentity {
  /** The name `{{variant}}` takes in queries (the router's server name for the slot). */
  name: string;
  /** The digest of the version the slot serves (feedback events may name it instead). */
  digest: string;
}

export interface MetricSourceContext {
  /** When the rollout started: counts are taken from here on. */
  since: Date;
  now: Date;
  variants: { stable: VariantIdentity; canary: VariantIdentity };
  /** Prometheus' base URL (strategy.canary.prometheus). */
  prometheusUrl?: string;
  /** Directory of llmops.yaml: a feedback file's path resolves from here. */
  configDir: string;
  logger: Logger;
  signal?: AbortSignal;
}

/** A metric's samples per variant; null where there is no data yet (a query that returned nothing). */
export interface MetricReading {
  stable: Sample | null;
  canary: Sample | null;
  /** The queries or file read, for the record ("sum(increase(…[1800s]))"). */
  sources: string[];
}

export interface MetricSource {
  read(context: MetricSourceContext): Promise<MetricReading>;
}

/** A source that could not be read (Prometheus unreachable, a query error, an unreadable file). */
export class MetricSourceError extends ExternalError {
  readonly metric: string;
  constructor(metric: CanaryMetricConfig["name"], message: string, options?: { cause?: unknown }) {
    super(`metric ${metric}: ${message}`, options);
    this.metric = metric;
  }
}

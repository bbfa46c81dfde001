import { bool, families } from "./catalog.ts";
import type { MetricSample } from "./metric-set.ts";

/**
 * Dataset check results as samples. The input is structural, the least a check run must say: a
 * CheckResult (check/result.ts, what `llmops check --json` prints) is passed as it is.
 */
export interface CheckMetricsInput {
  readonly dataset: { readonly name: string; readonly digest?: string | undefined };
  /** Cases read, when known. */
  readonly cases?: number | undefined;
  readonly checks: readonly {
    /** `schema`, `duplicates`, `contamination`, `pii`, … */
    readonly name: string;
    readonly passed: boolean;
    /** How many findings (duplicates, contaminated cases, PII matches, schema errors). */
    readonly findings: number;
    /** Findings by kind (`email: 3`, `iban: 1`), when the check tells them apart. */
    readonly kinds?: Readonly<Record<string, number>> | undefined;
  }[];
}

export function checkSamples(input: CheckMetricsInput): MetricSample[] {
  const dataset = { dataset: input.dataset.name, digest: input.dataset.digest };
  const samples: MetricSample[] = [];
  for (const check of input.checks) {
    const labels = { ...dataset, check: check.name };
    samples.push({ family: families.checkPassed, labels, value: bool(check.passed) });
    samples.push({ family: families.checkFindings, labels, value: check.findings });
    for (const [kind, findings] of Object.entries(check.kinds ?? {})) {
      samples.push({ family: families.checkFindingsByKind, labels: { ...labels, kind }, value: findings });
    }
  }
  if (input.cases !== undefined) samples.push({ family: families.checkCases, labels: dataset, value: input.cases });
  return samples;
}

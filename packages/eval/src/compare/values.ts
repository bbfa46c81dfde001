import type { CaseResult } from "@llmops/core";

/**
 * Metrics the runner derives from case fields rather than from a scorer (see the aggregation in
 * packages/eval/src/aggregate): their per-case values can be read back from results.jsonl.
 */
const FIELD_METRICS: Record<string, (c: CaseResult) => number | null> = {
  pass_rate: (c) => (c.pass ? 1 : 0),
  error_rate: (c) => (c.error !== null ? 1 : 0),
  // As in aggregation: a failed call's latency, tokens and cost say nothing about the model.
  latency_ms: (c) => (c.error === null ? c.latencyMs : null),
  cost: (c) => (c.error === null ? c.cost : null),
  tokens: (c) => (c.error === null ? (c.tokens?.total ?? null) : null),
  // Streamed calls only: a case without them (not streamed, or errored) is left out of the pairing.
  ttft_ms: (c) => (c.error === null ? (c.ttftMs ?? null) : null),
  tokens_per_second: (c) => (c.error === null ? (c.tokensPerSecond ?? null) : null),
  score: (c) => {
    let weighted = 0;
    let weights = 0;
    for (const s of c.scores) {
      weighted += s.weight * s.score;
      weights += s.weight;
    }
    return weights > 0 ? weighted / weights : null;
  },
};

/**
 * One case's value of a metric, or null when the case has none (then it is left out of the
 * pairing). Rate metrics of a scorer use its pass/fail; mean metrics its score.
 */
export function caseValue(metric: string, kind: "rate" | "mean" | "corpus", c: CaseResult): number | null {
  const field = FIELD_METRICS[metric];
  if (field) return field(c);
  const score = c.scores.find((s) => s.name === metric);
  if (!score) return null;
  return kind === "rate" ? (score.pass ? 1 : 0) : score.score;
}

/** Whether per-case values of this metric can be read from case results at all. */
export function isCaseDerivable(metric: string, cases: readonly CaseResult[]): boolean {
  return metric in FIELD_METRICS || cases.some((c) => c.scores.some((s) => s.name === metric));
}

import type { CaseResult } from "@llmops/core";

/** A result row with only what a test cares about set. */
export function row(partial: Partial<CaseResult> & { index: number }): CaseResult {
  return {
    id: `c${partial.index}`,
    repeat: 0,
    vars: {},
    tags: {},
    provider: "p",
    output: partial.error ? null : "out",
    error: null,
    scores: [],
    pass: true,
    latencyMs: 100,
    tokens: null,
    cost: null,
    cached: false,
    ...partial,
  };
}

export function scored(index: number, scores: Record<string, number>, extra: Partial<CaseResult> = {}): CaseResult {
  const list = Object.entries(scores).map(([name, score]) => ({ name, type: name, score, pass: score >= 0.5, weight: 1 }));
  return row({ index, scores: list, pass: list.every((s) => s.pass), ...extra });
}

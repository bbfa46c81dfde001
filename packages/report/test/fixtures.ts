import { type CaseResult, type Comparison, caseResultSchema, comparisonSchema, type RunSummary, runSummarySchema } from "@llmops/core";

export const DIGEST = `sha256:${"ab".repeat(32)}`;

export function comparison(overrides: Partial<Comparison> = {}): Comparison {
  return comparisonSchema.parse({
    schemaVersion: 1,
    suite: "qa",
    baseline: { source: "alias", description: "qa-model:production", digest: DIGEST },
    matched: 100,
    added: ["new-1"],
    removed: [],
    changed: ["c-7"],
    metrics: [
      {
        name: "accuracy",
        kind: "rate",
        higherIsBetter: true,
        n: 100,
        baseline: 0.8,
        head: 0.72,
        delta: -0.08,
        relativeDelta: -0.1,
        ci: { low: -0.14, high: -0.02, level: 0.95, method: "bootstrap" },
        test: "mcnemar-exact",
        pValue: 0.004,
        pAdjusted: 0.008,
        verdict: "significant regression",
      },
      {
        name: "latency_ms",
        kind: "mean",
        higherIsBetter: false,
        n: 100,
        baseline: 420,
        head: 410,
        delta: -10,
        relativeDelta: -0.0238,
        ci: { low: -30, high: 12, level: 0.95, method: "bootstrap" },
        test: "paired-bootstrap",
        pValue: 0.4,
        pAdjusted: 0.4,
        verdict: "no significant change",
      },
    ],
    flips: [
      { id: "case-2", direction: "fail-to-pass", input: "2+2?", expected: "4", baselineOutput: "5", headOutput: "4" },
      {
        id: "case-1",
        direction: "pass-to-fail",
        input: "capital of France?",
        expected: "Paris",
        baselineOutput: "Paris",
        headOutput: "Lyon",
      },
    ],
    gates: [{ description: "accuracy drop <= 0.05", metric: "accuracy", actual: -0.08, threshold: -0.05, passed: false }],
    verdict: "fail",
    ...overrides,
  });
}

export function caseResult(overrides: Partial<CaseResult> = {}): CaseResult {
  return caseResultSchema.parse({
    id: "c1",
    index: 0,
    vars: { question: "q" },
    provider: "openai:gpt",
    output: "answer",
    error: null,
    scores: [{ name: "exact", type: "exact-match", score: 1, pass: true }],
    pass: true,
    latencyMs: 120,
    tokens: null,
    cost: null,
    ...overrides,
  });
}

export function runSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  return runSummarySchema.parse({
    schemaVersion: 1,
    suite: "qa",
    suiteDigest: DIGEST,
    providers: ["openai:gpt"],
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: "2026-01-01T00:01:00Z",
    complete: true,
    cases: 3,
    errors: 1,
    metrics: [{ name: "exact", kind: "rate", n: 3, mean: 0.333, sd: 0.47, ci: { low: 0.06, high: 0.79, method: "wilson" } }],
    slices: [
      {
        key: "language",
        value: "de",
        metrics: [{ name: "exact", kind: "rate", n: 1, mean: 1, sd: 0, ci: { low: 0.2, high: 1, method: "wilson" } }],
      },
    ],
    gates: [{ description: "exact >= 0.8", metric: "exact", actual: 0.333, threshold: 0.8, passed: false }],
    passed: false,
    ...overrides,
  });
}

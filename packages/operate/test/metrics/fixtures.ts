// Result documents as the engines write them (checked against core's schemas), shared by the
// converter tests and the Pushgateway end-to-end test.
import { type Comparison, comparisonSchema, type RunSummary, runSummarySchema } from "@llmops/core";

export const MODEL_DIGEST = `sha256:${"b".repeat(64)}`;
export const STABLE_DIGEST = `sha256:${"c".repeat(64)}`;
export const CANDIDATE_DIGEST = `sha256:${"d".repeat(64)}`;

/** summary.json of a finished run of suite `sentiment` on acme/sentiment:v3. */
export function evalSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  return runSummarySchema.parse({
    schemaVersion: 1,
    suite: "sentiment",
    suiteDigest: `sha256:${"a".repeat(64)}`,
    model: { ref: "acme/sentiment:v3", digest: MODEL_DIGEST },
    providers: ["local"],
    startedAt: "2026-01-02T03:04:00Z",
    finishedAt: "2026-01-02T03:04:05.500Z",
    complete: true,
    cases: 200,
    errors: 2,
    metrics: [
      { name: "accuracy", kind: "rate", n: 200, mean: 0.915, sd: 0.28, ci: { low: 0.8686, high: 0.9462, level: 0.95, method: "wilson" } },
      { name: "latency_ms", kind: "mean", n: 198, mean: 120.5, sd: 10, ci: { low: 0, high: 0, method: "none" }, higherIsBetter: false },
    ],
    slices: [
      {
        key: "language",
        value: "de",
        metrics: [{ name: "accuracy", kind: "rate", n: 50, mean: 0.9, sd: 0.3, ci: { low: 0.79, high: 0.96, method: "wilson" } }],
      },
    ],
    gates: [{ description: "accuracy >= 0.8", metric: "accuracy", actual: 0.915, threshold: 0.8, passed: true }],
    passed: true,
    ...overrides,
  });
}

/** comparison.json of suite `sentiment`: accuracy regressed (McNemar), one metric untestable. */
export function comparison(overrides: Partial<Comparison> = {}): Comparison {
  return comparisonSchema.parse({
    schemaVersion: 1,
    suite: "sentiment",
    baseline: { source: "alias", description: "acme/sentiment:production", digest: STABLE_DIGEST },
    matched: 60,
    added: [],
    removed: [],
    changed: [],
    metrics: [
      {
        name: "accuracy",
        kind: "rate",
        higherIsBetter: true,
        n: 60,
        baseline: 0.9,
        head: 0.8,
        delta: -0.1,
        relativeDelta: -0.1111,
        ci: { low: -0.18, high: -0.03, level: 0.9, method: "bootstrap" },
        test: "mcnemar-exact",
        pValue: 0.0117,
        pAdjusted: 0.0234,
        verdict: "significant regression",
      },
      {
        name: "bleu",
        kind: "corpus",
        higherIsBetter: true,
        n: 60,
        baseline: 31.2,
        head: 31.5,
        delta: 0.3,
        relativeDelta: 0.0096,
        ci: { low: 0, high: 0, method: "none" },
        test: "none",
        pValue: 1,
        pAdjusted: 1,
        verdict: "no significant change",
        note: "corpus metric not recomputable",
      },
    ],
    flips: [
      { id: "c1", direction: "pass-to-fail", input: "a", baselineOutput: "x", headOutput: "y" },
      { id: "c2", direction: "pass-to-fail", input: "b", baselineOutput: "x", headOutput: "y" },
      { id: "c3", direction: "fail-to-pass", input: "c", baselineOutput: "x", headOutput: "y" },
    ],
    gates: [{ description: "no regression on accuracy", metric: "accuracy", actual: -0.1, threshold: 0, passed: false }],
    verdict: "fail",
    ...overrides,
  });
}

/**
 * `llmops status --json` of two environments: staging serves v3 with a canary rollout of v4 at
 * step 1 (25%); production serves v2; a third could not be read. Every field of promote's
 * statusResultSchema that the status prints is here (the CLI test parses it with that schema).
 */
export function statusDocument() {
  return {
    schemaVersion: 1,
    environments: [
      {
        environment: "staging",
        name: "acme/sentiment",
        alias: "staging",
        digest: STABLE_DIGEST,
        version: "v3",
        since: "2026-03-01T12:00:00Z",
        actor: "octocat",
        approvers: [],
        evidence: [],
        previous: null,
        rollout: {
          state: {
            decision: "advance",
            step: 1,
            steps: [5, 25, 100],
            percent: 25,
            stable: STABLE_DIGEST,
            candidate: CANDIDATE_DIGEST,
            startedAt: "2026-03-01T12:00:00.000Z",
            stepStartedAt: "2026-03-01T12:30:00.000Z",
            counter: "router",
            baseline: { stable: 100, canary: 10 },
            metrics: [],
            reasons: ["error rate within bounds"],
          },
          record: `sha256:${"e".repeat(64)}`,
          version: "v4",
        },
      },
      {
        environment: "production",
        name: "acme/sentiment",
        alias: "production",
        digest: MODEL_DIGEST,
        version: "v2",
        since: "2026-01-02T03:04:05.500Z",
        approvers: [{ login: "octocat", state: "approved" }],
        evidence: [],
        previous: null,
      },
      { environment: "canary-lab", alias: "lab", digest: null, approvers: [], evidence: [], previous: null, error: "store unreachable" },
    ],
  };
}

const lengths = {
  count: 3,
  min: 2,
  max: 9,
  mean: 5,
  p50: 4,
  p90: 9,
  p99: 9,
  histogram: [
    { from: 2, to: 3, count: 1 },
    { from: 4, to: 15, count: 2 },
  ],
};

/** `llmops check --json` of demo/reviews:v2 (check/result.ts): PII found (3 emails, 1 IBAN), no duplicates. */
export function checkDocument() {
  return {
    schemaVersion: 1,
    dataset: { ref: "demo/reviews:v2", name: "demo/reviews", digest: MODEL_DIGEST, version: "v2" },
    passed: false,
    reasons: ["pii: 4 findings > 0"],
    startedAt: "2026-03-01T12:00:00.000Z",
    finishedAt: "2026-03-01T12:00:01.000Z",
    files: [{ path: "cases.jsonl", format: "jsonl", bytes: 300, rows: 1000 }],
    skippedFiles: [],
    rows: 1000,
    cases: 1000,
    checks: [
      {
        name: "duplicates",
        severity: "error",
        max: 0,
        findings: 0,
        passed: true,
        kinds: { exact: 0, near: 0 },
        exact: 0,
        near: 0,
        threshold: 0.8,
        shingle: 5,
        permutations: 128,
        bands: 32,
        rows: 4,
        comparisons: 0,
        pairs: [],
      },
      {
        name: "pii",
        severity: "error",
        max: 0,
        findings: 4,
        passed: false,
        kinds: { email: 3, iban: 1 },
        detectors: ["email", "iban"],
        rows: 3,
        locations: [{ file: "cases.jsonl", line: 7, kind: "email", masked: "j***@***.com" }],
      },
    ],
    distributions: { words: lengths, chars: lengths },
  };
}

/**
 * `llmops monitor --json` (monitor/result.ts) of production: the quality monitor of suite
 * `sentiment` alerting on a regression of accuracy, and a drift monitor whose text feature drifted.
 */
export function monitorDocument() {
  const source = { source: "samples/prod.jsonl", records: 500, skipped: 0, skippedAt: [], truncated: false };
  return {
    schemaVersion: 1,
    exitCode: 1,
    alerting: true,
    environments: [
      {
        environment: "production",
        artifact: "acme/sentiment",
        alias: "production",
        serving: { digest: MODEL_DIGEST, version: "v2" },
        monitors: [
          {
            key: "sentiment",
            quality: {
              suite: "sentiment",
              verdict: "regression",
              matched: 60,
              added: 0,
              removed: 0,
              changed: 0,
              metrics: [
                {
                  name: "accuracy",
                  baseline: 0.915,
                  head: 0.84,
                  delta: -0.075,
                  n: 60,
                  test: "mcnemar-exact",
                  pValue: 0.003,
                  pAdjusted: 0.006,
                  verdict: "significant regression",
                  watched: true,
                },
                {
                  name: "bleu",
                  baseline: 30,
                  head: 30.5,
                  delta: 0.5,
                  n: 60,
                  test: "none",
                  pValue: 1,
                  pAdjusted: 1,
                  verdict: "no significant change",
                  watched: true,
                },
              ],
              regressions: ["accuracy"],
              failedGates: [],
              errors: 0,
            },
            alert: { status: "alerting", reasons: ["accuracy regressed"], notifications: [] },
          },
          {
            key: "drift",
            drift: {
              verdict: "drift",
              sample: source,
              reference: { ...source, source: "acme/reviews@sha256:…/cases.jsonl" },
              features: [
                {
                  field: "text",
                  type: "text",
                  verdict: "drift",
                  reasons: ["length: PSI 0.31 ≥ 0.2 and KS p = 0.0004 < 0.01"],
                  reference: { values: 500, missing: 0 },
                  sample: { values: 500, missing: 0 },
                  psi: 0.31,
                  tests: [
                    { test: "psi", of: "length", statistic: 0.31, threshold: 0.2, exceeded: true },
                    { test: "ks", of: "length", statistic: 0.12, pValue: 0.0004, method: "exact", threshold: 0.01, exceeded: true },
                    { test: "chi-square", of: "language", statistic: 1.5, pValue: 0.47, dof: 2, threshold: 0.01, exceeded: false },
                  ],
                },
                {
                  field: "rating",
                  type: "numeric",
                  verdict: "insufficient",
                  reasons: [],
                  reference: { values: 3, missing: 0 },
                  sample: { values: 2, missing: 0 },
                  tests: [],
                },
              ],
            },
            alert: { status: "inconclusive", reasons: [], notifications: [] },
          },
        ],
      },
    ],
  };
}

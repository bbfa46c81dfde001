// Inputs for the HTML report's tests: suites with head and baseline rows, a comparison, an alias
// history, and case text from the escaping corpus.
import type { CaseResult, Comparison, MetricSummary, RunSummary } from "@llmops/core";
import type { HtmlReportHistory, HtmlReportInput } from "../../src/html/model.ts";

export const DIGESTS = Array.from({ length: 4 }, (_, i) => `sha256:${String(i + 1).repeat(64)}`);

export interface CaseSpec {
  id: string;
  head?: { pass: boolean; output?: string | null; error?: string | null; latencyMs?: number; cost?: number | null; score?: number };
  baseline?: { pass: boolean; output?: string | null; error?: string | null; latencyMs?: number; cost?: number | null; score?: number };
  input?: string;
  expected?: unknown;
  tags?: Record<string, string>;
  repeat?: number;
}

function row(spec: CaseSpec, side: NonNullable<CaseSpec["head"]>, index: number): CaseResult {
  const score = side.score ?? (side.pass ? 1 : 0);
  return {
    id: spec.id,
    index,
    repeat: spec.repeat ?? 0,
    // A case given an input has it as its rendered prompt and no vars (the report then shows the prompt).
    vars: spec.input === undefined ? { question: `question ${spec.id}` } : {},
    ...(spec.expected !== undefined ? { expected: spec.expected } : { expected: `answer ${spec.id}` }),
    tags: spec.tags ?? {},
    provider: "openai:gpt-test",
    ...(spec.input !== undefined ? { prompt: spec.input } : {}),
    output: side.output === undefined ? (side.pass ? `answer ${spec.id}` : `wrong ${spec.id}`) : side.output,
    error: side.error ?? null,
    scores: side.error
      ? []
      : [
          {
            name: "exact",
            type: "equals",
            score,
            pass: side.pass,
            weight: 1,
            ...(side.pass ? {} : { reason: `expected answer ${spec.id}` }),
          },
          { name: "judge", type: "llm-judge", score: side.pass ? 0.9 : 0.2, pass: side.pass, weight: 1 },
        ],
    pass: side.pass && !side.error,
    latencyMs: side.latencyMs ?? 100 + index,
    tokens: null,
    cost: side.cost === undefined ? 0.0002 : side.cost,
    cached: false,
  };
}

export function metric(name: string, mean: number, low: number, high: number, higherIsBetter = true): MetricSummary {
  return { name, kind: "rate", n: 60, mean, sd: 0.4, ci: { low, high, level: 0.95, method: "wilson" }, higherIsBetter };
}

export function summary(suite: string, cases: CaseResult[], overrides: Partial<RunSummary> = {}): RunSummary {
  const rate = cases.filter((c) => c.pass).length / Math.max(1, cases.length);
  return {
    schemaVersion: 1,
    suite,
    suiteDigest: DIGESTS[0]!,
    providers: ["openai:gpt-test"],
    startedAt: "2026-03-01T10:00:00.000Z",
    finishedAt: "2026-03-01T10:05:00.000Z",
    complete: true,
    cases: cases.length,
    errors: cases.filter((c) => c.error !== null).length,
    metrics: [
      metric("pass_rate", rate, Math.max(0, rate - 0.1), Math.min(1, rate + 0.1)),
      metric("exact", rate, Math.max(0, rate - 0.1), Math.min(1, rate + 0.1)),
    ],
    slices: [{ key: "language", value: "de", metrics: [metric("pass_rate", 0.5, 0.3, 0.7)] }],
    gates: [{ description: "pass_rate >= 0.5", metric: "pass_rate", actual: rate, threshold: 0.5, passed: rate >= 0.5 }],
    passed: rate >= 0.5,
    results: "results.jsonl",
    ...overrides,
  };
}

/** Both sides of each spec, head's and baseline's rows in spec order. */
export function runs(specs: CaseSpec[]): { head: CaseResult[]; baseline: CaseResult[] } {
  const head: CaseResult[] = [];
  const baseline: CaseResult[] = [];
  specs.forEach((spec, i) => {
    if (spec.head) head.push(row(spec, spec.head, i));
    if (spec.baseline) baseline.push(row(spec, spec.baseline, i));
  });
  return { head, baseline };
}

export function comparison(suite: string, specs: CaseSpec[], overrides: Partial<Comparison> = {}): Comparison {
  const flips: Comparison["flips"] = [];
  for (const spec of specs) {
    if (!spec.head || !spec.baseline || spec.head.pass === spec.baseline.pass) continue;
    flips.push({
      id: spec.id,
      direction: spec.baseline.pass ? "pass-to-fail" : "fail-to-pass",
      input: spec.input ?? spec.id,
      baselineOutput: null,
      headOutput: null,
    });
  }
  return {
    schemaVersion: 1,
    suite,
    baseline: { source: "alias", description: "acme/qa-model:production (v3)", digest: DIGESTS[2]! },
    matched: specs.filter((s) => s.head && s.baseline).length,
    added: specs.filter((s) => s.head && !s.baseline).map((s) => s.id),
    removed: specs.filter((s) => !s.head && s.baseline).map((s) => s.id),
    changed: [],
    metrics: [
      {
        name: "pass_rate",
        kind: "rate",
        higherIsBetter: true,
        n: 60,
        baseline: 0.8,
        head: 0.7,
        delta: -0.1,
        relativeDelta: -0.125,
        ci: { low: -0.18, high: -0.02, level: 0.95, method: "bootstrap" },
        test: "mcnemar-exact",
        pValue: 0.004,
        pAdjusted: 0.008,
        verdict: "significant regression",
      },
      {
        name: "exact",
        kind: "rate",
        higherIsBetter: true,
        n: 60,
        baseline: 0.8,
        head: 0.78,
        delta: -0.02,
        relativeDelta: -0.025,
        ci: { low: -0.06, high: 0.03, level: 0.95, method: "bootstrap" },
        test: "mcnemar-exact",
        pValue: 0.5,
        pAdjusted: 0.5,
        verdict: "no significant change",
      },
    ],
    flips,
    gates: [{ description: "pass_rate drop <= 0.05 vs baseline", metric: "pass_rate", actual: -0.1, threshold: -0.05, passed: false }],
    verdict: "fail",
    ...overrides,
  };
}

/**
 * Suite "qa": 60 cases; 0–9 pass → fail, 10–14 fail → pass, 15–19 fail on both, 20 errors on head,
 * 21 only in head, 22 only in the baseline; even cases are `language=de`, odd `en`. Case 30's
 * output differs from the baseline's in one word. Suite "summaries": 5 cases, head only.
 */
export function qaSpecs(): CaseSpec[] {
  return Array.from({ length: 60 }, (_, i): CaseSpec => {
    const id = `case-${String(i).padStart(2, "0")}`;
    const tags = { language: i % 2 === 0 ? "de" : "en" };
    if (i < 10) return { id, tags, baseline: { pass: true }, head: { pass: false } };
    if (i < 15) return { id, tags, baseline: { pass: false }, head: { pass: true } };
    if (i < 20) return { id, tags, baseline: { pass: false }, head: { pass: false } };
    if (i === 20)
      return { id, tags, baseline: { pass: true }, head: { pass: false, output: null, error: "provider timed out after 30 s" } };
    if (i === 21) return { id, tags, head: { pass: true } };
    if (i === 22) return { id, tags, baseline: { pass: true } };
    if (i === 30)
      return {
        id,
        tags,
        baseline: { pass: true, output: "The capital of France is Paris, a city on the Seine." },
        head: { pass: true, output: "The capital of France is Lyon, a city on the Seine." },
      };
    return { id, tags, baseline: { pass: true }, head: { pass: true } };
  });
}

export function history(): HtmlReportHistory {
  const evidence = (mean: number, passed = true) => [
    {
      suite: "qa",
      when: "2026-02-01T00:00:00.000Z",
      passed,
      complete: true,
      metrics: [{ name: "pass_rate", mean, low: mean - 0.05, high: mean + 0.05, higherIsBetter: true }],
    },
  ];
  return {
    name: "acme/qa-model",
    alias: "production",
    moves: [
      {
        when: "2026-01-05T09:00:00.000Z",
        from: null,
        to: DIGESTS[0]!,
        actor: "octocat",
        runUrl: "https://github.com/acme/repo/actions/runs/1",
      },
      { when: "2026-01-20T09:00:00.000Z", from: DIGESTS[0]!, to: DIGESTS[1]!, actor: "octocat" },
      { when: "2026-02-10T09:00:00.000Z", from: DIGESTS[1]!, to: DIGESTS[2]!, actor: "hubot", runUrl: "javascript:alert(1)" },
    ],
    versions: [
      { digest: DIGESTS[0]!, label: "v1", created: "2026-01-04T00:00:00.000Z", evidence: evidence(0.7), promotions: [] },
      { digest: DIGESTS[1]!, label: "v2", evidence: evidence(0.75), promotions: [] },
      {
        digest: DIGESTS[2]!,
        label: "v3",
        evidence: evidence(0.8),
        promotions: [{ digest: DIGESTS[3]!, when: "2026-02-10T09:00:00.000Z", annotations: { "dev.llmops.environment": "production" } }],
      },
    ],
  };
}

export function reportInput(overrides: Partial<HtmlReportInput> = {}): HtmlReportInput {
  const specs = qaSpecs();
  const qa = runs(specs);
  const summaries = runs(Array.from({ length: 5 }, (_, i) => ({ id: `sum-${i}`, head: { pass: i !== 3 } })));
  return {
    title: "llmops report: qa, summaries",
    generatedAt: "2026-03-01T12:00:00.000Z",
    runUrl: "https://github.com/acme/repo/actions/runs/42",
    suites: [
      {
        head: { summary: summary("qa", qa.head), cases: qa.head },
        baseline: { summary: summary("qa", qa.baseline), cases: qa.baseline },
        comparison: comparison("qa", specs),
      },
      { head: { summary: summary("summaries", summaries.head), cases: summaries.head } },
    ],
    history: history(),
    ...overrides,
  };
}

import {
  type CaseResult,
  EVAL_ARTIFACT_TYPE,
  type EvidenceStore,
  type EvidenceSummary,
  InputError,
  type MetricSummary,
  type ResolvedVersion,
  type RunSummary,
} from "@llmops/core";

const DIGEST_A = `sha256:${"a".repeat(64)}`;

export interface CaseSpec {
  id: string;
  pass: boolean;
  score?: number;
  repeat?: number;
  vars?: Record<string, unknown>;
  expected?: unknown;
  output?: string | null;
  error?: string | null;
  latencyMs?: number;
  cost?: number | null;
}

export function caseResult(spec: CaseSpec, index: number): CaseResult {
  return {
    id: spec.id,
    index,
    repeat: spec.repeat ?? 0,
    vars: spec.vars ?? { text: `input ${spec.id}` },
    expected: spec.expected ?? `label ${spec.id}`,
    tags: {},
    provider: "test",
    output: spec.output === undefined ? `output ${spec.id}` : spec.output,
    error: spec.error ?? null,
    scores: [{ name: "exact", type: "equals", score: spec.score ?? (spec.pass ? 1 : 0), pass: spec.pass, weight: 1 }],
    pass: spec.pass,
    latencyMs: spec.latencyMs ?? 100,
    tokens: null,
    cost: spec.cost === undefined ? null : spec.cost,
    cached: false,
  };
}

export function metric(name: string, kind: MetricSummary["kind"], value: number, higherIsBetter = true): MetricSummary {
  return { name, kind, n: 1, mean: value, sd: 0, ci: { low: value, high: value, level: 0.95, method: "none" }, higherIsBetter };
}

/** A summary whose metric list is what the runner writes for one `equals` scorer named "exact". */
export function summary(suite: string, cases: CaseResult[], overrides: Partial<RunSummary> = {}): RunSummary {
  const passRate = cases.filter((c) => c.pass).length / Math.max(1, cases.length);
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    schemaVersion: 1,
    suite,
    suiteDigest: DIGEST_A,
    providers: ["test"],
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: "2026-01-01T00:01:00Z",
    complete: true,
    cases: cases.length,
    errors: cases.filter((c) => c.error !== null).length,
    metrics: [
      metric("exact", "mean", meanOf(cases.map((c) => c.scores[0]?.score ?? 0))),
      metric("pass_rate", "rate", passRate),
      metric("error_rate", "rate", cases.filter((c) => c.error !== null).length / Math.max(1, cases.length), false),
      metric("latency_ms", "mean", meanOf(cases.map((c) => c.latencyMs)), false),
    ],
    slices: [],
    gates: [],
    passed: true,
    results: "results.jsonl",
    ...overrides,
  };
}

export function run(suite: string, specs: CaseSpec[], overrides: Partial<RunSummary> = {}): { summary: RunSummary; cases: CaseResult[] } {
  const cases = specs.map((s, i) => caseResult(s, i));
  return { summary: summary(suite, cases, overrides), cases };
}

/**
 * n cases where the baseline/head pass pattern is given by four counts (a McNemar 2x2 table):
 * both pass, pass -> fail (b), fail -> pass (c), both fail.
 */
export function pairedRuns(counts: { both: number; b: number; c: number; neither: number }, suite = "sentiment") {
  const baseline: CaseSpec[] = [];
  const head: CaseSpec[] = [];
  let i = 0;
  const add = (count: number, before: boolean, after: boolean) => {
    for (let k = 0; k < count; k++, i++) {
      const id = `case-${String(i).padStart(3, "0")}`;
      baseline.push({ id, pass: before });
      head.push({ id, pass: after });
    }
  };
  add(counts.both, true, true);
  add(counts.b, true, false);
  add(counts.c, false, true);
  add(counts.neither, false, false);
  return { baseline: run(suite, baseline), head: run(suite, head) };
}

/** An in-memory EvidenceStore: one version, evidence listed newest first as the interface promises. */
export function memoryStore(entries: { created: string; suite: string; summary: object; results: string }[]): EvidenceStore {
  const version: ResolvedVersion = { name: "m", digest: `sha256:${"c".repeat(64)}`, version: "v3" };
  const evidence = entries
    .map((e, i) => ({ ...e, digest: `sha256:${String(i).repeat(64).slice(0, 64)}` }))
    .sort((a, b) => (a.created < b.created ? 1 : -1));
  return {
    async resolve(ref) {
      if (ref !== "m:production") throw new InputError(`ref ${ref}: not found`);
      return version;
    },
    async attachEvidence() {
      throw new Error("read-only");
    },
    async listEvidence(_subject, artifactType): Promise<EvidenceSummary[]> {
      // Only eval evidence is stored here: asking for another type finds nothing.
      if (artifactType !== EVAL_ARTIFACT_TYPE) return [];
      return evidence.map((e) => ({
        digest: e.digest,
        artifactType,
        annotations: { "org.opencontainers.image.created": e.created, "dev.llmops.suite": e.suite },
      }));
    },
    async readEvidenceFile(_subject, digest, title) {
      const e = evidence.find((x) => x.digest === digest);
      if (!e) throw new InputError("no such evidence");
      return new TextEncoder().encode(title === "summary.json" ? JSON.stringify(e.summary) : e.results);
    },
  };
}

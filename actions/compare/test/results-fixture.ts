import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CaseResult, caseResultSchema, type RunSummary, runSummarySchema } from "@llmops/core";

const DIGEST = `sha256:${"cd".repeat(32)}`;

/** Writes a complete eval run (summary.json + results.jsonl) whose case `i` passes when `passes[i]`. */
export async function writeRun(dir: string, suite: string, passes: boolean[]): Promise<void> {
  const cases: CaseResult[] = passes.map((pass, i) =>
    caseResultSchema.parse({
      id: `case-${i}`,
      index: i,
      vars: { question: `question ${i}` },
      expected: `answer ${i}`,
      provider: "replay",
      output: pass ? `answer ${i}` : `wrong ${i}`,
      error: null,
      scores: [{ name: "exact", type: "exact-match", score: pass ? 1 : 0, pass }],
      pass,
      latencyMs: 10,
      tokens: null,
      cost: null,
    }),
  );
  const n = passes.length;
  const mean = passes.filter(Boolean).length / n;
  const sd = Math.sqrt(mean * (1 - mean));
  const metric = (name: string) => ({
    name,
    kind: "rate",
    n,
    mean,
    sd,
    ci: { low: Math.max(0, mean - 0.1), high: Math.min(1, mean + 0.1), method: "wilson" },
  });
  const summary: RunSummary = runSummarySchema.parse({
    schemaVersion: 1,
    suite,
    suiteDigest: DIGEST,
    providers: ["replay"],
    startedAt: "2026-01-01T00:00:00Z",
    finishedAt: "2026-01-01T00:01:00Z",
    complete: true,
    cases: n,
    errors: 0,
    metrics: [metric("pass_rate"), metric("exact")],
    passed: true,
  });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "summary.json"), JSON.stringify(summary));
  await writeFile(join(dir, "results.jsonl"), `${cases.map((c) => JSON.stringify(c)).join("\n")}\n`);
}

/** An llmops.yaml whose suite lists the cases inline, so annotations can point at their lines. */
export function configYaml(suite: string, n: number, compare = ""): string {
  const cases = Array.from({ length: n }, (_, i) => `      - id: case-${i}\n        vars: { question: "question ${i}" }`).join("\n");
  return `suites:\n  - name: ${suite}\n    provider: { type: replay, file: replay.jsonl }\n    prompt: "{{question}}"\n    cases:\n${cases}\n${compare}`;
}

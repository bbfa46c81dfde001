import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/run/evaluate.ts";

// examples/rag runs offline on recordings; its README states these numbers, worked out by hand
// from the verdicts in examples/rag/record-judge.ts.
const root = fileURLToPath(new URL("../../../../", import.meta.url));

describe("examples/rag", () => {
  it("runs offline and scores what its README says", async () => {
    const out = mkdtempSync(join(tmpdir(), "llmops-rag-example-"));
    const result = await evaluate({
      config: join(root, "examples", "rag", "llmops.yaml"),
      cwd: root,
      env: {},
      logger: silentLogger,
      cache: false,
      out,
    });
    expect(result.passed).toBe(true);
    const [suite] = result.suites;
    expect(suite!.summary.errors).toBe(0);
    const metrics = suite!.metrics;
    expect(metrics["context-faithfulness"]).toBeCloseTo(0.9, 10);
    expect(metrics["context-recall"]).toBeCloseTo(0.8, 10);
    expect(metrics["context-relevance"]).toBeCloseTo((1 + 2 / 3 + 1 + 1 / 3 + 0) / 5, 10);
    expect(metrics["answer-relevance"]).toBeCloseTo(0.8, 10);
    // reset and warranty pass every scorer; wifi6 (a hallucination), ports and returns do not.
    expect(metrics.pass_rate).toBeCloseTo(0.4, 10);
  });
});

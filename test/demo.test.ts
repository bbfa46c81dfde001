import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { comparisonSchema } from "@llmops/core";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "llmops-demo-"));

describe("pnpm demo", () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("runs the whole PR loop offline and writes the comment and job summary", { timeout: 240_000 }, () => {
    const result = spawnSync(process.execPath, [join(root, "examples", "demo", "run-demo.ts")], {
      cwd: root,
      env: { ...process.env, LLMOPS_DEMO_OUT: out },
      encoding: "utf8",
      timeout: 240_000,
    });
    expect(result.stderr).toContain("$ llmops version");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("verdict: pass\n");

    const comparison = comparisonSchema.parse(JSON.parse(readFileSync(join(out, "compare", "sentiment", "comparison.json"), "utf8")));
    expect(comparison.baseline.source).toBe("alias");
    expect(comparison.matched).toBe(200);
    // The bigram candidate fixes negated reviews: a real, significant improvement on the same cases.
    expect(comparison.metrics.find((m) => m.name === "correct")?.verdict).toBe("significant improvement");

    const comment = readFileSync(join(out, "compare", "sentiment", "comment.md"), "utf8");
    expect(comment).toContain("<!-- llmops:compare suite=sentiment -->");
    expect(comment).toContain("fail → pass");
    const summary = readFileSync(join(out, "job-summary.md"), "utf8");
    expect(summary).toContain(comment.trim().split("\n")[1]);
  });
});

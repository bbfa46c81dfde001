import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SuiteConfig, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { evaluate } from "../../src/run/evaluate.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-transform-"));
  await writeFile(join(dir, "wrong.jsonl"), '{"id":"a","output":"no"}\n');
  await writeFile(join(dir, "right.jsonl"), '{"id":"a","output":"yes"}\n');
  await writeFile(
    join(dir, "llmops.yaml"),
    [
      "suites:",
      "  - name: qa",
      "    provider: { type: replay, file: wrong.jsonl }",
      "    prompt: '{{q}}'",
      "    cases: [{ id: a, vars: { q: hi }, expected: 'yes' }]",
      "    scorers: [{ type: equals }]",
      "    gates: [{ metric: pass_rate, min: 1 }]",
      "",
    ].join("\n"),
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("evaluate transformSuite", () => {
  it("runs the suite as the transform returned it, after loading and before preparing", async () => {
    const seen: string[] = [];
    const transformSuite = (suite: SuiteConfig): SuiteConfig => {
      seen.push(suite.name);
      return { ...suite, provider: { type: "replay", file: "right.jsonl" } };
    };
    const result = await evaluate({ cwd: dir, env: {}, logger: silentLogger, cache: false, transformSuite });
    expect(seen).toEqual(["qa"]);
    expect(result.passed).toBe(true);
    expect(result.suites[0]?.summary.providers).toEqual(["replay:right.jsonl"]);
  });

  it("leaves the suite alone without a transform", async () => {
    const result = await evaluate({ cwd: dir, env: {}, logger: silentLogger, cache: false });
    expect(result.passed).toBe(false);
  });
});

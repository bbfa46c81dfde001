import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { caseResultSchema, loadConfig, runSummarySchema } from "@llmops/core";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "llmops-agent-demo-"));

function results(suite: string) {
  return readFileSync(join(out, "results", suite, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => caseResultSchema.parse(JSON.parse(line)));
}

function summary(suite: string) {
  return runSummarySchema.parse(JSON.parse(readFileSync(join(out, "results", suite, "summary.json"), "utf8")));
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("pnpm demo:agent", () => {
  it("evaluates the tool-router and support-agent suites offline, streaming, and prints a short summary", { timeout: 180_000 }, () => {
    const run = spawnSync(process.execPath, [join(root, "examples", "agent", "run-demo.ts")], {
      cwd: root,
      env: { ...process.env, LLMOPS_DEMO_OUT: out },
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(run.stderr).toContain("$ llmops eval --config");
    expect(run.status, run.stderr).toBe(0);
    const number = String.raw`\d+(?:\.\d+)?`;
    expect(run.stdout).toMatch(
      new RegExp(
        [
          String.raw`^tool-router: passed, pass rate 1 \(3/3 cases\), ttft p50 ${number} ms, p95 ${number} ms`,
          String.raw`support-agent: passed, pass rate 1 \(6/6 cases\), ttft p50 ${number} ms, p95 ${number} ms`,
          "verdict: pass\n$",
        ].join("\n"),
      ),
    );

    // The router's single calls: the right tool with the right arguments, streamed as tool-call deltas.
    const router = results("tool-router");
    expect(router.map((r) => [r.id, r.finishReason, r.toolCalls?.map((c) => [c.name, c.arguments])])).toEqual([
      ["status", "tool_calls", [["get_order", { order_id: "B-2001" }]]],
      ["refund-checks-first", "tool_calls", [["get_order", { order_id: "B-2002" }]]],
      ["convert", "tool_calls", [["convert_currency", { amount: 100, from: "GBP", to: "EUR" }]]],
    ]);

    // The agent runs: every tool call answered (fixtures, the module tool, a fixture's error) and recorded.
    const agent = Object.fromEntries(results("support-agent").map((r) => [r.id, r]));
    expect(agent["refund-delivered"]).toMatchObject({
      turns: 3,
      finishReason: "stop",
      output: "Refund R-77 of 49.9 issued for order A-1002.",
      trajectory: [
        { turn: 1, call: { name: "get_order", arguments: { order_id: "A-1002" } }, source: "fixture" },
        { turn: 2, call: { name: "refund_order", arguments: { order_id: "A-1002" } }, source: "fixture", result: { refund_id: "R-77" } },
      ],
    });
    expect(agent["refund-in-transit"]).toMatchObject({
      turns: 2,
      output: "Order A-1003 is in transit; it can be refunded once it is delivered.",
    });
    // 25 EUR at 1.08 USD per EUR, from tools.ts.
    expect(agent.convert).toMatchObject({
      trajectory: [{ call: { name: "convert_currency" }, source: "module", result: { amount: 27, currency: "USD" } }],
      output: "25 EUR is 27 USD.",
    });
    expect(agent["unknown-order"]).toMatchObject({
      trajectory: [{ source: "fixture", error: "no order A-9999" }],
      output: "I could not find order A-9999.",
    });
    expect(agent["opening-hours"]).toMatchObject({ turns: 1, trajectory: [] });
    for (const r of Object.values(agent)) {
      expect(r.scores.map((s) => [s.name, s.pass])).toEqual([
        ["trajectory", true],
        ["answered", true],
      ]);
      // Streamed: the first delta came no sooner than the server's configured 30 ms.
      expect(r.ttftMs).toBeGreaterThanOrEqual(29);
      expect(r.tokensPerSecond).toBeGreaterThan(0);
      expect(r.cost).toBeGreaterThan(0);
    }

    // The summary has the streaming metrics and cost, and the gates on them held.
    const metrics = Object.fromEntries(summary("support-agent").metrics.map((m) => [m.name, m]));
    expect(metrics.ttft_ms).toMatchObject({ kind: "mean", n: 6, higherIsBetter: false });
    expect(metrics.ttft_ms_p50).toMatchObject({ kind: "corpus", n: 6 });
    expect(metrics.ttft_ms_p95!.mean).toBeGreaterThanOrEqual(metrics.ttft_ms_p50!.mean);
    expect(metrics.tokens_per_second).toMatchObject({ kind: "mean", higherIsBetter: true });
    expect(metrics.cost).toMatchObject({ kind: "mean", n: 6, higherIsBetter: false });
    expect(summary("support-agent").gates.map((g) => [g.metric, g.passed])).toEqual([
      ["trajectory", true],
      ["ttft_ms", true],
      ["ttft_ms_p95", true],
    ]);
    // The job summary shows the percentile pair as one row.
    expect(readFileSync(join(out, "results", "support-agent", "summary.md"), "utf8")).toContain("| time to first token p50/p95 ↓ | 6 |");
  });
});

describe("llmops compare on the demo's results", () => {
  it("shows time to first token p50/p95 as one descriptive row of the PR comment", { timeout: 60_000 }, () => {
    // The demo's results against themselves: every delta is 0, but the whole path runs (summary.json
    // and results.jsonl → comparison.json → comment.md).
    const results = join(out, "results");
    const run = spawnSync(
      process.execPath,
      [
        join(root, "packages", "cli", "bin", "llmops.js"),
        "compare",
        "--head",
        results,
        "--baseline",
        results,
        "--config",
        join(out, "llmops.yaml"),
        "--out",
        join(out, "compare"),
        "--json",
      ],
      { cwd: out, encoding: "utf8", timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const comparison = JSON.parse(readFileSync(join(out, "compare", "support-agent", "comparison.json"), "utf8")) as {
      metrics: { name: string; test: string; delta: number; n: number }[];
    };
    const byName = Object.fromEntries(comparison.metrics.map((m) => [m.name, m]));
    expect(byName.ttft_ms).toMatchObject({ test: "paired-bootstrap", delta: 0, n: 6 });
    expect(byName.tokens_per_second).toMatchObject({ test: "paired-bootstrap", delta: 0 });
    expect(byName.cost).toMatchObject({ test: "paired-bootstrap", delta: 0 });
    expect(byName.ttft_ms_p95).toMatchObject({ test: "none", delta: 0, n: 6 });
    const comment = readFileSync(join(out, "compare", "support-agent", "comment.md"), "utf8");
    expect(comment).toMatch(
      /\| time to first token p50\/p95 ↓ \| [\d.]+ \/ [\d.]+ \| [\d.]+ \/ [\d.]+ \| 0 \(0\.0%\) \[0, 0\] \/ 0 \(0\.0%\) \[0, 0\] \| — \| descriptive \|/,
    );
  });
});

describe("the README's tool-calling, RAG and streaming examples", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const sections = ["## Tool-calling and agent suites", "## RAG suites", "## Streaming metrics (time to first token, tokens per second)"];

  it.each(sections)("%s: its YAML passes the config schema", async (heading) => {
    const start = readme.indexOf(`${heading}\n`);
    expect(start).toBeGreaterThan(0);
    const end = readme.indexOf("\n## ", start + heading.length);
    const blocks = [...readme.slice(start, end).matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), "llmops-readme-"));
    try {
      writeFileSync(join(dir, "llmops.yaml"), blocks[0]!);
      const { config } = await loadConfig(join(dir, "llmops.yaml"));
      expect(config.suites).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("links what exists", () => {
    for (const heading of sections) expect(readme).toContain(heading);
    for (const path of ["examples/agent", "examples/rag", "docs/agents.md", "packages/eval/src/scorers/README.md"]) {
      expect(existsSync(join(root, path)), path).toBe(true);
    }
  });
});

// `pnpm demo:agent`: tool-calling and agent evals offline — no network, no keys.
//
//  1. start the local OpenAI-compatible test server (test/src/openai-server.ts) with a scripted
//     "model" (model.ts) that calls tools and answers from their results; it streams every reply
//     (30 ms to the first token, then 2 ms per token) and checks every request and response
//     against OpenAI's published API description
//  2. write out/llmops.yaml: this directory's llmops.yaml with baseUrl pointing at that server
//  3. `llmops eval` both suites: tool-router (one call: the right tool and arguments?) and
//     support-agent (agent runs: tool calls answered from the cases' toolResults fixtures and by
//     tools.ts, scored on their trajectory and finish reason)
//  4. print each suite's verdict, pass rate and time to first token (p50 and p95)
//
// Every step is a real `llmops` command, printed before it runs; the summary goes to stdout.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { formatNumber, runSummarySchema } from "../../packages/core/src/index.ts";
import { startOpenAIServer } from "../../test/src/openai-server.ts";
import { supportModel } from "./model.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
// LLMOPS_DEMO_OUT moves everything the demo writes elsewhere (its test writes to a temp dir).
const out = process.env.LLMOPS_DEMO_OUT ? resolve(process.env.LLMOPS_DEMO_OUT) : join(here, "out");
const bin = join(root, "packages", "cli", "bin", "llmops.js");
const show = (path: string) => relative(process.cwd(), path) || ".";
// A local run wherever it runs: no GITHUB_* variables, so nothing is posted anywhere.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("GITHUB_")));

function step(title: string) {
  process.stderr.write(`\n== ${title}\n`);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

step("1. Start the local OpenAI-compatible server (scripted model, streaming)");
const server = await startOpenAIServer({ respond: supportModel, ttftMs: 30, interTokenMs: 2 });
process.stderr.write(`serving ${server.url}\n`);
// One request before anything is timed: the server compiles its API-description validators on
// first use, which would otherwise land in the first suite's time to first token.
await fetch(`${server.url}/chat/completions`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    model: "support-model",
    stream: true,
    messages: [{ role: "user", content: "Where is order W-1?" }],
    tools: [
      { type: "function", function: { name: "get_order", parameters: { type: "object", properties: { order_id: { type: "string" } } } } },
    ],
  }),
}).then((response) => response.text());

let exitCode = 0;
try {
  step("2. Point the suites at it");
  const doc = parseDocument(readFileSync(join(here, "llmops.yaml"), "utf8"));
  // The provider is one YAML anchor shared by both suites; the copy lives in out/, so the paths
  // the suites read are made absolute.
  doc.setIn(["suites", 0, "provider", "baseUrl"], server.url);
  doc.setIn(["suites", 1, "casesFrom"], join(here, "cases.jsonl"));
  doc.setIn(["suites", 1, "agent", "tools", "convert_currency", "module"], join(here, "tools.ts"));
  doc.delete("$schema");
  const config = join(out, "llmops.yaml");
  writeFileSync(config, doc.toString());
  process.stderr.write(`wrote ${show(config)} (baseUrl: ${server.url})\n`);

  step("3. Evaluate both suites");
  const results = join(out, "results");
  const args = ["eval", "--config", config, "--out", results, "--no-cache", "--json"];
  process.stderr.write(`\n$ llmops ${args.map((a) => (a.startsWith("/") ? show(a) : a)).join(" ")}\n`);
  // Asynchronous, not spawnSync: the server runs in this process.
  const child = spawn(process.execPath, [bin, ...args], { cwd: out, env: childEnv, stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  const status = await new Promise<number | null>((done, fail) => {
    child.on("error", fail);
    child.on("close", done);
  });
  // 0: every gate passed; 1: a gate failed (a verdict, reported below); anything else is an error.
  if (status !== 0 && status !== 1) throw new Error(`llmops eval exited ${status}`);
  const outcome = JSON.parse(stdout) as { suites: { suite: string; passed: boolean; summaryPath: string }[]; passed: boolean };

  step("4. Summary");
  const lines: string[] = [];
  for (const suite of outcome.suites) {
    const summary = runSummarySchema.parse(JSON.parse(readFileSync(suite.summaryPath, "utf8")));
    const metric = (name: string) => summary.metrics.find((m) => m.name === name);
    for (const m of summary.metrics) process.stderr.write(`  ${suite.suite} ${m.name} = ${formatNumber(m.mean)} (n=${m.n})\n`);
    for (const gate of summary.gates) process.stderr.write(`  ${suite.suite} ${gate.passed ? "✓" : "✗"} ${gate.description}\n`);
    const passRate = metric("pass_rate");
    const p50 = metric("ttft_ms_p50");
    const p95 = metric("ttft_ms_p95");
    const passed = passRate ? `${formatNumber(passRate.mean)} (${Math.round(passRate.mean * passRate.n)}/${passRate.n} cases)` : "—";
    lines.push(
      `${suite.suite}: ${suite.passed ? "passed" : "FAILED"}, pass rate ${passed}, ` +
        `ttft p50 ${p50 ? formatNumber(p50.mean) : "—"} ms, p95 ${p95 ? formatNumber(p95.mean) : "—"} ms`,
    );
  }
  lines.push(`verdict: ${outcome.passed ? "pass" : "fail"}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  process.stderr.write(`\nresults: ${show(results)}\n`);
  if (!outcome.passed) exitCode = 1;
} catch (error) {
  process.stderr.write(`demo:agent: ${error instanceof Error ? error.message : String(error)}\n`);
  exitCode = 3;
} finally {
  // close() rejects when a request or response broke OpenAI's published API description.
  await server.close().catch((error: unknown) => {
    process.stderr.write(`demo:agent: ${error instanceof Error ? error.message : String(error)}\n`);
    exitCode = 3;
  });
}
process.exit(exitCode);

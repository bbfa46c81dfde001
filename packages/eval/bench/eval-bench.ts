// Benchmark of the eval runner.
//
// Runner row (issue #4): 2,000 cases against the local OpenAI-compatible test server at 50 ms
// latency with concurrency 50. Prints the cold wall time against the ideal
// N × latency / concurrency (target <= 1.15x), the peak RSS, and a warm re-run served from the
// response cache (target: zero provider calls, under 1 s). As a baseline measured in the same run,
// a bare fetch loop with the same concurrency against the same server shows what the machine
// allows (on a loaded machine the server itself is slower than the ideal).
//
// Scale row (issue #9): peak RSS of a whole eval at 200,000 cases against the same eval at
// 20,000 cases (server at 1 ms latency, response cache off), each in a fresh child process that
// reports its own `process.resourceUsage().maxRSS` at exit. Target: ratio <= 1.5x, i.e. memory
// does not grow with the number of case results. Measured twice: through `evaluate()` (the
// library, no renderers) and through the `llmops eval` binary (which also writes junit.xml and
// summary.md). For evaluate() it also prints the peak reached once the cases were loaded, before
// the first call: what loading the cases costs, apart from what running them costs.
//
// Streaming row (issue #15): 2,000 cases with `stream: true` against the same server streaming
// each reply as 21 SSE deltas: the first 50 ms after the request, then 20 more 5 ms apart (50 ms
// to first token, then 20 tokens at 5 ms). Concurrency 50. Ideal wall time:
// ceil(2000 / 50) × (50 + 20 × 5) ms = 6,000 ms, target <= 1.15x; and the median time to first
// token the runner measured (the summary's ttft_ms_p50) against the configured 50 ms, target
// within 5 ms. A bare streaming fetch loop at the same concurrency is the measured baseline.
//
// Agent row (issue #15): 500 cases, each an agent run of 3 model calls: the server answers with a
// tool call while the conversation has fewer than 2 tool-calling turns (`toolTurns: 2`), then with
// text; the runner answers each call from the case's `toolResults` fixture. Every call waits the
// server's configured latency (50 ms). Ideal wall time: latency × 3 turns × ceil(500 / 50) =
// 1,500 ms, target <= 1.2x.
//
// Targets print PASS or FAIL; a missed target never changes the exit code (errors do).
//
// Run: node_modules/.bin/node packages/eval/bench/eval-bench.ts [--only runner|scale|streaming|agent[,...]]
//   [--cases 2000] [--latency 50] [--concurrency 50]
//   [--scale-small 20000] [--scale-large 200000] [--scale-latency 1] [--scale-via both|evaluate|cli]
//   [--scale-runs 1] (the median of several runs: the peak varies with GC timing on a busy machine)
//   [--scale-control] (also the small suite with repeats, as many calls as the large one: what the
//   run's length alone costs, with the cases of the small one)
//   [--stream-cases 2000] [--stream-ttft 50] [--stream-tokens 20] [--stream-inter-token 5]
//   [--agent-cases 500] [--agent-latency 50] [--agent-tool-turns 2]

import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { getHeapSpaceStatistics } from "node:v8";
import { silentLogger } from "@llmops/core";
import { evaluate } from "../src/index.ts";

const BENCH = fileURLToPath(import.meta.url);
const SERVER_SCRIPT = fileURLToPath(new URL("../../../test/src/openai-server.ts", import.meta.url));
const CLI_BIN = fileURLToPath(new URL("../../cli/bin/llmops.js", import.meta.url));
/** Preloaded into a measured child: reports its peak RSS (KiB) on stderr as it exits. */
const REPORT_RSS =
  'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>writeSync(2,"\\nllmops-bench-maxrss "+process.resourceUsage().maxRSS+"\\n"));';

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    cases: { type: "string", default: "2000" },
    latency: { type: "string", default: "50" },
    concurrency: { type: "string", default: "50" },
    "scale-small": { type: "string", default: "20000" },
    "scale-large": { type: "string", default: "200000" },
    "scale-latency": { type: "string", default: "1" },
    "scale-via": { type: "string", default: "both" },
    "scale-runs": { type: "string", default: "1" },
    "scale-control": { type: "boolean", default: false },
    "stream-cases": { type: "string", default: "2000" },
    "stream-ttft": { type: "string", default: "50" },
    "stream-tokens": { type: "string", default: "20" },
    "stream-inter-token": { type: "string", default: "5" },
    "agent-cases": { type: "string", default: "500" },
    "agent-latency": { type: "string", default: "50" },
    "agent-tool-turns": { type: "string", default: "2" },
    // Internal: the measured child of the scale row runs `evaluate()` in this directory.
    child: { type: "string" },
  },
});

if (values.child) await child(values.child);
else await main();

interface Server {
  url: string;
  requests(): Promise<number>;
  /** Contract violations the server recorded (requests or responses outside OpenAI's API description). */
  violations(): Promise<number>;
  /** CPU time (user + system, ms) the server process has used, from /proc; null where there is none. */
  cpuMs(): number | null;
  close(): Promise<void>;
}

/** CPU time (user + system, ms) of a process, from /proc/<pid>/stat (Linux); null elsewhere. */
function processCpuMs(pid: number | undefined, clockTicks: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1000;
  } catch {
    return null;
  }
}

/**
 * The server runs in its own process so its CPU time is not charged to the runner's event loop
 * (a real model server is another machine; a worker thread would also add its heap to this
 * process's RSS); a `count` line on its stdin answers how many requests it received.
 */
async function startServer(latencyMs: number, extra: Record<string, unknown> = {}): Promise<Server> {
  const ticks = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout);
  const clockTicks = Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  const server = spawn(process.execPath, [SERVER_SCRIPT, JSON.stringify({ latencyMs, ...extra })], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: server.stdout! })[Symbol.asyncIterator]();
  const readLine = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("the test server exited");
    return line.value;
  };
  return {
    url: await readLine(),
    requests: async () => {
      server.stdin!.write("count\n");
      return Number(await readLine());
    },
    violations: async () => {
      server.stdin!.write("violations\n");
      return Number(await readLine());
    },
    cpuMs: () => processCpuMs(server.pid, clockTicks),
    close: async () => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    },
  };
}

/** A suite directory: `cases` JSONL cases the echo server answers, two scorers, a slice key and a gate. */
async function writeSuite(dir: string, url: string, cases: number, concurrency: number, repeats = 1): Promise<void> {
  const caseLines = Array.from({ length: cases }, (_, i) =>
    JSON.stringify({ id: `case-${i}`, vars: { text: `item ${i}` }, expected: `Echo: item ${i}`, tags: { bucket: String(i % 4) } }),
  );
  await writeFile(join(dir, "cases.jsonl"), `${caseLines.join("\n")}\n`);
  await writeFile(
    join(dir, "llmops.yaml"),
    [
      "suites:",
      "  - name: bench",
      `    provider: { type: openai, baseUrl: "${url}", model: bench-model, apiKeyEnv: null }`,
      '    prompt: "Echo: {{text}}"',
      "    casesFrom: cases.jsonl",
      "    scorers: [{ type: equals, name: exact }, { type: contains, name: mentions, value: item }]",
      "    slices: [bucket]",
      "    gates: [{ metric: exact, min: 0.9 }]",
      `    concurrency: ${concurrency}`,
      ...(repeats > 1 ? [`    repeats: ${repeats}`] : []),
      "",
    ].join("\n"),
  );
}

async function main(): Promise<void> {
  const rows = values.only ? new Set(values.only.split(",").map((row) => row.trim())) : null;
  const wanted = (row: string) => rows === null || rows.has(row);
  if (wanted("runner")) await runnerRow();
  if (wanted("scale")) await scaleRow();
  if (wanted("streaming")) await streamingRow();
  if (wanted("agent")) await agentRow();
}

/**
 * Where the run's time went besides waiting: CPU of this process (the runner) and of the server
 * process over the run. On a machine with fewer free cores than these need, the wall time
 * cannot reach the ideal whatever the runner does.
 */
function cpuLine(runner: NodeJS.CpuUsage, serverBefore: number | null, serverAfter: number | null, wallMs: number): string {
  const runnerMs = (runner.user + runner.system) / 1000;
  const serverMs = serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : null;
  return `CPU          runner ${runnerMs.toFixed(0)} ms (${((runnerMs / wallMs) * 100).toFixed(0)}% of a core)${serverMs === null ? "" : `, server ${serverMs.toFixed(0)} ms (${((serverMs / wallMs) * 100).toFixed(0)}% of a core)`} over ${wallMs.toFixed(0)} ms`;
}

function verdict(passed: boolean): string {
  return passed ? "PASS" : "FAIL";
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `words` words: the server streams each as one delta (test/src/openai-server.ts splitTokens). */
function wordsReply(words: number): string {
  return Array.from({ length: words }, (_, i) => `w${i}`).join(" ");
}

async function streamingRow(): Promise<void> {
  const cases = Number(values["stream-cases"]);
  const ttftMs = Number(values["stream-ttft"]);
  const tokens = Number(values["stream-tokens"]);
  const interTokenMs = Number(values["stream-inter-token"]);
  const concurrency = Number(values.concurrency);
  // The first delta, then `tokens` more: the last one `tokens × interTokenMs` after the first.
  const server = await startServer(0, { ttftMs, interTokenMs, reply: wordsReply(tokens + 1) });
  const dir = await mkdtemp(join(tmpdir(), "llmops-eval-stream-"));
  try {
    const caseLines = Array.from({ length: cases }, (_, i) => JSON.stringify({ id: `case-${i}`, vars: { text: `item ${i}` } }));
    await writeFile(join(dir, "cases.jsonl"), `${caseLines.join("\n")}\n`);
    await writeFile(
      join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: bench-stream",
        `    provider: { type: openai, baseUrl: "${server.url}", model: bench-model, apiKeyEnv: null, stream: true }`,
        '    prompt: "Stream {{text}}"',
        "    casesFrom: cases.jsonl",
        "    scorers: [{ type: contains, name: streamed, value: w0 }]",
        `    gates: [{ metric: ttft_ms, max: ${ttftMs * 6} }]`,
        `    concurrency: ${concurrency}`,
        "",
      ].join("\n"),
    );

    // Baseline: the same streamed requests read to the end with bare fetch, same concurrency.
    let next = 0;
    const bareTtft: number[] = [];
    const bareStarted = performance.now();
    const bare = async () => {
      while (next < cases) {
        const i = next++;
        const sent = performance.now();
        const response = await fetch(`${server.url}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "baseline", stream: true, messages: [{ role: "user", content: `baseline ${i}` }] }),
        });
        const reader = response.body!.getReader();
        let first = true;
        for (;;) {
          const { done } = await reader.read();
          if (done) break;
          if (first) bareTtft.push(performance.now() - sent);
          first = false;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, bare));
    const bareMs = performance.now() - bareStarted;

    const before = await server.requests();
    const serverCpu = server.cpuMs();
    const runnerCpu = process.cpuUsage();
    const started = performance.now();
    const result = await evaluate({ cwd: dir, env: {}, logger: silentLogger, cache: false });
    const ms = performance.now() - started;
    const cpu = cpuLine(process.cpuUsage(runnerCpu), serverCpu, server.cpuMs(), ms);
    const calls = (await server.requests()) - before;
    const violations = await server.violations();
    const summary = result.suites[0]!.summary;
    const metric = (name: string) => summary.metrics.find((m) => m.name === name);
    const ideal = Math.ceil(cases / concurrency) * (ttftMs + tokens * interTokenMs);
    const ratio = ms / ideal;
    const medianTtft = metric("ttft_ms_p50")?.mean ?? Number.NaN;
    const off = medianTtft - ttftMs;
    console.log(
      `eval streaming: ${cases} cases, ${ttftMs} ms to first token then ${tokens} tokens at ${interTokenMs} ms, concurrency ${concurrency}`,
    );
    console.log(
      `  bare fetch   ${bareMs.toFixed(0)} ms, median TTFT ${median(bareTtft).toFixed(1)} ms (baseline: the same streams without the runner) ratio to ideal ${(bareMs / ideal).toFixed(3)}x`,
    );
    console.log(
      `  run          ${ms.toFixed(0)} ms (ideal ${ideal} ms = ceil(${cases}/${concurrency}) x (${ttftMs} + ${tokens} x ${interTokenMs})) ratio ${ratio.toFixed(3)}x  [target <= 1.15x] ${verdict(ratio <= 1.15)}  vs bare fetch ${(ms / bareMs).toFixed(3)}x  provider calls ${calls}`,
    );
    console.log(
      `  TTFT median  ${medianTtft.toFixed(1)} ms vs configured ${ttftMs} ms: ${off >= 0 ? "+" : ""}${off.toFixed(1)} ms  [target within 5 ms] ${verdict(Math.abs(off) <= 5)}  (p95 ${metric("ttft_ms_p95")?.mean.toFixed(1)} ms, mean ${metric("ttft_ms")?.mean.toFixed(1)} ms, n=${metric("ttft_ms")?.n})`,
    );
    console.log(
      `  tokens/s     ${metric("tokens_per_second")?.mean.toFixed(1)} (mean)  passed=${summary.passed} errors=${summary.errors} pass_rate=${metric("pass_rate")?.mean}  contract violations ${violations}`,
    );
    console.log(`  ${cpu}`);
    if (calls !== cases || summary.errors !== 0 || violations !== 0) process.exitCode = 1;
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function agentRow(): Promise<void> {
  const cases = Number(values["agent-cases"]);
  const latencyMs = Number(values["agent-latency"]);
  const toolTurns = Number(values["agent-tool-turns"]);
  const concurrency = Number(values.concurrency);
  const turns = toolTurns + 1;
  const server = await startServer(latencyMs, { toolTurns, reply: "done" });
  const dir = await mkdtemp(join(tmpdir(), "llmops-eval-agent-"));
  try {
    const caseLines = Array.from({ length: cases }, (_, i) =>
      JSON.stringify({
        id: `case-${i}`,
        vars: { text: `order ${i}` },
        expected: "done",
        toolResults: [{ name: "lookup", result: { status: "shipped", order: i } }],
      }),
    );
    await writeFile(join(dir, "cases.jsonl"), `${caseLines.join("\n")}\n`);
    await writeFile(
      join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: bench-agent",
        "    provider:",
        "      type: openai",
        `      baseUrl: "${server.url}"`,
        "      model: bench-model",
        "      apiKeyEnv: null",
        "      tools:",
        "        - name: lookup",
        "          description: Looks an order up.",
        "          parameters: { type: object, properties: { id: { type: string } }, required: [id] }",
        '    prompt: "Where is {{text}}?"',
        "    casesFrom: cases.jsonl",
        `    agent: { maxTurns: ${turns + 2} }`,
        "    scorers:",
        `      - { type: trajectory, name: trajectory, steps: [${Array.from({ length: toolTurns }, () => "lookup").join(", ")}] }`,
        "      - { type: finish-reason, name: finished, value: stop }",
        "      - { type: equals, name: answer }",
        `    concurrency: ${concurrency}`,
        "",
      ].join("\n"),
    );

    // Baseline: the same conversations with bare fetch, same concurrency: each tool call answered
    // with the same result and the conversation sent back until the model answers.
    const tool = {
      type: "function",
      function: { name: "lookup", parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } },
    };
    let next = 0;
    let bareCalls = 0;
    const bareStarted = performance.now();
    const bare = async () => {
      while (next < cases) {
        const i = next++;
        const messages: Record<string, unknown>[] = [{ role: "user", content: `Where is order ${i}?` }];
        for (let turn = 0; turn < turns + 2; turn++) {
          const response = await fetch(`${server.url}/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ model: "baseline", messages, tools: [tool] }),
          });
          bareCalls++;
          const message = ((await response.json()) as { choices: { message: { tool_calls?: { id: string }[] } }[] }).choices[0]!.message;
          if (!message.tool_calls?.length) break;
          messages.push(message);
          for (const call of message.tool_calls) {
            messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify({ status: "shipped", order: i }) });
          }
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, bare));
    const bareMs = performance.now() - bareStarted;

    const before = await server.requests();
    const serverCpu = server.cpuMs();
    const runnerCpu = process.cpuUsage();
    const started = performance.now();
    const result = await evaluate({ cwd: dir, env: {}, logger: silentLogger, cache: false });
    const ms = performance.now() - started;
    const cpu = cpuLine(process.cpuUsage(runnerCpu), serverCpu, server.cpuMs(), ms);
    const calls = (await server.requests()) - before;
    const violations = await server.violations();
    const summary = result.suites[0]!.summary;
    const ideal = latencyMs * turns * Math.ceil(cases / concurrency);
    const ratio = ms / ideal;
    console.log(
      `eval agent: ${cases} cases x ${turns} model calls (${toolTurns} tool turns, then an answer), ${latencyMs} ms per call, concurrency ${concurrency}`,
    );
    console.log(
      `  bare fetch   ${bareMs.toFixed(0)} ms, ${bareCalls} calls (baseline: the same conversations without the runner) ratio to ideal ${(bareMs / ideal).toFixed(3)}x`,
    );
    console.log(
      `  run          ${ms.toFixed(0)} ms (ideal ${ideal} ms = ${latencyMs} x ${turns} x ceil(${cases}/${concurrency})) ratio ${ratio.toFixed(3)}x  [target <= 1.2x] ${verdict(ratio <= 1.2)}  vs bare fetch ${(ms / bareMs).toFixed(3)}x  provider calls ${calls} (expected ${cases * turns})`,
    );
    const metric = (name: string) => summary.metrics.find((m) => m.name === name)?.mean;
    console.log(
      `  passed=${summary.passed} errors=${summary.errors} pass_rate=${metric("pass_rate")} trajectory=${metric("trajectory")} finished=${metric("finished")}  contract violations ${violations}`,
    );
    console.log(`  ${cpu}`);
    if (calls !== cases * turns || summary.errors !== 0 || violations !== 0) process.exitCode = 1;
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function runnerRow(): Promise<void> {
  const cases = Number(values.cases);
  const latencyMs = Number(values.latency);
  const concurrency = Number(values.concurrency);
  const server = await startServer(latencyMs);
  const dir = await mkdtemp(join(tmpdir(), "llmops-eval-bench-"));
  try {
    await writeSuite(dir, server.url, cases, concurrency);
    const run = async () => {
      const before = await server.requests();
      const started = performance.now();
      const result = await evaluate({ cwd: dir, env: {}, logger: silentLogger });
      const ms = performance.now() - started;
      return { ms, calls: (await server.requests()) - before, result };
    };

    // Baseline: the same number of chat requests, bare fetch, same concurrency, no runner.
    let next = 0;
    const rawStarted = performance.now();
    const bare = async () => {
      while (next < cases) {
        const i = next++;
        const response = await fetch(`${server.url}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "baseline", messages: [{ role: "user", content: `baseline ${i}` }] }),
        });
        await response.text();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, bare));
    const rawMs = performance.now() - rawStarted;

    const cold = await run();
    const ideal = (cases * latencyMs) / concurrency;
    const warm = await run();
    const rssMiB = process.resourceUsage().maxRSS / 1024;
    const summary = cold.result.suites[0]!.summary;
    console.log(`eval bench: ${cases} cases, ${latencyMs} ms latency, concurrency ${concurrency}`);
    console.log(`  bare fetch   ${rawMs.toFixed(0)} ms (baseline: the same requests without the runner)`);
    console.log(
      `  cold run     ${cold.ms.toFixed(0)} ms (ideal ${ideal.toFixed(0)} ms) ratio ${(cold.ms / ideal).toFixed(3)}x  [target <= 1.15x]  vs bare fetch ${(cold.ms / rawMs).toFixed(3)}x  provider calls ${cold.calls}`,
    );
    console.log(`  warm re-run  ${warm.ms.toFixed(0)} ms  provider calls ${warm.calls}  [target: 0 calls, < 1000 ms]`);
    console.log(`  peak RSS     ${rssMiB.toFixed(0)} MiB`);
    console.log(
      `  passed=${summary.passed} errors=${summary.errors} pass_rate=${summary.metrics.find((m) => m.name === "pass_rate")?.mean}`,
    );
    if (cold.calls !== cases || warm.calls !== 0 || summary.errors !== 0) process.exitCode = 1;
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The measured process of the scale row: one eval through the library, then its outcome as JSON,
 * with the peak RSS reached by the time every case was loaded and prepared (before any call).
 */
async function child(dir: string): Promise<void> {
  let preparedKiB = 0;
  let preparedYoungKiB = 0;
  const result = await evaluate({
    cwd: dir,
    env: {},
    logger: silentLogger,
    cache: false,
    onPrepared: () => {
      preparedKiB = process.resourceUsage().maxRSS;
      preparedYoungKiB = youngGenerationKiB();
    },
  });
  const summary = result.suites[0]!.summary;
  const youngKiB = youngGenerationKiB();
  process.stdout.write(
    `${JSON.stringify({ cases: summary.cases, errors: summary.errors, passed: summary.passed, preparedKiB, preparedYoungKiB, youngKiB })}\n`,
  );
}

/**
 * The size V8 gives its young generation now (new space, KiB): it grows with how much survives
 * its scavenges over the process's life, up to a fixed limit, and stays grown; a long run reaches
 * the limit whatever its cases, so it is reported apart from them.
 */
function youngGenerationKiB(): number {
  return getHeapSpaceStatistics()
    .filter((space) => space.space_name === "new_space" || space.space_name === "new_large_object_space")
    .reduce((sum, space) => sum + space.space_size / 1024, 0);
}

interface Measured {
  ms: number;
  maxRssMiB: number;
  /** Peak RSS once the cases were loaded (evaluate() only). */
  preparedMiB?: number;
  /** V8's young generation once the cases were loaded, and at the end (evaluate() only). */
  preparedYoungMiB?: number;
  youngMiB?: number;
  cases: number;
  errors: number;
}

/** Runs one eval of `cases` cases in a fresh child process and reads its peak RSS. */
async function measure(via: "evaluate" | "cli", server: Server, cases: number, concurrency: number, repeats = 1): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-eval-scale-"));
  try {
    await writeSuite(dir, server.url, cases, concurrency, repeats);
    const args = via === "cli" ? [CLI_BIN, "eval", "--no-cache", "--json"] : [BENCH, "--child", dir];
    const started = performance.now();
    const proc = spawn(process.execPath, ["--import", REPORT_RSS, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => proc.on("exit", (c) => resolve(c)));
    const ms = performance.now() - started;
    const rss = /llmops-bench-maxrss (\d+)/.exec(stderr);
    if (!rss || (code !== 0 && code !== 1)) throw new Error(`scale child (${via}, ${cases} cases) exited ${code}: ${stderr.trim()}`);
    const maxRssMiB = Number(rss[1]) / 1024;
    if (via === "cli") {
      const out = JSON.parse(stdout) as { suites: { metrics: { error_rate?: number } }[] };
      return { ms, maxRssMiB, cases, errors: out.suites[0]?.metrics.error_rate === 0 ? 0 : 1 };
    }
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
      cases: number;
      errors: number;
      preparedKiB: number;
      preparedYoungKiB: number;
      youngKiB: number;
    };
    return {
      ms,
      maxRssMiB,
      preparedMiB: out.preparedKiB / 1024,
      preparedYoungMiB: out.preparedYoungKiB / 1024,
      youngMiB: out.youngKiB / 1024,
      cases: out.cases,
      errors: out.errors,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The run with the median peak RSS of `runs` fresh runs (the peak varies with GC timing on a busy machine). */
async function measureMedian(via: "evaluate" | "cli", server: Server, cases: number, concurrency: number, runs: number, repeats = 1) {
  const all: Measured[] = [];
  for (let i = 0; i < runs; i++) all.push(await measure(via, server, cases, concurrency, repeats));
  all.sort((a, b) => a.maxRssMiB - b.maxRssMiB);
  return { median: all[Math.floor((all.length - 1) / 2)]!, all };
}

function mib(value: number): string {
  return `${value.toFixed(0)} MiB`;
}

async function scaleRow(): Promise<void> {
  const small = Number(values["scale-small"]);
  const large = Number(values["scale-large"]);
  const latencyMs = Number(values["scale-latency"]);
  const concurrency = Number(values.concurrency);
  const runs = Math.max(1, Number(values["scale-runs"]));
  const vias = values["scale-via"] === "both" ? (["evaluate", "cli"] as const) : [values["scale-via"] as "evaluate" | "cli"];
  const server = await startServer(latencyMs);
  try {
    console.log(
      `eval scale: peak RSS at ${large} vs ${small} cases, ${latencyMs} ms latency, concurrency ${concurrency}, no response cache${runs > 1 ? `, median of ${runs} runs` : ""}`,
    );
    for (const via of vias) {
      const a = await measureMedian(via, server, small, concurrency, runs);
      const b = await measureMedian(via, server, large, concurrency, runs);
      const label = via === "cli" ? "llmops eval" : "evaluate()";
      const range = (m: { all: Measured[] }) => (runs > 1 ? ` [${m.all.map((x) => x.maxRssMiB.toFixed(0)).join(", ")}]` : "");
      console.log(
        `  ${label.padEnd(12)} ${small} cases ${mib(a.median.maxRssMiB)}${range(a)} (${(a.median.ms / 1000).toFixed(1)} s)  ${large} cases ${mib(b.median.maxRssMiB)}${range(b)} (${(b.median.ms / 1000).toFixed(1)} s)  ratio ${(b.median.maxRssMiB / a.median.maxRssMiB).toFixed(2)}x  [target <= 1.5x]`,
      );
      if (a.median.preparedMiB !== undefined && b.median.preparedMiB !== undefined) {
        // Where the peak is reached: loading and preparing the cases, or running them.
        console.log(
          `  ${"".padEnd(12)} of which peak once cases were loaded: ${mib(a.median.preparedMiB)} and ${mib(b.median.preparedMiB)} (ratio ${(b.median.preparedMiB / a.median.preparedMiB).toFixed(2)}x); growth while running: ${mib(a.median.maxRssMiB - a.median.preparedMiB)} and ${mib(b.median.maxRssMiB - b.median.preparedMiB)}`,
        );
        // Much of a long run's growth is V8 enlarging its young generation (which a longer run of
        // the same cases does too), not memory held per case.
        console.log(
          `  ${"".padEnd(12)} V8 young generation once loaded -> at the end: ${mib(a.median.preparedYoungMiB ?? 0)} -> ${mib(a.median.youngMiB ?? 0)} and ${mib(b.median.preparedYoungMiB ?? 0)} -> ${mib(b.median.youngMiB ?? 0)}`,
        );
      }
      let control: Measured[] = [];
      if (values["scale-control"] && large % small === 0) {
        // The small suite run as long as the large one: a peak near the large one's is the run's length, not its cases.
        const c = await measureMedian(via, server, small, concurrency, runs, large / small);
        control = c.all;
        console.log(
          `  ${"".padEnd(12)} control: ${small} cases x ${large / small} repeats ${mib(c.median.maxRssMiB)}${range(c)} (${(c.median.ms / 1000).toFixed(1)} s)  ratio to ${small} cases ${(c.median.maxRssMiB / a.median.maxRssMiB).toFixed(2)}x`,
        );
      }
      if ([...a.all, ...b.all, ...control].some((m) => m.errors !== 0)) process.exitCode = 1;
    }
  } finally {
    await server.close();
  }
}

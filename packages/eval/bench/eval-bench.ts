// Benchmark of the eval runner (issue #4): 2,000 cases against the local OpenAI-compatible test
// server at 50 ms latency with concurrency 50. Prints the cold wall time against the ideal
// N × latency / concurrency (target <= 1.15x), the peak RSS, and a warm re-run served from the
// response cache (target: zero provider calls, under 1 s). As a baseline measured in the same run,
// a bare fetch loop with the same concurrency against the same server shows what the machine
// allows (on a loaded machine the server itself is slower than the ideal).
// Run: node_modules/.bin/node packages/eval/bench/eval-bench.ts [--cases 2000] [--latency 50] [--concurrency 50]

import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { silentLogger } from "@llmops/core";
import { evaluate } from "../src/index.ts";

await main();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: "string", default: "2000" },
      latency: { type: "string", default: "50" },
      concurrency: { type: "string", default: "50" },
    },
  });
  const cases = Number(values.cases);
  const latencyMs = Number(values.latency);
  const concurrency = Number(values.concurrency);

  // The server runs in its own process so its CPU time is not charged to the runner's event loop
  // (a real model server is another machine; a worker thread would also add its heap to this
  // process's RSS); a `count` line on its stdin answers how many requests it received.
  const serverScript = fileURLToPath(new URL("../../../test/src/openai-server.ts", import.meta.url));
  const child = spawn(process.execPath, [serverScript, JSON.stringify({ latencyMs })], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const readLine = async () => {
    const line = await lines.next();
    if (line.done) throw new Error("the test server exited");
    return line.value;
  };
  const server = {
    url: await readLine(),
    requests: async () => {
      child.stdin!.write("count\n");
      return Number(await readLine());
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
  const dir = await mkdtemp(join(tmpdir(), "llmops-eval-bench-"));
  try {
    const caseLines = Array.from({ length: cases }, (_, i) =>
      JSON.stringify({ id: `case-${i}`, vars: { text: `item ${i}` }, expected: `Echo: item ${i}`, tags: { bucket: String(i % 4) } }),
    );
    await writeFile(join(dir, "cases.jsonl"), `${caseLines.join("\n")}\n`);
    await writeFile(
      join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: bench",
        `    provider: { type: openai, baseUrl: "${server.url}", model: bench-model, apiKeyEnv: null }`,
        '    prompt: "Echo: {{text}}"',
        "    casesFrom: cases.jsonl",
        "    scorers: [{ type: equals, name: exact }, { type: contains, name: mentions, value: item }]",
        "    slices: [bucket]",
        "    gates: [{ metric: exact, min: 0.9 }]",
        `    concurrency: ${concurrency}`,
        "",
      ].join("\n"),
    );
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

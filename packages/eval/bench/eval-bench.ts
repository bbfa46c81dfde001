// Benchmark of the eval runner (issue #4): 2,000 cases against the local OpenAI-compatible test
// server at 50 ms latency with concurrency 50. Prints the cold wall time against the ideal
// N × latency / concurrency (target <= 1.15x), the peak RSS, and a warm re-run served from the
// response cache (target: zero provider calls, under 1 s). As a baseline measured in the same run,
// a bare fetch loop with the same concurrency against the same server shows what the machine
// allows (on a loaded machine the server itself is slower than the ideal).
// Run: node_modules/.bin/node packages/eval/bench/eval-bench.ts [--cases 2000] [--latency 50] [--concurrency 50]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { silentLogger } from "@llmops/core";
import { startOpenAIServer } from "../../../test/src/openai-server.ts";
import { evaluate } from "../src/index.ts";

// The server runs in a worker thread so its CPU time is not charged to the runner's event loop
// (a real model server is another machine); messages report how many requests it received.
if (!isMainThread) {
  const server = await startOpenAIServer({ latencyMs: (workerData as { latencyMs: number }).latencyMs });
  parentPort!.on("message", async (message: string) => {
    if (message === "count") parentPort!.postMessage({ count: server.requests.length });
    if (message === "close") {
      await server.close();
      parentPort!.close();
    }
  });
  parentPort!.postMessage({ url: server.url });
}

if (isMainThread) await main();

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

  const worker = new Worker(new URL(import.meta.url), { workerData: { latencyMs } });
  const ask = (message: string) =>
    new Promise<{ url?: string; count?: number }>((resolve) => {
      worker.once("message", resolve);
      if (message) worker.postMessage(message);
    });
  const { url } = await ask("");
  const server = {
    url: url!,
    requests: async () => (await ask("count")).count!,
    close: async () => {
      worker.postMessage("close");
      await new Promise((resolve) => worker.once("exit", resolve));
    },
  };
  const dir = await mkdtemp(join(tmpdir(), "llmops-eval-bench-"));
  try {
    const lines = Array.from({ length: cases }, (_, i) =>
      JSON.stringify({ id: `case-${i}`, vars: { text: `item ${i}` }, expected: `Echo: item ${i}`, tags: { bucket: String(i % 4) } }),
    );
    await writeFile(join(dir, "cases.jsonl"), `${lines.join("\n")}\n`);
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

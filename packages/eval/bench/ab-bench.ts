// `pnpm bench:ab`: `llmops ab analyze` on event logs of 1M and 10M lines.
//
// The logs are JSONL as an event logger writes them, about 85 bytes a line
// (`{"at":"2024-06-01T12:00:00.123Z","variant":"stable","outcome":true,"latency_ms":231}`),
// 10% of events to the canary, generated seeded into a temporary directory. Each measurement is a
// fresh child process that reports its own peak RSS (`process.resourceUsage().maxRSS`) at exit:
//   - `llmops ab analyze FILE --json`, the binary users run (wall time includes Node's start-up);
//   - `analyzeEventLog()`, the library alone, timed inside the child.
// Targets: 10M lines in ≤ 5 s, and peak RSS at 10M / at 1M ≤ 1.3 (memory does not grow with the
// log). Baseline measured in the same run: `wc -l` of the same (page-cached) file, what merely
// reading the bytes and finding the newlines costs. Prints PASS/MISS against the targets; exits 1
// only when an analysis miscounts (a benchmark informs, the tests decide).
//
// Run: node_modules/.bin/node packages/eval/bench/ab-bench.ts [--small 1000000] [--large 10000000]
//   [--runs 1] (median of several runs) [--keep] (leave the logs in the temporary directory)

import { execFileSync, spawn } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { analyzeEventLog } from "../src/ab/index.ts";
import { createRng } from "../src/stats/index.ts";

const BENCH = fileURLToPath(import.meta.url);
const CLI_BIN = fileURLToPath(new URL("../../cli/bin/llmops.js", import.meta.url));
/** Preloaded into a measured child: reports its peak RSS (KiB) on stderr as it exits. */
const REPORT_RSS =
  'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>writeSync(2,"\\nllmops-bench-maxrss "+process.resourceUsage().maxRSS+"\\n"));';
const TARGET_SECONDS = 5;
const TARGET_RSS_RATIO = 1.3;

const { values } = parseArgs({
  options: {
    small: { type: "string", default: "1000000" },
    large: { type: "string", default: "10000000" },
    runs: { type: "string", default: "1" },
    keep: { type: "boolean", default: false },
    // Internal: the measured child of the library row analyses this file.
    child: { type: "string" },
  },
});

if (values.child) await child(values.child);
else await main();

interface Generated {
  file: string;
  lines: number;
  bytes: number;
  canary: number;
}

/** Writes `lines` events, seeded; returns how many went to the canary, to check the analysis against. */
async function generate(file: string, lines: number, seed: number): Promise<Generated> {
  const random = createRng(seed);
  const out = createWriteStream(file);
  let canary = 0;
  const batch: string[] = [];
  const start = Date.UTC(2024, 5, 1, 12);
  for (let i = 0; i < lines; i++) {
    const isCanary = random() < 0.1;
    if (isCanary) canary++;
    const success = random() < (isCanary ? 0.88 : 0.9);
    batch.push(
      `{"at":"${new Date(start + i * 7).toISOString()}","variant":"${isCanary ? "canary" : "stable"}","outcome":${success},"latency_ms":${Math.floor(50 + random() * 900)}}\n`,
    );
    if (batch.length === 20_000 || i === lines - 1) {
      if (!out.write(batch.join(""))) await new Promise((resolve) => out.once("drain", resolve));
      batch.length = 0;
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { file, lines, bytes: (await stat(file)).size, canary };
}

/** The library row's child: one analysis, then its counts and in-process time as JSON. */
async function child(file: string): Promise<void> {
  const started = performance.now();
  const result = await analyzeEventLog(createReadStream(file, { highWaterMark: 1024 * 1024 }), { control: "stable" });
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ms, control: result.control.n, treatment: result.treatment.n })}\n`);
}

interface Measured {
  seconds: number;
  maxRssMiB: number;
  control: number;
  treatment: number;
}

async function measure(via: "cli" | "library", file: string): Promise<Measured> {
  const args = via === "cli" ? [CLI_BIN, "ab", "analyze", file, "--control", "stable", "--json"] : [BENCH, "--child", file];
  const started = performance.now();
  const proc = spawn(process.execPath, ["--import", REPORT_RSS, ...args], {
    env: { PATH: process.env.PATH },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => proc.on("exit", (c) => resolve(c)));
  const wallMs = performance.now() - started;
  const rss = /llmops-bench-maxrss (\d+)/.exec(stderr);
  // Exit 1 is a verdict (the canary is worse here), not a failure of the run.
  if (!rss || (code !== 0 && code !== 1)) throw new Error(`${via} on ${file} exited ${code}: ${stderr.trim()}`);
  const maxRssMiB = Number(rss[1]) / 1024;
  if (via === "cli") {
    const out = JSON.parse(stdout) as { control: { n: number }; treatment: { n: number } };
    return { seconds: wallMs / 1000, maxRssMiB, control: out.control.n, treatment: out.treatment.n };
  }
  const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as { ms: number; control: number; treatment: number };
  return { seconds: out.ms / 1000, maxRssMiB, control: out.control, treatment: out.treatment };
}

function wcSeconds(file: string): number {
  const started = performance.now();
  execFileSync("wc", ["-l", file], { stdio: ["ignore", "pipe", "inherit"] });
  return (performance.now() - started) / 1000;
}

function median<T>(items: T[], key: (t: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as T;
}

async function main(): Promise<void> {
  const small = Number(values.small);
  const large = Number(values.large);
  const runs = Math.max(1, Number(values.runs));
  const dir = await mkdtemp(join(tmpdir(), "llmops-ab-bench-"));
  try {
    const generateStarted = performance.now();
    const logs = [
      await generate(join(dir, `events-${small}.jsonl`), small, 1),
      await generate(join(dir, `events-${large}.jsonl`), large, 2),
    ];
    const b = logs[1] as Generated;
    console.log(
      `ab bench: JSONL event logs of ${small} and ${large} lines (${(b.bytes / b.lines).toFixed(0)} bytes a line, ${(b.bytes / 1e6).toFixed(0)} MB at ${large}), generated in ${((performance.now() - generateStarted) / 1000).toFixed(1)} s${runs > 1 ? `; median of ${runs} runs` : ""}`,
    );
    for (const log of logs) wcSeconds(log.file); // warm the page cache: every row reads cached bytes
    const wc = logs.map((log) =>
      median(
        Array.from({ length: runs }, () => wcSeconds(log.file)),
        (s) => s,
      ),
    );
    const [wcSmall, wcLarge] = wc as [number, number];
    console.log(
      `  wc -l               ${small}: ${wcSmall.toFixed(2)} s   ${large}: ${wcLarge.toFixed(2)} s   (baseline: reading the bytes, finding the newlines)`,
    );
    let miscounted = false;
    for (const via of ["cli", "library"] as const) {
      const results: Measured[] = [];
      for (const log of logs) {
        const all: Measured[] = [];
        for (let r = 0; r < runs; r++) all.push(await measure(via, log.file));
        const m = median(all, (x) => x.seconds);
        if (m.control + m.treatment !== log.lines || m.treatment !== log.canary) miscounted = true;
        results.push(m);
      }
      const [s, l] = results as [Measured, Measured];
      const ratio = l.maxRssMiB / s.maxRssMiB;
      const label = via === "cli" ? "llmops ab analyze" : "analyzeEventLog()";
      console.log(
        `  ${label.padEnd(19)} ${small}: ${s.seconds.toFixed(2)} s, ${s.maxRssMiB.toFixed(0)} MiB   ${large}: ${l.seconds.toFixed(2)} s, ${l.maxRssMiB.toFixed(0)} MiB   ` +
          `[${large} lines ≤ ${TARGET_SECONDS} s: ${l.seconds <= TARGET_SECONDS ? "PASS" : "MISS"}]  RSS ratio ${ratio.toFixed(2)}x [≤ ${TARGET_RSS_RATIO}x: ${ratio <= TARGET_RSS_RATIO ? "PASS" : "MISS"}]  vs wc -l ${(l.seconds / wcLarge).toFixed(1)}x  (${(large / l.seconds / 1e6).toFixed(2)}M lines/s)`,
      );
    }
    if (miscounted) {
      console.log("  MISCOUNT: an analysis did not count every generated event");
      process.exitCode = 1;
    }
    if (values.keep) console.log(`  kept ${dir}`);
  } finally {
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}

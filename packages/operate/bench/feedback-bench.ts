// Benchmark of `llmops feedback ingest` (issue 12: "Ingest streams: 1M events keep RSS ≤ 1.3×
// that of 100k").
//
// Generates feedback files of `--small` and `--large` events (realistic lines of ~300 bytes: half
// with a correction, one in 20 with an email address or a phone number to redact, one in 200 a
// repeated request id, one in 200 a malformed line, two model versions), then ingests each into a
// fresh layout store in its own child process, which reports its peak RSS
// (`process.resourceUsage().maxRSS`) as it exits. Prints wall time, events per second and peak
// RSS of each, and the ratio of the peaks (target ≤ 1.3).
//
// Baselines measured in the same run on the same files: `wc -l` (what reading the bytes costs on
// this machine) and a Node child that only splits lines and JSON.parses them (what any Node
// reader of the file costs, in time and memory, before anything is validated, redacted, deduplicated
// or stored).
//
// Wall time on a shared machine is what the other processes leave; the CPU time (user + system)
// of the child is printed beside it. The peak RSS varies with GC timing on a busy machine:
// `--runs N` ingests each file N times and prints the median.
//
// Run: node packages/operate/bench/feedback-bench.ts [--small 100000] [--large 1000000] [--runs 1]
// [--keep DIR] (`pnpm bench:feedback`). Prints a table; never fails.

import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, open, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { silentLogger } from "@llmops/core";
import { LineSplitter } from "@llmops/eval";
import { openStore } from "@llmops/store";
import { ingestFeedback } from "../src/index.ts";

const BENCH = fileURLToPath(import.meta.url);
const MODEL_CREATED = "2025-01-01T00:00:00Z";

const { values } = parseArgs({
  options: {
    small: { type: "string", default: "100000" },
    large: { type: "string", default: "1000000" },
    keep: { type: "string" },
    runs: { type: "string", default: "1" },
    // Internal: a measured child. `ingest` or `parse`, with the file and the store directory.
    child: { type: "string" },
    file: { type: "string" },
    store: { type: "string" },
  },
});

async function main(): Promise<void> {
  const sizes = [Number(values.small), Number(values.large)];
  const root = values.keep ?? (await mkdtemp(join(tmpdir(), "llmops-feedback-bench-")));
  await mkdir(root, { recursive: true });
  try {
    // Models are versioned with fixed content and time, so every store gets the same digests.
    const models = await versionModels(join(root, "models-probe"));
    process.stdout.write(`feedback ingest benchmark (node ${process.version}, files and stores in ${root})\n\n`);
    const rows: Row[] = [];
    for (const size of sizes) {
      const file = join(root, `feedback-${size}.jsonl`);
      await generate(file, size, models);
      const bytes = (await stat(file)).size;
      const wcStart = performance.now();
      const wc = spawnSync("wc", ["-l", file], { encoding: "utf8" });
      const wcMs = performance.now() - wcStart;
      const parse = await measure("parse", file, "");
      const runs: Measured[] = [];
      for (let run = 0; run < Math.max(1, Number(values.runs)); run++) {
        const storeDir = join(root, `store-${size}`);
        await rm(storeDir, { recursive: true, force: true });
        await versionModels(storeDir);
        runs.push(await measure("ingest", file, storeDir));
        await rm(storeDir, { recursive: true, force: true });
      }
      rows.push({ size, bytes, wcMs, wcLines: Number.parseInt(wc.stdout, 10), parse, ingest: median(runs) });
    }
    print(rows);
  } finally {
    if (!values.keep) await rm(root, { recursive: true, force: true });
  }
}

interface Measured {
  ms: number;
  cpuMs: number;
  maxRssKiB: number;
  detail: string;
}

/** The run with the median peak RSS (its time with it). */
function median(runs: Measured[]): Measured {
  return [...runs].sort((a, b) => a.maxRssKiB - b.maxRssKiB)[Math.floor(runs.length / 2)]!;
}

interface Row {
  size: number;
  bytes: number;
  wcMs: number;
  wcLines: number;
  parse: Measured;
  ingest: Measured;
}

function print(rows: Row[]): void {
  const mb = (kib: number) => `${(kib / 1024).toFixed(0)} MB`;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    "| events | file | wc -l | split + JSON.parse (node) | its peak RSS | ingest (wall) | ingest (CPU) | events/CPU s | ingest peak RSS | result |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.size.toLocaleString("en")} | ${(r.bytes / 1024 / 1024).toFixed(0)} MB | ${s(r.wcMs)} | ${s(r.parse.ms)} | ${mb(r.parse.maxRssKiB)} | ${s(r.ingest.ms)} | ${s(r.ingest.cpuMs)} | ${Math.round(r.size / (r.ingest.cpuMs / 1000)).toLocaleString("en")} | ${mb(r.ingest.maxRssKiB)} | ${r.ingest.detail} |`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n\n`);
  if (rows.length === 2) {
    const [small, large] = rows as [Row, Row];
    const ratio = large.ingest.maxRssKiB / small.ingest.maxRssKiB;
    const parseRatio = large.parse.maxRssKiB / small.parse.maxRssKiB;
    process.stdout.write(
      `peak RSS ${large.size.toLocaleString("en")} / ${small.size.toLocaleString("en")} events: ${ratio.toFixed(2)}x (target <= 1.3x: ${ratio <= 1.3 ? "met" : "NOT met"}); split + parse alone: ${parseRatio.toFixed(2)}x\n`,
    );
    process.stdout.write(
      `CPU time ${large.size.toLocaleString("en")} / ${small.size.toLocaleString("en")}: ${(large.ingest.cpuMs / small.ingest.cpuMs).toFixed(1)}x for ${(large.size / small.size).toFixed(0)}x the events\n`,
    );
  }
}

/** Runs a child of this script and reads its one JSON line. */
async function measure(kind: "ingest" | "parse", file: string, store: string): Promise<Measured> {
  const proc = spawn(process.execPath, [BENCH, "--child", kind, "--file", file, "--store", store], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  const [code] = (await once(proc, "exit")) as [number | null];
  if (code !== 0) throw new Error(`bench child ${kind} exited ${code}`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as Measured;
}

async function child(kind: string, file: string, storeDir: string): Promise<void> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let detail = "";
  if (kind === "parse") {
    let objects = 0;
    const splitter = new LineSplitter((text) => {
      if (text.trim() === "") return;
      try {
        JSON.parse(text);
        objects++;
      } catch {}
    });
    const handle = await open(file, "r");
    const buffer = Buffer.allocUnsafe(256 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      splitter.push(buffer.subarray(0, bytesRead));
    }
    splitter.end();
    await handle.close();
    detail = `${objects} objects`;
  } else {
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(storeDir, "..", `cache-${process.pid}`) });
    const result = await ingestFeedback({ store, dataset: "bench/feedback", events: file, logger: silentLogger, created: MODEL_CREATED });
    const c = result.counts;
    detail = `${result.version?.ref}: ${c.added} added, ${c.duplicates.total} dup, ${c.bad.total} bad, ${c.redactions.total} redacted`;
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, maxRssKiB: process.resourceUsage().maxRSS, detail })}\n`);
}

async function versionModels(storeDir: string): Promise<string[]> {
  const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(storeDir, "..", "cache-models") });
  const refs: string[] = [];
  for (const n of [1, 2]) {
    const dir = join(storeDir, "..", `model-src-${n}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "weights.bin"), `bench model ${n}\n`);
    const version = await store.version({ path: dir, name: "bench/chat", kind: "model", created: MODEL_CREATED });
    refs.push(`bench/chat@${version.digest}`);
  }
  return refs;
}

const TOPICS = ["refund", "password", "invoice", "delivery", "account", "subscription", "warranty", "upgrade"];
const VERBS = ["reset", "cancel", "change", "track", "renew", "close", "download", "transfer"];

/** A deterministic feedback file of `size` non-blank lines. */
async function generate(file: string, size: number, models: string[]): Promise<void> {
  const out = createWriteStream(file);
  let batch = "";
  for (let i = 0; i < size; i++) {
    let line: string;
    if (i % 200 === 199) line = `{"requestId":"broken-${i}","input":`;
    else {
      const id = i % 200 === 99 ? `req-${i - 1}` : `req-${i}`;
      const topic = TOPICS[i % TOPICS.length]!;
      const verb = VERBS[(i >> 3) % VERBS.length]!;
      let input = `Question ${i}: how do I ${verb} my ${topic}? I tried the settings page twice and it did not work.`;
      if (i % 20 === 5) input += ` Reach me at user${i}@example.com.`;
      if (i % 20 === 15) input += ` Call +1 415 555 ${String(1000 + (i % 9000)).padStart(4, "0")}.`;
      const event: Record<string, unknown> = {
        requestId: id,
        input,
        output: `To ${verb} your ${topic}, open Settings and choose ${verb}.`,
        model: models[i % models.length],
        rating: i % 3 === 0 ? "good" : "bad",
        tags: { lang: i % 5 === 0 ? "de" : "en", channel: "web" },
      };
      if (i % 2 === 0) event.correction = `Open Billing, then ${verb} the ${topic} there.`;
      line = JSON.stringify(event);
    }
    batch += `${line}\n`;
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, "drain");
      batch = "";
    }
  }
  out.end(batch);
  await once(out, "finish");
}

// Last, so every declaration above is initialised before either runs.
if (values.child) await child(values.child, values.file!, values.store!);
else await main();

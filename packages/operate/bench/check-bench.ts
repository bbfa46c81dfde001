// `pnpm bench:check`: `checkDataset` (what `llmops check` runs) on synthetic datasets of 100k and 1M cases.
//
// Each dataset is one JSONL file of cases as an eval or fine-tuning set holds them
// (`{"id":"c17","question":"<12-40 words>","answer":"<1-3 words>","label":"pos"}`, about 230 bytes a
// line), words drawn from a 20,000-word vocabulary, generated seeded into a temporary directory, with
// planted findings whose counts the run checks: 1% exact copies of earlier cases, 1% near copies (the
// last word of a 30-word question changed), one e-mail address per 1,000 cases, and 50 cases quoting 13
// words of an eval set of 2,000 cases that every run checks against (`--against`).
// Each measurement is a fresh child process that reports its own peak RSS
// (`process.resourceUsage().maxRSS`) at exit and its in-process time.
// Targets: peak RSS at 1M / at 100k ≤ 1.3 (memory does not grow with the dataset: per case only
// hashes and signatures, spilled to disk), and 1M cases in minutes. Baselines measured in the same
// run on the same (page-cached) file: `wc -l` (reading the bytes) and `sha256sum` (hashing them).
// Prints PASS/MISS against the targets; exits 1 only when a run miscounts a planted finding (a
// benchmark informs, the tests decide).
//
// Run: node_modules/.bin/node packages/operate/bench/check-bench.ts [--small 100000] [--large 1000000] [--keep]

import { execFileSync, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { silentLogger } from "@llmops/core";
import { checkDataset } from "../src/index.ts";

const BENCH = fileURLToPath(import.meta.url);
/** Preloaded into a measured child: reports its peak RSS (KiB) on stderr as it exits. */
const REPORT_RSS =
  'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>writeSync(2,"\\nllmops-bench-maxrss "+process.resourceUsage().maxRSS+"\\n"));';
const TARGET_RSS_RATIO = 1.3;
const TARGET_SECONDS = 300;
const EVAL_CASES = 2000;
const CONTAMINATED = 50;

const { values } = parseArgs({
  options: {
    small: { type: "string", default: "100000" },
    large: { type: "string", default: "1000000" },
    keep: { type: "boolean", default: false },
    // Internal: the measured child checks this directory against --against-dir.
    child: { type: "string" },
    "against-dir": { type: "string" },
  },
});

if (values.child) await child(values.child, values["against-dir"]!);
else await main();

function rng(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(random: () => number, count: number): string[] {
  return Array.from({ length: count }, () => `w${Math.floor(random() * 20_000)}`);
}

interface Planted {
  exact: number;
  near: number;
  emails: number;
  contaminated: number;
}

async function writeLines(file: string, produce: (push: (line: string) => Promise<void>) => Promise<void>): Promise<void> {
  const out = createWriteStream(file);
  const batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    if (!out.write(batch.join(""))) await new Promise((resolve) => out.once("drain", resolve));
    batch.length = 0;
  };
  await produce(async (line) => {
    batch.push(line);
    if (batch.length === 10_000) await flush();
  });
  await flush();
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** The eval set: 2,000 questions of 30 words. */
async function generateEval(dir: string): Promise<string[][]> {
  const random = rng(99);
  const questions = Array.from({ length: EVAL_CASES }, () => words(random, 30));
  await mkdir(dir, { recursive: true });
  await writeLines(join(dir, "eval.jsonl"), async (push) => {
    for (const [i, q] of questions.entries()) await push(`${JSON.stringify({ id: `e${i}`, question: q.join(" "), answer: "x" })}\n`);
  });
  return questions;
}

/** `cases` cases with planted duplicates, near duplicates, e-mail addresses and contamination. */
async function generate(dir: string, cases: number, seed: number, evalQuestions: string[][]): Promise<Planted> {
  const random = rng(seed);
  const planted: Planted = { exact: 0, near: 0, emails: 0, contaminated: 0 };
  // Earlier rows to copy from: a bounded reservoir, so generating does not grow either.
  const reservoir: { question: string[]; answer: string; label: string }[] = [];
  const contaminateEvery = Math.floor(cases / CONTAMINATED);
  await mkdir(dir, { recursive: true });
  await writeLines(join(dir, "train.jsonl"), async (push) => {
    for (let i = 0; i < cases; i++) {
      let row: { question: string[]; answer: string; label: string };
      const roll = random();
      if (i > 1000 && roll < 0.01) {
        row = reservoir[Math.floor(random() * reservoir.length)]!;
        planted.exact++;
      } else if (i > 1000 && roll < 0.02) {
        // The last word changed: 29 of 31 shingles shared (J ≈ 0.94), found with probability > 0.999.
        const original = reservoir[Math.floor(random() * reservoir.length)]!;
        row = { ...original, question: [...original.question.slice(0, -1), `changed${i}`] };
        planted.near++;
      } else {
        row = {
          question: words(random, 30),
          answer: words(random, 1 + Math.floor(random() * 3)).join(" "),
          label: random() < 0.7 ? "pos" : "neg",
        };
        if (i % contaminateEvery === contaminateEvery - 1 && planted.contaminated < CONTAMINATED) {
          row.question.splice(8, 13, ...evalQuestions[planted.contaminated]!.slice(10, 23));
          planted.contaminated++;
        } else if (i % 1000 === 500) {
          row.question.push(`user${i}@example.com`);
          planted.emails++;
        } else if (reservoir.length < 5000) reservoir.push(row);
        else if (random() < 0.01) reservoir[Math.floor(random() * reservoir.length)] = row;
      }
      await push(`${JSON.stringify({ id: `c${i}`, question: row.question.join(" "), answer: row.answer, label: row.label })}\n`);
    }
  });
  return planted;
}

/** The measured child: one check, then its counts and in-process time as JSON. */
async function child(dir: string, againstDir: string): Promise<void> {
  const started = performance.now();
  const result = await checkDataset({
    path: dir,
    logger: silentLogger,
    config: { contamination: { near: false } },
    against: [{ path: againstDir, subject: { ref: "bench/eval:v1", name: "bench/eval" } }],
  });
  const ms = performance.now() - started;
  const entry = (name: string) =>
    result.checks.find((c) => c.name === name) as Record<string, unknown> & { findings: number; kinds: Record<string, number> };
  const duplicates = entry("duplicates");
  process.stdout.write(
    `${JSON.stringify({
      ms,
      cases: result.cases,
      exact: duplicates.kinds.exact,
      near: duplicates.kinds.near,
      comparisons: duplicates.comparisons,
      emails: entry("pii").kinds.email ?? 0,
      contaminated: entry("contamination").findings,
    })}\n`,
  );
}

interface Measured {
  seconds: number;
  maxRssMiB: number;
  cases: number;
  exact: number;
  near: number;
  comparisons: number;
  emails: number;
  contaminated: number;
}

async function measure(dir: string, againstDir: string): Promise<Measured> {
  const proc = spawn(process.execPath, ["--import", REPORT_RSS, BENCH, "--child", dir, "--against-dir", againstDir], {
    env: { PATH: process.env.PATH },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => proc.on("exit", (c) => resolve(c)));
  const rss = /llmops-bench-maxrss (\d+)/.exec(stderr);
  if (!rss || code !== 0) throw new Error(`check of ${dir} exited ${code}: ${stderr.trim()}`);
  const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as Omit<Measured, "seconds" | "maxRssMiB"> & { ms: number };
  return { ...out, seconds: out.ms / 1000, maxRssMiB: Number(rss[1]) / 1024 };
}

function timed(command: string, args: string[]): number {
  const started = performance.now();
  execFileSync(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const sizes = [Number(values.small), Number(values.large)];
  const root = await mkdtemp(join(tmpdir(), "llmops-check-bench-"));
  try {
    const generateStarted = performance.now();
    const evalDir = join(root, "eval");
    const evalQuestions = await generateEval(evalDir);
    const datasets: { dir: string; cases: number; planted: Planted; bytes: number }[] = [];
    for (const [i, cases] of sizes.entries()) {
      const dir = join(root, `train-${cases}`);
      const planted = await generate(dir, cases, i + 1, evalQuestions);
      datasets.push({ dir, cases, planted, bytes: (await stat(join(dir, "train.jsonl"))).size });
    }
    const large = datasets[1]!;
    console.log(
      `check bench: JSONL datasets of ${sizes.join(" and ")} cases (${(large.bytes / large.cases).toFixed(0)} bytes a case, ${(large.bytes / 1e6).toFixed(0)} MB at ${large.cases}), against ${EVAL_CASES} eval cases; generated in ${((performance.now() - generateStarted) / 1000).toFixed(1)} s`,
    );
    const rows: string[] = [];
    let miscounted = false;
    const measured: Measured[] = [];
    for (const dataset of datasets) {
      const file = join(dataset.dir, "train.jsonl");
      timed("wc", ["-l", file]); // warm the page cache: every row reads cached bytes
      const wc = timed("wc", ["-l", file]);
      const sha = timed("sha256sum", [file]);
      const m = await measure(dataset.dir, evalDir);
      measured.push(m);
      const p = dataset.planted;
      // Exact copies are found exactly; near copies (J ≈ 0.9) with probability ≥ 0.99 each.
      const ok =
        m.cases === dataset.cases &&
        m.exact === p.exact &&
        m.near >= 0.97 * p.near &&
        m.near <= p.near &&
        m.emails === p.emails &&
        m.contaminated === p.contaminated;
      if (!ok) miscounted = true;
      rows.push(
        `| ${dataset.cases.toLocaleString("en")} | ${m.seconds.toFixed(1)} s | ${Math.round(dataset.cases / m.seconds).toLocaleString("en")} | ${m.maxRssMiB.toFixed(0)} MiB | ${wc.toFixed(2)} s | ${sha.toFixed(2)} s | ${m.exact}/${p.exact} | ${m.near}/${p.near} | ${m.emails}/${p.emails} | ${m.contaminated}/${p.contaminated} | ${m.comparisons.toLocaleString("en")} | ${ok ? "ok" : "MISCOUNT"} |`,
      );
    }
    console.log("");
    console.log(
      "| cases | check | cases/s | peak RSS | wc -l | sha256sum | exact dups | near dups | e-mails | contaminated | comparisons | counts |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const row of rows) console.log(row);
    const ratio = measured[1]!.maxRssMiB / measured[0]!.maxRssMiB;
    const seconds = measured[1]!.seconds;
    console.log("");
    console.log(
      `peak RSS ${large.cases.toLocaleString("en")} / ${datasets[0]!.cases.toLocaleString("en")}: ${ratio.toFixed(2)} (target ≤ ${TARGET_RSS_RATIO}) ${ratio <= TARGET_RSS_RATIO ? "PASS" : "MISS"}`,
    );
    console.log(
      `time at ${large.cases.toLocaleString("en")}: ${seconds.toFixed(1)} s (target ≤ ${TARGET_SECONDS} s: minutes, not hours) ${seconds <= TARGET_SECONDS ? "PASS" : "MISS"}`,
    );
    if (values.keep) console.log(`datasets kept in ${root}`);
    if (miscounted) {
      console.error("a run miscounted a planted finding");
      process.exitCode = 1;
    }
  } finally {
    if (!values.keep) await rm(root, { recursive: true, force: true });
  }
}

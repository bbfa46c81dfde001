// `pnpm bench:cli-startup`: how long `llmops` takes to start, and how much memory, for commands
// that do little work: the cost users pay on every invocation in a CI step or a terminal.
//
// Each measurement is a fresh `node packages/cli/bin/llmops.js …` child (the binary users run, so
// wall time includes Node's own start-up and the type stripping of every module loaded), which
// reports its peak RSS (`process.resourceUsage().maxRSS`) as it exits. Rows:
//   --help                 the root help (the registry, no command run)
//   version --help         one command's help
//   --version              the version, read from package.json
//   ab analyze FILE        a command that runs: a 2,000-line event log (generated, seeded)
//   schema                 a command that runs: the JSON Schema of llmops.yaml
// Prints the median and the range of wall time and the median peak RSS of each row; informs only
// (exits 1 only when a command exits other than expected).
//
// Run: node_modules/.bin/node packages/cli/bench/startup-bench.ts [--runs 10] [--bin PATH]... [--json]
//   --bin: the llmops.js to measure (default this checkout's); give several for a before/after, e.g.
//   of a `git archive` of an earlier commit: their runs alternate, so load on the machine falls on each alike.

import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** Preloaded into a measured child: reports its peak RSS (KiB) on stderr as it exits. */
const REPORT_RSS =
  'data:text/javascript,import{writeSync}from"node:fs";process.on("exit",()=>writeSync(2,"\\nllmops-bench-maxrss "+process.resourceUsage().maxRSS+"\\n"));';

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    bin: { type: "string", multiple: true },
    json: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs ${values.runs}: expected a whole number >= 1`);
const bins = values.bin?.length ? values.bin.map((bin) => resolve(bin)) : [fileURLToPath(new URL("../bin/llmops.js", import.meta.url))];

interface Row {
  name: string;
  args: string[];
  exit: number;
}

interface Measured {
  name: string;
  bin: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  medianRssMiB: number;
}

/** A small two-variant log: enough to run the whole analysis, too little to weigh on the time. */
function eventLog(lines: number): string {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const treatment = random() < 0.5;
    out.push(`{"variant":"${treatment ? "treatment" : "control"}","outcome":${random() < (treatment ? 0.9 : 0.88)}}`);
  }
  return `${out.join("\n")}\n`;
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One run of `llmops <row.args>` from `bin`: wall time (ms) and peak RSS (MiB). */
function once(bin: string, row: Row, cwd: string): { ms: number; rssMiB: number } {
  const start = performance.now();
  const child = spawnSync(process.execPath, ["--import", REPORT_RSS, bin, ...row.args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CI: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (child.status !== row.exit) {
    process.stderr.write(`${bin} ${row.name}: exit ${child.status} (expected ${row.exit})\n${child.stderr}`);
    process.exit(1);
  }
  return { ms, rssMiB: Number(/llmops-bench-maxrss (\d+)/.exec(child.stderr)?.[1]) / 1024 };
}

function summary(name: string, bin: string, samples: { ms: number; rssMiB: number }[]): Measured {
  const times = samples.map((s) => s.ms).sort((a, b) => a - b);
  const rss = samples.map((s) => s.rssMiB).sort((a, b) => a - b);
  return {
    name,
    bin,
    medianMs: median(times),
    minMs: times[0] as number,
    maxMs: times[times.length - 1] as number,
    medianRssMiB: median(rss),
  };
}

/** `runs` runs of each bin, alternating, after one unmeasured run of each (a warm file system cache). */
function measure(row: Row, cwd: string): Measured[] {
  const samples = bins.map(() => [] as { ms: number; rssMiB: number }[]);
  for (let i = 0; i <= runs; i++) {
    bins.forEach((bin, b) => {
      const sample = once(bin, row, cwd);
      if (i > 0) samples[b]?.push(sample);
    });
  }
  return bins.map((bin, b) => summary(row.name, bin, samples[b] ?? []));
}

const dir = await mkdtemp(join(tmpdir(), "llmops-startup-bench-"));
try {
  await writeFile(join(dir, "events.jsonl"), eventLog(2000));
  const rows: Row[] = [
    { name: "--help", args: ["--help"], exit: 0 },
    { name: "version --help", args: ["version", "--help"], exit: 0 },
    { name: "--version", args: ["--version"], exit: 0 },
    { name: "ab analyze FILE", args: ["ab", "analyze", "events.jsonl"], exit: 0 },
    { name: "schema", args: ["schema"], exit: 0 },
  ];
  const results = rows.flatMap((row) => measure(row, dir));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ bins, node: process.version, runs, results }, null, 2)}\n`);
  } else {
    process.stdout.write(`Node ${process.version}, median of ${runs} runs (after one warm-up)\n`);
    for (const [b, bin] of bins.entries()) process.stdout.write(`  [${b + 1}] ${bin}\n`);
    process.stdout.write(
      `\n${"command".padEnd(18)} ${"bin".padStart(3)} ${"median".padStart(9)} ${"min–max".padStart(16)} ${"peak RSS".padStart(10)}\n`,
    );
    for (const r of results) {
      const range = `${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms`;
      process.stdout.write(
        `${r.name.padEnd(18)} ${`[${bins.indexOf(r.bin) + 1}]`.padStart(3)} ${`${r.medianMs.toFixed(0)} ms`.padStart(9)} ${range.padStart(16)} ${`${r.medianRssMiB.toFixed(1)} MiB`.padStart(10)}\n`,
      );
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

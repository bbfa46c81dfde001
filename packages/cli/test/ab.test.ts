import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { abResultSchema } from "@llmops/eval";
import { afterEach, describe, expect, it } from "vitest";
import { abCommand } from "../src/commands/ab.ts";
import { commands } from "../src/commands/index.ts";
import { runMain } from "./helpers.ts";

const BIN = fileURLToPath(new URL("../bin/llmops.js", import.meta.url));
const NODE = fileURLToPath(new URL("../../../node_modules/node/bin/node", import.meta.url));

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "llmops-ab-cli-"));
  dirs.push(dir);
  return dir;
}

/** `n` events per variant; the first `successes` of each are successes. */
function events(spec: Record<string, [n: number, successes: number]>, field = "outcome"): string {
  const lines: string[] = [];
  const longest = Math.max(...Object.values(spec).map(([n]) => n));
  for (let i = 0; i < longest; i++) {
    for (const [variant, [n, successes]] of Object.entries(spec))
      if (i < n) lines.push(JSON.stringify({ variant, [field]: i < successes }));
  }
  return `${lines.join("\n")}\n`;
}

function llmops(args: string[], cwd: string) {
  // The command is passed in, so this test does not depend on the registry in commands/index.ts.
  return runMain(args, { cwd, env: {}, commands: [abCommand] });
}

describe("llmops ab analyze", () => {
  it("is registered after compare", () => {
    const names = commands.map((c) => c.name);
    expect(names.indexOf("ab")).toBe(names.indexOf("compare") + 1);
  });

  it("fails (exit 1) a clearly worse treatment and prints counts, both intervals and the decision", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "events.jsonl"), events({ stable: [9000, 8100], canary: [1000, 800] }));
    const result = await llmops(["ab", "analyze", "events.jsonl"], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe('events.jsonl: "outcome" by "variant" (proportion)');
    expect(lines[1]).toMatch(
      /^ {2}control {3}stable +n=9000 +0\.9 +anytime-valid \[0\.8\d+, 0\.9\d+\] +fixed-horizon \[0\.8\d+, 0\.9\d+\]$/,
    );
    expect(lines[2]).toMatch(
      /^ {2}treatment canary +n=1000 +0\.8 +anytime-valid \[0\.7\d+, 0\.8\d+\] +fixed-horizon \[0\.7\d+, 0\.8\d+\]$/,
    );
    expect(lines[3]).toMatch(
      /^ {2}difference \(treatment - control\) -0\.1 {2}anytime-valid \[-0\.1\d+, -0\.0\d+\] {2}fixed-horizon \[-0\.1\d+, -0\.0\d+\] \(Newcombe\), p=<0\.001 \(two-proportion z-test\)$/,
    );
    expect(result.stdout).toContain("decision: FAIL (no criterion given: treatment no worse than control)");
    expect(result.stdout).toContain("lines: 10000 read, 10000 events\n");
  });

  it("prints one JSON document with --json that abResultSchema accepts; inconclusive is exit 0", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "events.jsonl"), events({ a: [200, 180], b: [200, 178] }));
    const result = await llmops(["ab", "analyze", "events.jsonl", "--json", "--no-worse-than", "0.01"], dir);
    expect(result.code).toBe(0);
    const document = abResultSchema.parse(JSON.parse(result.stdout));
    expect(document.judgement.status).toBe("inconclusive");
    expect(document.criteria).toMatchObject({ noWorseThan: 0.01, direction: "higher", alpha: 0.05 });
    expect(document.control).toMatchObject({ name: "a", n: 200, successes: 180 });
  });

  it("passes a treatment within max (lower is better by default with --max) and honours the options", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "log.jsonl"), events({ old: [5000, 20], new: [5000, 15] }, "error"));
    const result = await llmops(
      [
        "ab",
        "analyze",
        "log.jsonl",
        "--outcome-field",
        "error",
        "--control",
        "old",
        "--treatment",
        "new",
        "--max",
        "0.02",
        "--alpha",
        "0.1",
        "--json",
      ],
      dir,
    );
    expect(result.code).toBe(0);
    const document = abResultSchema.parse(JSON.parse(result.stdout));
    expect(document.judgement.status).toBe("pass");
    expect(document.criteria).toMatchObject({ direction: "lower", max: 0.02, alpha: 0.1, name: "error" });
    expect(document.treatment.name).toBe("new");
  });

  it("counts and reports bad lines with their numbers, and warns on stderr", async () => {
    const dir = await tempDir();
    const good = events({ a: [20, 10], b: [20, 10] })
      .trimEnd()
      .split("\n");
    good.splice(3, 0, "{not json");
    good.splice(7, 0, '{"variant":"a","outcome":"yes"}');
    await writeFile(path.join(dir, "events.jsonl"), `${good.join("\n")}\n`);
    const result = await llmops(["ab", "analyze", "events.jsonl"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("lines: 42 read, 40 events; skipped 2 bad\n");
    expect(result.stdout).toContain("\n  line 4: not JSON: ");
    expect(result.stdout).toContain('\n  line 8: "outcome" is the string "yes", not a number or boolean');
    expect(result.stderr).toContain("skipped 2 bad lines (first: line 4)");
    const strict = await llmops(["ab", "analyze", "events.jsonl", "--strict"], dir);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^llmops ab analyze: line 4: not JSON: .*\n$/);
  });

  it("keeps terminal control characters from the log out of the text report", async () => {
    const dir = await tempDir();
    const lines = [
      JSON.stringify({ variant: "\u001b[31mred", outcome: 1 }),
      JSON.stringify({ variant: "plain", outcome: 0 }),
      JSON.stringify({ variant: "plain", outcome: "\u001b[2Jboom\nfake line" }),
    ];
    await writeFile(path.join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
    const result = await llmops(["ab", "analyze", "events.jsonl"], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("\u001b");
    expect(result.stdout).toContain("[31mred");
    expect(result.stdout).not.toMatch(/\nfake line/);
  });

  it("exits 2 with one line for input it cannot use", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "bad.jsonl"), "x\ny\n");
    await writeFile(path.join(dir, "three.jsonl"), events({ a: [5, 1], b: [5, 1], c: [5, 1] }));
    const cases: [string[], RegExp][] = [
      [["ab", "analyze", "missing.jsonl"], /^llmops ab analyze: cannot read missing\.jsonl: no such file\n$/],
      [["ab", "analyze", "."], /^llmops ab analyze: cannot read \.: is a directory\n$/],
      [["ab", "analyze", "bad.jsonl"], /^llmops ab analyze: no usable events: all 2 non-blank lines are bad; line 1: not JSON/],
      [
        ["ab", "analyze", "three.jsonl"],
        /3 variants in the log \("a", "b", "c"\): name the two to compare with --control and --treatment\n$/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await llmops(args, dir);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });

  it("--kind mean reads a 0/1 outcome as a mean; --kind proportion refuses other numbers", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "binary.jsonl"), events({ a: [10, 6], b: [10, 4] }));
    const inferred = JSON.parse((await llmops(["ab", "analyze", "binary.jsonl", "--json"], dir)).stdout);
    expect(inferred.kind).toBe("proportion");
    const mean = await llmops(["ab", "analyze", "binary.jsonl", "--kind", "mean", "--json"], dir);
    expect(JSON.parse(mean.stdout)).toMatchObject({ kind: "mean", control: { n: 10, value: 0.6 } });
    await writeFile(path.join(dir, "ratings.jsonl"), '{"variant":"a","outcome":1}\n{"variant":"b","outcome":4}\n');
    const refused = await llmops(["ab", "analyze", "ratings.jsonl", "--kind", "proportion"], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"outcome" is a number other than 0 and 1 on line 2, but the kind is proportion');
  });

  it("exits 2 with usage for bad options", async () => {
    const dir = await tempDir();
    for (const [args, message] of [
      [["ab", "analyze"], "expected the event log"],
      [["ab", "analyze", "x", "--direction", "up"], "--direction up: expected higher or lower"],
      [["ab", "analyze", "x", "--kind", "rate"], "--kind rate: expected proportion or mean"],
      [["ab", "analyze", "x", "--alpha", "2"], "--alpha 2: expected 0 < alpha < 1"],
      [["ab", "analyze", "x", "--no-worse-than=-1"], "--no-worse-than -1: expected a margin >= 0"],
      [["ab", "analyze", "x", "--max", "abc"], "--max abc: expected a number"],
      [["ab", "analyze", "x", "--min", "0.5", "--max", "0.2"], "--min 0.5 is above --max 0.2"],
      [["ab", "frobnicate"], 'unknown ab command "frobnicate"'],
    ] as [string[], string][]) {
      const result = await llmops(args, dir);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain("usage: llmops ab");
    }
  });

  it("reads stdin with -, through the real binary", () => {
    const input = events({ stable: [300, 270], canary: [300, 180] });
    const child = spawnSync(NODE, [BIN, "ab", "analyze", "-", "--json"], { input, encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(1);
    const document = abResultSchema.parse(JSON.parse(child.stdout));
    expect(document.lines.events).toBe(600);
    expect(document.judgement.status).toBe("fail");
  });
});

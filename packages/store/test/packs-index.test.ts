import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { FileIndexError, FileIndexWriter, type IndexEntry, openFileIndex } from "../src/packs/file-index.ts";
import { compileGlob, IncludePatternError, includeMatcher } from "../src/packs/glob.ts";
import { tempDir } from "./helpers.ts";

const sha = (i: number) => createHash("sha256").update(String(i)).digest("hex");
const PACK = { digest: `sha256:${"a".repeat(64)}`, size: 2 ** 40 };

async function collect(path: string): Promise<IndexEntry[]> {
  const reader = await openFileIndex(path, "index");
  const out: IndexEntry[] = [];
  for await (const e of reader.entries()) out.push(e);
  return out;
}

describe("file index", () => {
  it("round-trips entries, header first, lines sorted", async () => {
    const dir = await tempDir();
    const writer = await FileIndexWriter.create(join(dir, "index.jsonl"));
    writer.add({ path: "a.txt", size: 3, sha256: sha(1), mode: 0o644, pack: 0, offset: 512 });
    writer.add({ path: "big.bin", size: 9, sha256: sha(2), mode: 0o755 });
    writer.add({ path: "é.txt", size: 1, sha256: sha(3), mode: 0o644, pack: 0, offset: 2048 });
    const blob = await writer.finish([PACK]);
    const bytes = await readFile(join(dir, "index.jsonl"));
    expect(blob).toEqual({ digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length });
    const lines = bytes.toString().trim().split("\n");
    expect(JSON.parse(lines[0]!)).toEqual({ format: "llmops.file-index", version: 1, files: 3, packs: [PACK] });
    expect(JSON.parse(lines[2]!)).toEqual({ path: "big.bin", size: 9, sha256: sha(2), mode: "755" });
    expect(await collect(join(dir, "index.jsonl"))).toEqual([
      { path: "a.txt", size: 3, sha256: sha(1), mode: 0o644, pack: 0, offset: 512 },
      { path: "big.bin", size: 9, sha256: sha(2), mode: 0o755 },
      { path: "é.txt", size: 1, sha256: sha(3), mode: 0o644, pack: 0, offset: 2048 },
    ]);
    expect(() => writer.add({ path: "0", size: 0, sha256: sha(0), mode: 0o644 })).toThrow(/sorted/);
  });

  it("refuses unsafe paths, unsorted or duplicate paths, offsets outside the pack and a wrong count, naming the line", async () => {
    const dir = await tempDir();
    const header = JSON.stringify({ format: "llmops.file-index", version: 1, files: 2, packs: [{ digest: PACK.digest, size: 1000 }] });
    const line = (e: object) => JSON.stringify({ size: 1, sha256: sha(1), mode: "644", ...e });
    const cases: [string[], RegExp][] = [
      [[line({ path: "../x" }), line({ path: "y" })], /line 2: path "\.\.\/x"/],
      [[line({ path: "b" }), line({ path: "a" })], /line 3: path a: expected paths sorted/],
      [[line({ path: "a" }), line({ path: "a" })], /line 3: path a: expected paths sorted and distinct/],
      [[line({ path: "a", pack: 0, offset: 999, size: 5 }), line({ path: "b" })], /line 2: file a: offset/],
      [[line({ path: "a", pack: 1, offset: 0 }), line({ path: "b" })], /line 2: file a: pack/],
      [[line({ path: "a", mode: "777" }), line({ path: "b" })], /line 2: file a: mode/],
      [[line({ path: "a" })], /expected 2 files as the header says, got 1/],
    ];
    for (const [body, error] of cases) {
      await writeFile(join(dir, "i.jsonl"), `${[header, ...body].join("\n")}\n`);
      const failed = await collect(join(dir, "i.jsonl")).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed).toBeInstanceOf(FileIndexError);
      expect((failed as Error).message).toMatch(error);
    }
    await writeFile(join(dir, "i.jsonl"), '{"format":"other"}\n');
    await expect(openFileIndex(join(dir, "i.jsonl"), "index X")).rejects.toThrow(/index X: line 1: expected format/);
  });

  it("builds and reads a 1,000,000-entry index in bounded memory", { timeout: 120_000 }, async () => {
    const dir = await tempDir();
    const path = join(dir, "index.jsonl");
    const N = 1_000_000;
    const digest = sha(7);
    // What stays reachable (after a full GC) while the index is written and read: garbage not
    // yet collected says nothing about what the reader holds.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const sample = () => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    };
    const writer = await FileIndexWriter.create(path);
    for (let i = 0; i < N; i++) {
      writer.add({
        path: `train/${String(i).padStart(7, "0")}.jpg`,
        size: 4096,
        sha256: digest,
        mode: 0o644,
        pack: i >> 14,
        offset: 512 + (i & 16383) * 4608,
      });
      if (i % 200_000 === 0) sample();
    }
    const packs = Array.from({ length: (N >> 14) + 1 }, (_, i) => ({ digest: `sha256:${sha(i + 100)}`, size: 16384 * 4608 + 1024 }));
    const blob = await writer.finish(packs);
    expect(blob.size).toBeGreaterThan(100 * N);
    let count = 0;
    let last = "";
    const reader = await openFileIndex(path, "index");
    for await (const batch of reader.batches()) {
      for (const e of batch) {
        count++;
        last = e.path;
      }
      if (count % 200_000 < batch.length) sample();
    }
    expect(count).toBe(N);
    expect(last).toBe("train/0999999.jpg");
    // Holding the entries would take hundreds of MB.
    expect(peak).toBeLessThan(32 * 1024 * 1024);
  });
});

describe("--include globs", () => {
  it("matches * within a segment, ** across segments, classes, and directories by prefix", () => {
    const m = includeMatcher(["train/**", "*.md", "val/[ab]?.txt"])!;
    expect(m("train/a/b.jpg")).toBe(true);
    expect(m("trainer/x")).toBe(false);
    expect(m("README.md")).toBe(true);
    expect(m("docs/README.md")).toBe(false);
    expect(m("val/a1.txt")).toBe(true);
    expect(m("val/c1.txt")).toBe(false);
    expect(includeMatcher(["**/*.json"])!("a/b/c.json")).toBe(true);
    expect(includeMatcher(["**/*.json"])!("c.json")).toBe(true);
    expect(includeMatcher(["data"])!("data/x/y")).toBe(true);
    expect(includeMatcher(["a+b(1).txt"])!("a+b(1).txt")).toBe(true);
    expect(includeMatcher([])).toBeUndefined();
  });

  it("refuses empty, absolute, .. and unbalanced patterns with an InputError naming the pattern", () => {
    for (const bad of ["", "/etc/**", "../x", "a/../b", "train/[ab", "x]", "a\\"]) {
      expect(() => compileGlob(bad)).toThrow(IncludePatternError);
      expect(() => compileGlob(bad)).toThrow(/^--include ".*": .*; expected a relative glob/);
    }
  });
});

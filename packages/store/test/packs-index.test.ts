import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { FileIndexError, FileIndexWriter, type IndexEntry, openFileIndex } from "../src/packs/file-index.ts";
import { compileGlob, IncludePatternError, includeFilter, includeMatcher } from "../src/packs/glob.ts";
import { tempDir } from "./helpers.ts";

const sha = (i: number) => createHash("sha256").update(String(i)).digest("hex");
const PACK = { digest: `sha256:${"a".repeat(64)}`, size: 2 ** 40 };

async function collect(path: string, packs: { digest: string; size: number }[] = [PACK]): Promise<IndexEntry[]> {
  const reader = await openFileIndex(path, "index", packs);
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
    const blob = await writer.finish();
    const bytes = await readFile(join(dir, "index.jsonl"));
    expect(blob).toEqual({ digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}`, size: bytes.length });
    const lines = bytes.toString().trim().split("\n");
    expect(JSON.parse(lines[0]!)).toEqual({ format: "llmops.file-index", version: 2, files: 3 });
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
    const header = JSON.stringify({ format: "llmops.file-index", version: 2, files: 2 });
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
      const failed = await collect(join(dir, "i.jsonl"), [{ digest: PACK.digest, size: 1000 }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed).toBeInstanceOf(FileIndexError);
      expect((failed as Error).message).toMatch(error);
    }
    await writeFile(join(dir, "i.jsonl"), '{"format":"other"}\n');
    await expect(openFileIndex(join(dir, "i.jsonl"), "index X", [])).rejects.toThrow(/index X: line 1: expected format/);
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
    const blob = await writer.finish();
    expect(blob.size).toBeGreaterThan(100 * N);
    let count = 0;
    let last = "";
    const reader = await openFileIndex(path, "index", packs);
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

describe("file index: what the writer writes the reader reads, and nothing a tar reader would see otherwise", () => {
  const header = (files: number) => JSON.stringify({ format: "llmops.file-index", version: 2, files });
  const line = (e: object) => JSON.stringify({ size: 1, sha256: sha(1), mode: "644", ...e });
  async function refusal(body: string[], packs: { digest: string; size: number }[] = [PACK]): Promise<Error | undefined> {
    const dir = await tempDir();
    await writeFile(join(dir, "i.jsonl"), `${[header(body.length), ...body].join("\n")}\n`);
    return collect(join(dir, "i.jsonl"), packs).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
  }

  it("writes and reads an index of 2,000 packs (the pack list is the manifest's, no line grows with it)", async () => {
    const dir = await tempDir();
    const path = join(dir, "index.jsonl");
    const writer = await FileIndexWriter.create(path);
    const N = 2000;
    for (let k = 0; k < N; k++)
      writer.add({ path: `d/${String(k).padStart(5, "0")}.bin`, size: 100, sha256: sha(k), mode: 0o644, pack: k, offset: 512 });
    await writer.finish();
    const packs = Array.from({ length: N }, (_, k) => ({ digest: `sha256:${sha(k + 7)}`, size: 2048 }));
    const firstLine = (await readFile(path, "utf8")).split("\n")[0]!;
    expect(firstLine.length).toBeLessThan(100);
    const read = await collect(path, packs);
    expect(read).toHaveLength(N);
    expect(read.at(-1)).toMatchObject({ path: "d/01999.bin", pack: 1999, offset: 512 });
  });

  it("refuses a path that is both a file and a directory, also with paths sorted between them", async () => {
    for (const body of [
      [line({ path: "a" }), line({ path: "a-b" }), line({ path: "a/b" })],
      [line({ path: "a" }), line({ path: "a.x" }), line({ path: "a.y/z" }), line({ path: "a/b/c" })],
      [line({ path: "x/a" }), line({ path: "x/a!" }), line({ path: "x/a-b" }), line({ path: "x/a/b" })],
    ]) {
      const e = await refusal(body);
      expect(e).toBeInstanceOf(FileIndexError);
      expect(e!.message).toMatch(/path (x\/)?a\/b(\/c)?: (x\/)?a is a file and also a directory/);
    }
    // Siblings whose names extend another's are fine.
    expect(await refusal([line({ path: "a" }), line({ path: "a-b" }), line({ path: "ab/c" }), line({ path: "b" })], [])).toBeUndefined();
  });

  it("refuses packed entries at or above the 64 MiB pack threshold cap", async () => {
    const e = await refusal([line({ path: "a", size: 64 * 1024 * 1024, pack: 0, offset: 512 })]);
    expect(e).toBeInstanceOf(FileIndexError);
    expect(e!.message).toMatch(/line 2: file a: size 67108864: expected a packed file below 67108864 bytes/);
    expect(await refusal([line({ path: "a", size: 64 * 1024 * 1024 - 1, pack: 0, offset: 512 })])).toBeUndefined();
    // Own-layer files have no cap.
    expect(await refusal([line({ path: "a", size: 2 ** 40 })], [])).toBeUndefined();
  });

  it("refuses offsets that leave no room for a tar header, overlap, go backwards, and packs out of order or unused", async () => {
    const packs = [
      { digest: `sha256:${sha(1)}`, size: 10_240 },
      { digest: `sha256:${sha(2)}`, size: 10_240 },
    ];
    const cases: [string[], RegExp][] = [
      [
        [line({ path: "a", pack: 0, offset: 0 }), line({ path: "b", pack: 1, offset: 512 })],
        /line 2: file a: offset: expected at least 512/,
      ],
      [
        [
          line({ path: "a", pack: 0, offset: 512, size: 600 }),
          line({ path: "b", pack: 0, offset: 1024 }),
          line({ path: "c", pack: 1, offset: 512 }),
        ],
        /line 3: file b: offset: expected at least 2048/,
      ],
      [
        [line({ path: "a", pack: 0, offset: 2048 }), line({ path: "b", pack: 0, offset: 512 }), line({ path: "c", pack: 1, offset: 512 })],
        /line 3: file b: offset: expected at least 3072/,
      ],
      [[line({ path: "a", pack: 1, offset: 512 }), line({ path: "b", pack: 0, offset: 512 })], /line 2: file a: pack 1: expected pack 0/],
      [
        [line({ path: "a", pack: 0, offset: 512 }), line({ path: "b", pack: 0, offset: 1536 })],
        /expected files in each of the manifest's 2 pack layers/,
      ],
      [
        [line({ path: "a", pack: 0, offset: 9216 }), line({ path: "b", pack: 1, offset: 512 })],
        /line 2: file a: offset: expected the file's bytes inside its pack/,
      ],
    ];
    for (const [body, error] of cases) {
      const e = await refusal(body, packs);
      expect(e, body.join()).toBeInstanceOf(FileIndexError);
      expect(e!.message).toMatch(error);
    }
    expect(
      await refusal(
        [
          line({ path: "a", pack: 0, offset: 512, size: 600 }),
          line({ path: "b", pack: 0, offset: 2048 }),
          line({ path: "c", pack: 1, offset: 512 }),
        ],
        packs,
      ),
    ).toBeUndefined();
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

  it("matches pathological patterns correctly and in linear time (no backtracking regex)", () => {
    const deep = `${"a/".repeat(400)}b`;
    expect(compileGlob("**/**/**/**/c").test(deep)).toBe(false);
    expect(compileGlob("**/**/**/**/b").test(deep)).toBe(true);
    expect(compileGlob("**/**/a/**/**/b").test(deep)).toBe(true);
    expect(compileGlob("a/**/**").test(deep)).toBe(true);
    const long = "a".repeat(60);
    expect(compileGlob("*a*a*a*a*a*a*c").test(long)).toBe(false);
    expect(compileGlob("*a*a*a*a*a*a*").test(long)).toBe(true);
    expect(compileGlob("*a*a*a*a*a*a*c").test(`${long}c`)).toBe(true);
    // A thousand such paths, with vitest's timeout as the only bound.
    const g1 = compileGlob("**/**/**/**/c");
    const g2 = compileGlob("*a*a*a*a*a*a*c");
    let hits = 0;
    for (let i = 0; i < 1000; i++) {
      if (g1.test(`${"x/".repeat(400)}${i}`)) hits++;
      if (g2.test(`${"a".repeat(60)}${i}`)) hits++;
    }
    expect(hits).toBe(0);
  });

  it("keeps the accepted syntax: ?, classes, escapes, ** at either end, directories by prefix; no class matches /", () => {
    expect(compileGlob("[.-0]").test("/")).toBe(false);
    expect(compileGlob("a[.-0]b").test("a/b")).toBe(false);
    expect(compileGlob("a[.-0]b").test("a.b")).toBe(true);
    expect(compileGlob("a[!x]b").test("a/b")).toBe(false);
    expect(compileGlob("a?b").test("a/b")).toBe(false);
    expect(compileGlob("a*b").test("a/b")).toBe(false);
    expect(compileGlob("[]x]").test("]")).toBe(true);
    expect(compileGlob("[a-]").test("-")).toBe(true);
    expect(compileGlob("\\*").test("*")).toBe(true);
    expect(compileGlob("\\*").test("x")).toBe(false);
    expect(compileGlob("**").test("a/b")).toBe(true);
    expect(compileGlob("a/**").test("a")).toBe(false);
    expect(compileGlob("a/**").test("a/b/c")).toBe(true);
    expect(compileGlob("a/**/b").test("a/b")).toBe(true);
    expect(compileGlob("a/**/b").test("a/x/y/b/z")).toBe(true);
    expect(compileGlob("a/**/b").test("ab")).toBe(false);
    expect(compileGlob("é?.txt").test("éé.txt")).toBe(true);
    expect(() => compileGlob("[z-a]")).toThrow(IncludePatternError);
  });

  it("includeFilter reports the patterns that matched nothing", () => {
    const f = includeFilter(["train/**", "typo/**", "*.md"])!;
    for (const p of ["train/a", "README.md", "val/b"]) f.match(p);
    expect(f.unmatched()).toEqual(["typo/**"]);
    expect(includeFilter([])).toBeUndefined();
  });

  it("refuses empty, absolute, .. and unbalanced patterns with an InputError naming the pattern", () => {
    for (const bad of ["", "/etc/**", "../x", "a/../b", "train/[ab", "x]", "a\\"]) {
      expect(() => compileGlob(bad)).toThrow(IncludePatternError);
      expect(() => compileGlob(bad)).toThrow(/^--include ".*": .*; expected a relative glob/);
    }
  });
});

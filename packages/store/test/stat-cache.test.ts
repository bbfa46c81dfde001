import type { BigIntStats } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { LayoutTransport, StatCache } from "../src/index.ts";
import { Store } from "../src/store.ts";
import { sha256sum, tempDir, writeTree } from "./helpers.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const S = 1_000_000_000n;

/** The fields a stat cache may key on; everything else of a stat is irrelevant here. */
function fakeStat(over: Partial<Record<"size" | "mtimeNs" | "ctimeNs" | "ino", bigint>> = {}): BigIntStats {
  return { size: 10n, mtimeNs: 100n * S, ctimeNs: 100n * S, ino: 7n, ...over } as BigIntStats;
}

describe("StatCache", () => {
  it("trusts an entry recorded 2 s or more after the file's mtime", async () => {
    const cache = new StatCache("/nonexistent/stat-cache.json");
    cache.set("/f", fakeStat(), DIGEST, 102_000);
    expect(cache.get("/f", fakeStat())).toBe(DIGEST);
  });

  it("never trusts an entry recorded less than 2 s after the file's mtime (racy git)", async () => {
    const cache = new StatCache("/nonexistent/stat-cache.json");
    cache.set("/f", fakeStat(), DIGEST, 101_999);
    expect(cache.get("/f", fakeStat())).toBeUndefined();
    // A file stamped in the future (clock skew) is just as racy.
    cache.set("/g", fakeStat({ mtimeNs: 500n * S }), DIGEST, 102_000);
    expect(cache.get("/g", fakeStat({ mtimeNs: 500n * S }))).toBeUndefined();
  });

  it.each([
    ["size", { size: 11n }],
    ["mtime", { mtimeNs: 99n * S }],
    ["ctime", { ctimeNs: 101n * S }],
    ["inode", { ino: 8n }],
  ])("misses when %s differs", async (_, over) => {
    const cache = new StatCache("/nonexistent/stat-cache.json");
    cache.set("/f", fakeStat(), DIGEST, 200_000);
    expect(cache.get("/f", fakeStat(over))).toBeUndefined();
  });

  it("keeps ctime and the recording time across save and load", async () => {
    const file = join(await tempDir(), "stat-cache.json");
    const cache = new StatCache(file);
    cache.set("/trusted", fakeStat(), DIGEST, 200_000);
    cache.set("/racy", fakeStat(), DIGEST, 101_000);
    await cache.save();
    const loaded = await new StatCache(file).load();
    expect(loaded.get("/trusted", fakeStat())).toBe(DIGEST);
    expect(loaded.get("/trusted", fakeStat({ ctimeNs: 300n * S }))).toBeUndefined();
    expect(loaded.get("/racy", fakeStat())).toBeUndefined();
  });

  it("holds only the entries under a prefix when asked, and a save keeps every other entry of the file", async () => {
    const file = join(await tempDir(), "stat-cache.json");
    const first = new StatCache(file);
    for (const path of ["/a/x", "/a/y", "/b/x", "/c\tz"]) first.set(path, fakeStat(), DIGEST, 200_000);
    await first.save();
    const scoped = await new StatCache(file).load("/a/");
    expect(scoped.get("/a/x", fakeStat())).toBe(DIGEST);
    expect(scoped.get("/b/x", fakeStat())).toBeUndefined();
    scoped.set("/a/y", fakeStat({ size: 11n }), DIGEST, 200_000);
    await scoped.save();
    // Written without loading (a fetch into a new directory): the file's entries survive too.
    const writeOnly = new StatCache(file);
    writeOnly.set("/d/new", fakeStat(), DIGEST, 200_000);
    await writeOnly.save();
    const all = await new StatCache(file).load();
    for (const path of ["/a/x", "/b/x", "/c\tz", "/d/new"]) expect(all.get(path, fakeStat()), path).toBe(DIGEST);
    expect(all.get("/a/y", fakeStat())).toBeUndefined();
    expect(all.get("/a/y", fakeStat({ size: 11n }))).toBe(DIGEST);
  });

  it("ignores an entry whose digest is not a sha256 digest (it would become a blob path)", async () => {
    const file = join(await tempDir(), "stat-cache.json");
    const entry = {
      size: "10",
      mtimeNs: String(100n * S),
      ctimeNs: String(100n * S),
      ino: "7",
      seenNs: String(900n * S),
      digest: "sha256:../../x",
    };
    await writeFile(file, JSON.stringify({ version: 2, entries: { "/f": entry } }));
    expect((await new StatCache(file).load()).get("/f", fakeStat())).toBeUndefined();
    await writeFile(file, JSON.stringify({ version: 2, entries: { "/f": { ...entry, digest: DIGEST } } }));
    expect((await new StatCache(file).load()).get("/f", fakeStat())).toBe(DIGEST);
  });

  it("round-trips paths holding tabs, newlines and backslashes in its line format", async () => {
    const file = join(await tempDir(), "stat-cache.json");
    const cache = new StatCache(file);
    const odd = ["/a\tb", "/c\nd", "/e\\f\\t", "/plain"];
    for (const p of odd) cache.set(p, fakeStat(), DIGEST, 200_000);
    await cache.save();
    const loaded = await new StatCache(file).load();
    for (const p of odd) expect(loaded.get(p, fakeStat())).toBe(DIGEST);
    expect(loaded.get("/a", fakeStat())).toBeUndefined();
  });

  it("ignores a version 1 cache, which has neither ctime nor recording time", async () => {
    const file = join(await tempDir(), "stat-cache.json");
    await writeFile(
      file,
      JSON.stringify({ version: 1, entries: { "/f": { size: "10", mtimeNs: String(100n * S), ino: "7", digest: DIGEST } } }),
    );
    expect((await new StatCache(file).load()).get("/f", fakeStat())).toBeUndefined();
  });
});

describe("version with the stat cache", () => {
  function readCounting(dir: string, read: string[]): Store {
    const layout = new LayoutTransport(join(dir, "store"));
    const ingest = layout.ingestFile.bind(layout);
    layout.ingestFile = (path, onBytes) => {
      read.push(path);
      return ingest(path, onBytes);
    };
    return new Store(layout, { logger: silentLogger, statCachePath: join(dir, "cache", "stat-cache.json") });
  }

  it("re-reads a file whose mtime was less than 2 s old when it was recorded", async () => {
    const dir = await tempDir();
    await writeTree(join(dir, "src"), { "w.bin": "weights" });
    // Stamped an hour ahead: racy whenever it is recorded, with no dependence on how fast this test runs.
    const future = Math.floor(Date.now() / 1000) + 3600;
    await utimes(join(dir, "src", "w.bin"), future, future);
    const read: string[] = [];
    const store = readCounting(dir, read);
    await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-01-01T00:00:00Z" });
    await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-01-01T00:00:00Z" });
    expect(read).toEqual([join(dir, "src", "w.bin"), join(dir, "src", "w.bin")]);
  });

  it("re-hashes an in-place rewrite that keeps size and mtime (restored with utimes)", async () => {
    const dir = await tempDir();
    const file = join(dir, "src", "w.bin");
    await writeTree(join(dir, "src"), { "w.bin": "weights-1" });
    const past = Math.floor(Date.now() / 1000) - 3600;
    await utimes(file, past, past);
    const read: string[] = [];
    const store = readCounting(dir, read);
    const first = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-01-01T00:00:00Z" });
    await writeFile(file, "weights-2", { flag: "r+" });
    await utimes(file, past, past);
    const second = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: "2024-01-01T00:00:00Z" });
    expect(second.digest).not.toBe(first.digest);
    expect(second.files[0]?.digest).toBe(sha256sum(file));
    expect(read).toHaveLength(2);
  });
});

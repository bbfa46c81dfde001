import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { recordingLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { type BlobCache, openStore } from "../src/index.ts";
import { readTree, tempDir, writeTree } from "./helpers.ts";

/** A blob cache on disk, as @actions/cache behaves: restore copies a saved file back by key. */
function directoryCache(dir: string): BlobCache & { saved: string[]; restored: string[] } {
  const saved: string[] = [];
  const restored: string[] = [];
  const path = (digest: string) => join(dir, digest.replace(":", "-"));
  return {
    saved,
    restored,
    async restore(digest, target) {
      try {
        await copyFile(path(digest), target);
        restored.push(digest);
        return true;
      } catch {
        return false;
      }
    },
    async save(digest, file) {
      await copyFile(file, path(digest));
      saved.push(digest);
    },
  };
}

describe("fetch with a read-through blob cache", () => {
  it("fills the cache on a miss, skips the store on a hit, and ignores a corrupt entry with a warning", async () => {
    const dir = await tempDir();
    await writeTree(join(dir, "src"), { "a.bin": Buffer.alloc(10_000, 1), "b.txt": "bee" });
    await writeTree(join(dir, "cache"), { ".keep": "" });
    const logger = recordingLogger();
    const store = openStore(join(dir, "store"), { logger, cacheDir: join(dir, "stat") });
    const v = await store.version({ path: join(dir, "src"), name: "m", kind: "dataset", created: "2024-01-01T00:00:00Z" });
    const cache = directoryCache(join(dir, "cache"));

    const first = await store.fetch("m:v1", join(dir, "one"), { blobCache: cache });
    expect(first.downloadedBytes).toBe(10_003);
    expect(cache.saved.sort()).toEqual(v.files.map((f) => f.digest).sort());

    const second = await store.fetch("m:v1", join(dir, "two"), { blobCache: cache });
    expect(second.downloadedBytes).toBe(0);
    expect(second.files.map((f) => f.source)).toEqual(["cache", "cache"]);
    expect(await readTree(join(dir, "two"))).toEqual(await readTree(join(dir, "src")));

    const bDigest = v.files.find((f) => f.title === "b.txt")!.digest;
    await writeFile(join(dir, "cache", bDigest.replace(":", "-")), "wasp");
    const third = await store.fetch("m:v1", join(dir, "three"), { blobCache: cache });
    expect(third.files.find((f) => f.title === "b.txt")?.source).toBe("store");
    expect(await readFile(join(dir, "three", "b.txt"), "utf8")).toBe("bee");
    expect(logger.lines.filter((l) => l.level === "warn").map((l) => l.message)).toEqual([
      `blob cache entry for b.txt does not match ${bDigest}; fetching from the store`,
    ]);
  });
});

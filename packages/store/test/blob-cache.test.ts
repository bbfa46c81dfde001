import { createHash } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { recordingLogger } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The GitHub adapter of this interface lives in packages/github; its safety is the store's concern.
import { actionsBlobCache, type CacheService } from "../../github/src/blob-cache.ts";
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

function sha(data: string | Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The Actions cache service (v1 REST protocol as @actions/cache speaks it: GET cache, POST caches,
 * PATCH chunks, POST commit, then the archive download), in memory. The adapter runs unmodified
 * with the real @actions/cache client, tar and zstd.
 */
async function startCacheService(): Promise<{ url: string; entries: Map<string, Buffer>; close(): Promise<void> }> {
  const entries = new Map<string, Buffer>();
  const pending = new Map<number, { key: string; chunks: { start: number; data: Buffer }[] }>();
  let nextId = 1;
  let base = "";
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", base);
    const path = url.pathname.replace(/^\/_apis\/artifactcache\//, "");
    if (req.method === "GET" && path === "cache") {
      const key = (url.searchParams.get("keys") ?? "").split(",")[0] ?? "";
      if (!entries.has(key)) return res.writeHead(204).end();
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ cacheKey: key, archiveLocation: `${base}archive/${encodeURIComponent(key)}` }));
    }
    if (req.method === "GET" && url.pathname.startsWith("/archive/")) {
      const data = entries.get(decodeURIComponent(url.pathname.slice("/archive/".length)));
      if (!data) return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": data.length });
      return res.end(data);
    }
    if (req.method === "POST" && path === "caches") {
      const { key } = JSON.parse((await body(req)).toString()) as { key: string };
      const id = nextId++;
      pending.set(id, { key, chunks: [] });
      res.writeHead(201, { "content-type": "application/json" });
      return res.end(JSON.stringify({ cacheId: id }));
    }
    const id = Number(/^caches\/(\d+)$/.exec(path)?.[1]);
    const upload = pending.get(id);
    if (upload && req.method === "PATCH") {
      const start = Number(/bytes (\d+)-/.exec(String(req.headers["content-range"]))?.[1]);
      upload.chunks.push({ start, data: await body(req) });
      return res.writeHead(204).end();
    }
    if (upload && req.method === "POST") {
      await body(req);
      entries.set(upload.key, Buffer.concat(upload.chunks.sort((a, b) => a.start - b.start).map((c) => c.data)));
      pending.delete(id);
      return res.writeHead(204).end();
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  return { url: base, entries, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe("the Actions blob cache adapter", () => {
  let service: Awaited<ReturnType<typeof startCacheService>>;
  const saved: Record<string, string | undefined> = {};
  const ENV = ["ACTIONS_CACHE_URL", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_SERVICE_V2", "ACTIONS_RESULTS_URL", "GITHUB_WORKSPACE"];
  beforeAll(async () => {
    service = await startCacheService();
    for (const name of ENV) saved[name] = process.env[name];
    delete process.env.ACTIONS_CACHE_SERVICE_V2;
    delete process.env.ACTIONS_RESULTS_URL;
    process.env.ACTIONS_CACHE_URL = service.url;
    process.env.ACTIONS_RUNTIME_TOKEN = "test-token";
  });
  afterAll(async () => {
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await service?.close();
  });

  async function runner() {
    const dir = await tempDir();
    const runnerTemp = join(dir, "runner", "temp");
    await mkdir(runnerTemp, { recursive: true });
    process.env.GITHUB_WORKSPACE = dir;
    const logger = recordingLogger();
    return { dir, logger, cache: actionsBlobCache(logger, { RUNNER_TEMP: runnerTemp }) };
  }

  it("round-trips a blob through the real @actions/cache client", async () => {
    const { dir, cache } = await runner();
    await writeFile(join(dir, "blob"), "model bytes");
    await cache.save(sha("model bytes"), join(dir, "blob"));
    expect(service.entries.has(`llmops-blob-${sha("model bytes").replace(":", "-")}`)).toBe(true);
    expect(await cache.restore(sha("model bytes"), join(dir, "restored"))).toBe(true);
    expect(await readFile(join(dir, "restored"), "utf8")).toBe("model bytes");
  });

  it("verifies a restored entry before it replaces the target: a wrong entry is a miss and the target is untouched", async () => {
    const { dir, cache, logger } = await runner();
    const digest = sha("the real bytes");
    await writeFile(join(dir, "impostor"), "not those bytes");
    await cache.save(digest, join(dir, "impostor"));
    await writeFile(join(dir, "target"), "previous content");
    expect(await cache.restore(digest, join(dir, "target"))).toBe(false);
    expect(await readFile(join(dir, "target"), "utf8")).toBe("previous content");
    expect(logger.lines.filter((l) => l.level === "warn").map((l) => l.message)).toContain(
      `blob cache entry llmops-blob-${digest.replace(":", "-")} does not hold ${digest}; ignoring it`,
    );
    expect(await readdir(dir)).toEqual(["impostor", "runner", "target"]);
  });

  it("never builds a path from a digest it has not checked: a hostile digest removes nothing", async () => {
    const { dir, cache, logger } = await runner();
    // RUNNER_TEMP/llmops-blobs/../../victim would be <dir>/runner/victim.
    await writeFile(join(dir, "runner", "victim"), "keep me");
    for (const digest of ["sha256:../../victim", "sha256:../../../runner/victim"]) {
      expect(await cache.restore(digest, join(dir, "target"))).toBe(false);
      await cache.save(digest, join(dir, "runner", "victim"));
    }
    expect(await readFile(join(dir, "runner", "victim"), "utf8")).toBe("keep me");
    expect(logger.lines.some((l) => l.level === "warn" && l.message.includes("is not sha256:<64 lowercase hex>"))).toBe(true);
  });

  it("two restores of the same digest at once (equal files) both succeed", async () => {
    const { dir, cache } = await runner();
    await writeFile(join(dir, "blob"), "shared");
    await cache.save(sha("shared"), join(dir, "blob"));
    const results = await Promise.all([cache.restore(sha("shared"), join(dir, "one")), cache.restore(sha("shared"), join(dir, "two"))]);
    expect(results).toEqual([true, true]);
    expect([await readFile(join(dir, "one"), "utf8"), await readFile(join(dir, "two"), "utf8")]).toEqual(["shared", "shared"]);
  });

  it("an entry that restores as something other than a regular file is a miss", async () => {
    const dir = await tempDir();
    const logger = recordingLogger();
    const digest = sha("x");
    const fake: CacheService = {
      isFeatureAvailable: () => true,
      restoreCache: async ([path]) => {
        await mkdir(join(path!, "nested"), { recursive: true });
        return "hit";
      },
      saveCache: async () => 1,
    };
    const cache = actionsBlobCache(logger, { RUNNER_TEMP: dir }, fake);
    expect(await cache.restore(digest, join(dir, "target"))).toBe(false);
    expect(await readdir(join(dir, "llmops-blobs"))).toEqual([]);
  });
});

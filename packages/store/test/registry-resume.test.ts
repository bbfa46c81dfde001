import { createCipheriv } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { silentLogger } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../test/src/registry/fault-proxy.ts";
import { startRegistry, type TestRegistry } from "../../../test/src/registry.ts";
import { type OpenStoreOptions, openStore } from "../src/index.ts";
import { sha256sum, tempDir, writeTree } from "./helpers.ts";

const CREATED = "2024-05-01T12:00:00.000Z";
const MiB = 1024 * 1024;

/** Incompressible, reproducible bytes: the AES-128-CTR keystream of a fixed key. */
function bytes(size: number, seed: number): Buffer {
  return createCipheriv("aes-128-ctr", Buffer.alloc(16, seed), Buffer.alloc(16, 0)).update(Buffer.alloc(size));
}

function open(spec: string, dir: string, extra: Partial<OpenStoreOptions> = {}) {
  return openStore(spec, { logger: silentLogger, cacheDir: join(dir, "cache"), retryDelayMs: 10, ...extra });
}

const blobPath = (digest: string) => new RegExp(`/blobs/${digest}$`);
const uploads = /\/blobs\/uploads\//;

describe("registry transfers resume after faults (fault proxy in front of Distribution)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  async function versioned(proxy: FaultProxy, repo: string, size: number) {
    const dir = await tempDir();
    await writeTree(join(dir, "src"), { "weights.bin": bytes(size, 1) });
    const digest = sha256sum(join(dir, "src", "weights.bin"));
    const store = open(`oci://${proxy.host}/${repo}`, dir);
    await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: CREATED });
    return { dir, digest, store, source: join(dir, "src", "weights.bin") };
  }

  it("a download cut twice mid-blob resumes with Range from the bytes received", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const size = 4 * MiB;
      const { dir, digest, store, source } = await versioned(proxy, "dl", size);
      proxy.failNext("GET", blobPath(digest), { kind: "reset-response", afterBytes: 1.5 * MiB }, 2);
      const before = proxy.wire().sent;
      await store.fetch("m:v1", join(dir, "out"));
      expect(sha256sum(join(dir, "out", "weights.bin"))).toBe(digest);
      expect((await readFile(join(dir, "out", "weights.bin"))).equals(await readFile(source))).toBe(true);
      const gets = proxy.requests.filter((r) => r.method === "GET" && blobPath(digest).test(r.path));
      expect(gets.map((g) => [g.status, g.fault])).toEqual([
        [200, "reset-response"],
        [206, "reset-response"],
        [206, undefined],
      ]);
      // Each response is cut after 1.5 MiB of body; the next asks for what is still missing. The
      // client may lose a little of what had reached it (fetch drops a failed body's queued chunks), never much.
      const starts = gets.slice(1).map((g) => Number(/^bytes=(\d+)-$/.exec(g.range ?? "")?.[1]));
      expect(starts[0]).toBeLessThanOrEqual(1.5 * MiB);
      expect(starts[0]).toBeGreaterThan(1.5 * MiB - 256 * 1024);
      expect(starts[1]! - starts[0]!).toBeLessThanOrEqual(1.5 * MiB);
      expect(starts[1]! - starts[0]!).toBeGreaterThan(1.5 * MiB - 256 * 1024);
      expect(proxy.wire().sent - before).toBeLessThan(1.2 * size);
    } finally {
      await proxy.close();
    }
  });

  it("a server that ignores Range and answers 200 is read from the start again, each byte delivered once", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { dir, digest, store, source } = await versioned(proxy, "norange", 3 * MiB);
      proxy.failNext("GET", blobPath(digest), { kind: "reset-response", afterBytes: 2 * MiB }, 1);
      proxy.failNext("GET", blobPath(digest), { kind: "ignore-range" }, 1);
      const result = await store.fetch("m:v1", join(dir, "out"));
      expect(result.downloadedBytes).toBe(3 * MiB);
      expect(sha256sum(join(dir, "out", "weights.bin"))).toBe(digest);
      expect((await readFile(join(dir, "out", "weights.bin"))).equals(await readFile(source))).toBe(true);
      const gets = proxy.requests.filter((r) => r.method === "GET" && blobPath(digest).test(r.path));
      expect(gets.map((g) => [g.status, g.fault, g.range !== undefined])).toEqual([
        [200, "reset-response", false],
        [200, "ignore-range", true],
      ]);
    } finally {
      await proxy.close();
    }
  });

  it("a 503 on a blob GET and a reset before the first byte are retried", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { dir, digest, store } = await versioned(proxy, "dl503", MiB);
      proxy.failNext("GET", blobPath(digest), { kind: "status", status: 503 }, 1);
      proxy.failNext("GET", blobPath(digest), { kind: "reset-response", afterBytes: 0 }, 1);
      await store.fetch("m:v1", join(dir, "out"));
      expect(sha256sum(join(dir, "out", "weights.bin"))).toBe(digest);
    } finally {
      await proxy.close();
    }
  });

  it("a chunked upload reset mid-PATCH resumes from the offset the registry reports (GET on the upload URL)", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const dir = await tempDir();
      const size = 2 * MiB;
      await writeTree(join(dir, "src"), { "weights.bin": bytes(size, 2) });
      const digest = sha256sum(join(dir, "src", "weights.bin"));
      const store = open(`oci://${proxy.host}/up`, dir, { chunkSize: 256 * 1024 });
      // 8 chunks. Each rule counts every PATCH the proxy sees: the 4th PATCH (chunk 4) is cut after
      // 100 KB, the 7th (chunk 6, as chunk 4 went twice) is refused with a 503.
      proxy.failNext("PATCH", uploads, { kind: "reset", afterBytes: 100_000 }, 1, 3);
      proxy.failNext("PATCH", uploads, { kind: "status", status: 503 }, 1, 6);
      const before = proxy.wire().received;
      const v = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: CREATED });
      expect(v.files[0]!.digest).toBe(digest);
      expect(v.uploadedBytes).toBe(size);
      const pushed = proxy.wire().received - before;
      const blobRequests = proxy.requests.filter((r) => uploads.test(r.path) && r.method !== "PUT").map((r) => [r.method, r.status]);
      // One session for the file: after each fault the client asks where the upload stands (204, Range) and goes on.
      expect(blobRequests.filter(([m]) => m === "POST")).toHaveLength(2); // the file, then the config blob
      expect(blobRequests.filter(([m]) => m === "GET")).toEqual([
        ["GET", 204],
        ["GET", 204],
      ]);
      expect(blobRequests.filter(([m, s]) => m === "PATCH" && s === 202)).toHaveLength(8);
      // The file once, the cut chunk's first part, the chunk sent into the 503, and headers; starting
      // over would add at least the three chunks before the cut.
      expect(pushed).toBeLessThan(size + 2 * 256 * 1024 + 64 * 1024);
      const out = join(dir, "out");
      await open(`oci://${registry.host}/up`, dir).fetch("m:v1", out);
      expect(sha256sum(join(out, "weights.bin"))).toBe(digest);
    } finally {
      await proxy.close();
    }
  });

  it("an upload session the registry no longer knows is started afresh", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const dir = await tempDir();
      await writeTree(join(dir, "src"), { "weights.bin": bytes(MiB, 3) });
      const digest = sha256sum(join(dir, "src", "weights.bin"));
      const store = open(`oci://${proxy.host}/fresh`, dir, { chunkSize: 256 * 1024 });
      proxy.failNext("PATCH", uploads, { kind: "reset", afterBytes: 10_000 }, 1, 2);
      proxy.failNext("GET", uploads, { kind: "status", status: 404 }, 1);
      const v = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: CREATED });
      expect(v.files[0]!.digest).toBe(digest);
      expect(proxy.requests.filter((r) => r.method === "GET" && uploads.test(r.path)).map((r) => r.status)).toEqual([404]);
      // The file's first session, its fresh one, then the config blob's.
      expect(proxy.requests.filter((r) => r.method === "POST" && uploads.test(r.path))).toHaveLength(3);
      await open(`oci://${registry.host}/fresh`, dir).fetch("m:v1", join(dir, "out"));
      expect(sha256sum(join(dir, "out", "weights.bin"))).toBe(digest);
    } finally {
      await proxy.close();
    }
  });

  it("a lost answer to the final PUT is recognised from the blob being there (no second upload)", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const dir = await tempDir();
      await writeTree(join(dir, "src"), { "weights.bin": bytes(MiB, 4) });
      const store = open(`oci://${proxy.host}/lost`, dir, { chunkSize: 256 * 1024 });
      proxy.failNext("PUT", uploads, { kind: "reset-response", afterBytes: 0 }, 1);
      const before = proxy.wire().received;
      await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: CREATED });
      expect(proxy.requests.filter((r) => r.method === "PATCH")).toHaveLength(4);
      expect(proxy.wire().received - before).toBeLessThan(MiB + 64 * 1024);
    } finally {
      await proxy.close();
    }
  });
});

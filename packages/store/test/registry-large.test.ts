import { createCipheriv } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { silentLogger } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, startFaultProxy } from "../../../test/src/registry/fault-proxy.ts";
import { startRegistry, type TestRegistry } from "../../../test/src/registry.ts";
import { openStore } from "../src/index.ts";
import { sha256sum, tempDir } from "./helpers.ts";

const MiB = 1024 * 1024;
const SIZE = 1024 * MiB;

/** SIZE incompressible, reproducible bytes (AES-128-CTR keystream) streamed to `path` a MiB at a time. */
async function writeBlob(path: string): Promise<void> {
  const cipher = createCipheriv("aes-128-ctr", Buffer.alloc(16, 9), Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(MiB);
  async function* blocks() {
    for (let i = 0; i < SIZE / MiB; i++) yield cipher.update(zeros);
  }
  await pipeline(Readable.from(blocks()), createWriteStream(path));
}

// One GiB each way through the fault proxy into a real Distribution; each direction is cut twice.
// What must hold is the wire total (bytes counted by the proxy), not the time it takes.
describe("a 1 GiB blob survives two resets each way with < 1.2x its size on the wire", () => {
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let dir: string;
  let digest: string;
  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startFaultProxy(registry.url);
    dir = await tempDir("llmops-large-");
    await mkdir(join(dir, "src"));
    await writeBlob(join(dir, "src", "big.bin"));
    digest = sha256sum(join(dir, "src", "big.bin"));
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await registry?.close();
  });

  it("push and fetch", { timeout: 300_000 }, async () => {
    const store = openStore(`oci://${proxy.host}/large`, { logger: silentLogger, cacheDir: join(dir, "cache"), retryDelayMs: 10 });
    // 64 MiB chunks (the default): the 5th and 12th PATCH the proxy sees are cut part-way, late
    // enough that restarting the blob would cost far more than 20%.
    const uploads = /\/blobs\/uploads\//;
    proxy.failNext("PATCH", uploads, { kind: "reset", afterBytes: 40 * MiB }, 1, 4);
    proxy.failNext("PATCH", uploads, { kind: "reset", afterBytes: 50 * MiB }, 1, 11);
    const pushedBefore = proxy.wire().received;
    const v = await store.version({ path: join(dir, "src"), name: "big", kind: "model", created: "2024-05-01T00:00:00Z" });
    const pushed = proxy.wire().received - pushedBefore;
    expect(v.files).toEqual([{ title: "big.bin", digest, size: SIZE, reused: false }]);
    expect(proxy.requests.filter((r) => r.method === "PATCH" && r.status === 0)).toHaveLength(2);
    expect(pushed).toBeGreaterThan(SIZE);
    expect(pushed).toBeLessThan(1.2 * SIZE);

    const blob = new RegExp(`/blobs/${digest}$`);
    // A TCP reset first (the client's kernel drops what it had not read), then a plain close.
    proxy.failNext("GET", blob, { kind: "reset-response", afterBytes: 300 * MiB, rst: true }, 1);
    proxy.failNext("GET", blob, { kind: "reset-response", afterBytes: 400 * MiB }, 1);
    const fetchedBefore = proxy.wire().sent;
    await store.fetch("big:v1", join(dir, "out"));
    const fetched = proxy.wire().sent - fetchedBefore;
    expect((await stat(join(dir, "out", "big.bin"))).size).toBe(SIZE);
    expect(sha256sum(join(dir, "out", "big.bin"))).toBe(digest);
    expect(proxy.requests.filter((r) => r.method === "GET" && blob.test(r.path)).map((r) => r.status)).toEqual([200, 206, 206]);
    expect(fetched).toBeGreaterThan(SIZE);
    expect(fetched).toBeLessThan(1.2 * SIZE);
  });
});

// Issue #14 against a real CNCF Distribution: a packed version is pushed, fetched whole and with
// --include, where only the byte ranges of the included files are read (206 answers counted at a
// proxy), and the same partial fetch still works through a proxy that drops Range (200, whole packs).
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { silentLogger } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILE_INDEX_MEDIA_TYPE, type Manifest, openStore, PACK_MEDIA_TYPE } from "../../packages/store/src/index.ts";
import { type FaultProxy, startFaultProxy } from "../src/registry/fault-proxy.ts";
import { startRegistry, type TestRegistry } from "../src/registry.ts";

const CREATED = "2024-05-01T12:00:00.000Z";
const PACKING = { target: 256 * 1024 };

let registry: TestRegistry;
let proxy: FaultProxy;
let root: string;
beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startFaultProxy(registry.url);
  root = await mkdtemp(join(tmpdir(), "llmops-packs-e2e-"));
});
afterAll(async () => {
  await proxy?.close();
  await registry?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

async function readTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      out[relative(dir, join(entry.parentPath, entry.name))] = await readFile(join(entry.parentPath, entry.name), "latin1");
  }
  return out;
}

async function writeDataset(dir: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const path = join(dir, ["train", "val", "test"][i % 3]!, `shard-${i % 10}`, `${String(i).padStart(5, "0")}.txt`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${i}:${"abcdefghij".repeat(20 + (i % 300))}\n`);
  }
}

const blobGets = () => proxy.requests.filter((r) => r.method === "GET" && /\/blobs\/sha256:/.test(r.path));

describe("packed versions on a real registry", () => {
  it("pushes, fetches whole, fetches --include with Range requests, and falls back when Range is ignored", {
    timeout: 240_000,
  }, async () => {
    const src = join(root, "src");
    await writeDataset(src);
    const store = openStore(`oci://${proxy.host}/packs`, { logger: silentLogger, cacheDir: join(root, "cache") });
    const v = await store.version({ path: src, name: "ds", kind: "dataset", created: CREATED, packing: PACKING });
    const manifest = JSON.parse((await store.transport.getManifest("packs/ds", v.digest))!.bytes.toString()) as Manifest;
    const packs = manifest.layers.filter((l) => l.mediaType === PACK_MEDIA_TYPE);
    expect(manifest.layers[0]!.mediaType).toBe(FILE_INDEX_MEDIA_TYPE);
    expect(packs.length).toBeGreaterThan(3);
    // No per-file requests: a handful of blob uploads, not a thousand.
    expect(proxy.requests.filter((r) => r.method === "PUT" && /\/blobs\/uploads\//.test(r.path)).length).toBeLessThanOrEqual(
      packs.length + 2,
    );

    const whole = join(root, "whole");
    await store.fetch("ds:v1", whole);
    expect(await readTree(whole)).toEqual(await readTree(src));

    const listed: string[] = [];
    for await (const f of store.files("ds:v1", { include: ["val/shard-4/**"] })) listed.push(f.path);
    expect(listed.length).toBeGreaterThan(20);

    const before = blobGets().length;
    const sentBefore = proxy.wire().sent;
    const part = join(root, "part");
    const r = await store.fetch("ds:v1", part, { include: ["val/shard-4/**"] });
    const sent = proxy.wire().sent - sentBefore;
    expect(Object.keys(await readTree(part)).sort()).toEqual(listed.map((p) => p.split("/").join("/")).sort());
    const srcTree = await readTree(src);
    for (const [path, content] of Object.entries(await readTree(part))) expect(content).toBe(srcTree[path]);
    const gets = blobGets().slice(before);
    const ranged = gets.filter((g) => g.range);
    expect(ranged.length).toBeGreaterThan(0);
    expect(ranged.every((g) => g.status === 206)).toBe(true);
    const total = packs.reduce((s, p) => s + p.size, 0);
    expect(sent).toBeLessThan(total / 2);
    expect(r.downloadedBytes).toBeLessThan(total / 2);

    // A range cut mid-body is asked for again.
    proxy.failNext("GET", /\/blobs\/sha256:/, { kind: "reset-response", afterBytes: 1000 }, 1, 1);
    const cutStart = blobGets().length;
    const cut = join(root, "cut");
    const cutResult = await store.fetch("ds:v1", cut, { include: ["val/shard-4/**"] });
    expect(await readTree(cut)).toEqual(await readTree(part));
    // The files written before the cut are not written (nor listed) again.
    const titles = cutResult.files.map((f) => f.title);
    expect(new Set(titles).size).toBe(titles.length);
    expect(titles).toHaveLength(listed.length);
    expect(
      blobGets()
        .slice(cutStart)
        .some((g) => g.fault === "reset-response"),
    ).toBe(true);

    // A registry (or proxy) that ignores Range: whole packs, every file still verified.
    proxy.failNext("GET", /\/blobs\/sha256:/, { kind: "ignore-range" }, 1000);
    const start = blobGets().length;
    const fallback = join(root, "fallback");
    await store.fetch("ds:v1", fallback, { include: ["val/shard-4/**"] });
    expect(await readTree(fallback)).toEqual(await readTree(part));
    const after = blobGets().slice(start);
    expect(after.some((g) => g.fault === "ignore-range" && g.status === 200)).toBe(true);
  });
});

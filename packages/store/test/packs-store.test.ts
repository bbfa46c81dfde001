import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, readFile, stat, truncate, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import {
  BlobIntegrityError,
  FILE_INDEX_MEDIA_TYPE,
  FileIndexError,
  IncludePatternError,
  type Manifest,
  openStore,
  PACK_MEDIA_TYPE,
  UnmatchedIncludeError,
} from "../src/index.ts";
import { packKey } from "../src/packs/build.ts";
import { planPacks } from "../src/packs/plan.ts";
import { TAR_END, tarHeader } from "../src/packs/tar.ts";
import { readTree, sha256sum, tempDir, writeTree } from "./helpers.ts";

const CREATED = "2024-05-01T12:00:00.000Z";
const PACKING = { threshold: 16 * 1024, target: 64 * 1024, minFiles: 10 };

function dataset(n = 300): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  for (let i = 0; i < n; i++)
    files[`${i % 3 === 0 ? "train" : "val"}/s${String(i).padStart(4, "0")}.txt`] = `sample ${i} ${"x".repeat(i * 7)}`;
  files["big/weights.bin"] = Buffer.alloc(40 * 1024, 3);
  files["run.sh"] = "#!/bin/sh\n";
  return files;
}

async function setup(n?: number) {
  const dir = await tempDir();
  await writeTree(join(dir, "src"), dataset(n));
  await chmod(join(dir, "src", "run.sh"), 0o755);
  const store = openStore(join(dir, "store"), { logger: silentLogger, cacheDir: join(dir, "cache") });
  const v = await store.version({ path: join(dir, "src"), name: "d", kind: "dataset", created: CREATED, packing: PACKING });
  return { dir, store, v };
}

function blob(dir: string, digest: string): string {
  return join(dir, "store", "blobs", "sha256", digest.slice("sha256:".length));
}

async function manifestOf(dir: string, digest: string): Promise<Manifest> {
  return JSON.parse(await readFile(blob(dir, digest), "utf8")) as Manifest;
}

describe("packed versions in a layout store", () => {
  it("stores small files in tar packs with a file index, large files as their own layers, and fetches the same tree", async () => {
    const { dir, store, v } = await setup();
    const manifest = await manifestOf(dir, v.digest);
    expect(manifest.layers[0]!.mediaType).toBe(FILE_INDEX_MEDIA_TYPE);
    const packs = manifest.layers.filter((l) => l.mediaType === PACK_MEDIA_TYPE);
    expect(packs.length).toBeGreaterThan(2);
    expect(manifest.layers.at(-1)).toMatchObject({ annotations: { "org.opencontainers.image.title": "big/weights.bin" } });
    expect(manifest.layers).toHaveLength(1 + packs.length + 1);
    expect(v.files).toHaveLength(302);
    // Any tar reads a pack.
    expect(execFileSync("tar", ["-tf", blob(dir, packs[0]!.digest)], { encoding: "utf8" })).toMatch(/^(train|val|run)/);

    const out = join(dir, "out");
    const fetched = await store.fetch("d:v1", out);
    expect(fetched.files).toHaveLength(302);
    expect(await readTree(out)).toEqual(await readTree(join(dir, "src")));
    expect((await stat(join(out, "run.sh"))).mode & 0o777).toBe(0o755);

    const listed = [];
    for await (const f of store.files("d:v1")) listed.push(f);
    expect(listed).toHaveLength(302);
    expect(listed.map((f) => f.path)).toEqual([...listed.map((f) => f.path)].sort());
    const weights = listed.find((f) => f.path === "big/weights.bin")!;
    expect(weights).toMatchObject({ size: 40 * 1024, digest: sha256sum(join(dir, "src", "big/weights.bin")), mode: "644" });
    expect(weights.pack).toBeUndefined();
    const one = listed.find((f) => f.path === "val/s0001.txt")!;
    expect(one.digest).toBe(sha256sum(join(dir, "src", "val/s0001.txt")));
    const packBytes = await readFile(blob(dir, one.pack!));
    expect(packBytes.subarray(one.offset!, one.offset! + one.size).toString()).toBe(
      await readFile(join(dir, "src", "val/s0001.txt"), "utf8"),
    );
    expect(listed.find((f) => f.path === "run.sh")!.mode).toBe("755");
  });

  it("--include fetches only matching files, and the destination holds exactly those", async () => {
    const { dir, store } = await setup();
    const out = join(dir, "out");
    const r = await store.fetch("d:v1", out, { include: ["train/**", "big"] });
    const tree = await readTree(out);
    expect(Object.keys(tree).every((p) => p.startsWith("train/") || p === "big/weights.bin")).toBe(true);
    expect(Object.keys(tree)).toHaveLength(101);
    expect(r.files).toHaveLength(101);
    expect(tree["train/s0003.txt"]).toBe(await readFile(join(dir, "src", "train/s0003.txt"), "utf8"));
    // Refetching all of it into the same directory is allowed (fetch wrote it) and completes the tree.
    await store.fetch("d:v1", out);
    expect(await readTree(out)).toEqual(await readTree(join(dir, "src")));
    const listed = [];
    for await (const f of store.files("d:v1", { include: ["val/s000?.txt"] })) listed.push(f.path);
    expect(listed).toEqual(["val/s0001.txt", "val/s0002.txt", "val/s0004.txt", "val/s0005.txt", "val/s0007.txt", "val/s0008.txt"]);
    await expect(store.fetch("d:v1", join(dir, "x"), { include: ["../etc"] })).rejects.toThrow(IncludePatternError);
    // One file: its byte range only, read from the layout's pack by seeking.
    const single = await store.fetch("d:v1", join(dir, "single"), { include: ["val/s0100.txt"] });
    expect(await readTree(join(dir, "single"))).toEqual({ "val/s0100.txt": await readFile(join(dir, "src", "val/s0100.txt"), "utf8") });
    expect(single.downloadedBytes).toBe(single.files[0]!.size);
  });

  it("a tampered pack byte, a tampered index and a truncated pack fail naming the file or blob, leaving the destination as it was", async () => {
    const { dir, store, v } = await setup();
    const out = join(dir, "out");
    await store.fetch("d:v1", out);
    const before = await readTree(out);
    const manifest = await manifestOf(dir, v.digest);
    const listed = [];
    for await (const f of store.files("d:v1")) listed.push(f);
    const victim = listed.find((f) => f.path === "val/s0010.txt")!;
    const packPath = blob(dir, victim.pack!);
    const original = await readFile(packPath);
    await chmod(packPath, 0o644);
    // Another tree in the destination, so "present" files cannot satisfy the fetch.
    await writeTree(out, { "val/s0010.txt": "changed locally" });
    const changedLocal = await readTree(out);

    const tampered = Buffer.from(original);
    tampered[victim.offset! + 2]! ^= 1;
    await writeFile(packPath, tampered);
    const e1 = await store.fetch("d:v1", out).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(BlobIntegrityError);
    expect((e1 as Error).message).toMatch(/ref d:v1: file val\/s0010\.txt: content does not match its sha256/);
    expect(await readTree(out)).toEqual(changedLocal);

    await writeFile(packPath, original.subarray(0, victim.offset! + 1));
    const e2 = await store.fetch("d:v1", out).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(BlobIntegrityError);
    expect((e2 as Error).message).toMatch(/file val\/s0010\.txt: .*truncated pack|file val\/s0010\.txt/);
    expect(await readTree(out)).toEqual(changedLocal);
    await writeFile(packPath, original);

    const indexPath = blob(dir, manifest.layers[0]!.digest);
    const index = await readFile(indexPath);
    await chmod(indexPath, 0o644);
    await writeFile(indexPath, Buffer.from(index.toString().replace("val/s0010.txt", "val/s0010.txx")));
    const e3 = await store.fetch("d:v1", out).catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(BlobIntegrityError);
    expect((e3 as Error).message).toMatch(/ref d:v1: file index: content does not match its digest/);
    expect(await readTree(out)).toEqual(changedLocal);
    await writeFile(indexPath, index);
    await store.fetch("d:v1", out);
    expect(await readTree(out)).toEqual(before);
  });

  it("refuses an index whose packs are not the manifest's pack layers", async () => {
    const { dir, store, v } = await setup();
    const manifest = await manifestOf(dir, v.digest);
    const other = { ...manifest, layers: manifest.layers.filter((_, i) => i !== 1) };
    const bytes = Buffer.from(JSON.stringify(other));
    const transport = store.transport;
    const digest = await transport.putManifest("d", bytes, "application/vnd.oci.image.manifest.v1+json");
    const error = await store.fetch(`d@${digest}`, join(dir, "o")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileIndexError);
    // Positions shift past the removed pack: an entry then names the wrong pack (or none) and is refused.
    expect((error as Error).message).toMatch(/file index sha256:[0-9a-f]{64}: line \d+: (file .*: (pack|offset)|expected files in each)/);
  });

  it("gives one digest for the same content whatever the mtimes and creation order", async () => {
    const dir = await tempDir();
    const files = dataset(120);
    await writeTree(join(dir, "a"), files);
    await writeTree(join(dir, "b"), Object.fromEntries(Object.entries(files).reverse()));
    await utimes(join(dir, "b", "val/s0001.txt"), 1000, 1000);
    const open = (name: string) => openStore(join(dir, `store-${name}`), { logger: silentLogger, cacheDir: join(dir, `cache-${name}`) });
    const a = await open("a").version({ path: join(dir, "a"), name: "d", kind: "dataset", created: CREATED, packing: PACKING });
    const b = await open("b").version({ path: join(dir, "b"), name: "d", kind: "dataset", created: CREATED, packing: PACKING });
    expect(b.digest).toBe(a.digest);
  });

  it("re-versions an unchanged tree from the stat and pack caches, and after one change stores one pack plus the index", async () => {
    const { dir, store, v } = await setup();
    const again = await store.version({ path: join(dir, "src"), name: "d", kind: "dataset", created: CREATED, packing: PACKING });
    expect(again.digest).toBe(v.digest);
    expect(again.version).toBe("v1");
    expect(again.uploadedBytes).toBe(0);
    expect(JSON.parse(await readFile(join(dir, "cache", "pack-cache.json"), "utf8")).version).toBe(1);

    const target = join(dir, "src", "val/s0100.txt");
    const content = await readFile(target, "utf8");
    await writeFile(target, content.replace("sample", "SAMPLE"));
    const changed = await store.version({ path: join(dir, "src"), name: "d", kind: "dataset", created: CREATED, packing: PACKING });
    expect(changed.version).toBe("v2");
    const m1 = await manifestOf(dir, v.digest);
    const m2 = await manifestOf(dir, changed.digest);
    const old = new Set(m1.layers.map((l) => l.digest));
    const added = m2.layers.filter((l) => !old.has(l.digest));
    expect(added.map((l) => l.mediaType).sort()).toEqual([FILE_INDEX_MEDIA_TYPE, PACK_MEDIA_TYPE].sort());
    // What was stored is exactly the new blobs as written (tar headers and index included).
    expect(changed.uploadedBytes).toBe(added.reduce((sum, l) => sum + l.size, 0));
    expect(changed.uploadedBytes + changed.reusedBytes).toBe(m2.layers.reduce((sum, l) => sum + l.size, 0));
    expect(v.uploadedBytes).toBe(m1.layers.reduce((sum, l) => sum + l.size, 0));
    expect(v.reusedBytes).toBe(0);
    expect(again.reusedBytes).toBe(v.uploadedBytes);
  });

  /** A dataset whose files are an hour old: past the stat cache's racy-git window, so its entries are trusted at once. */
  async function settled() {
    const dir = await tempDir();
    const files = dataset();
    await writeTree(join(dir, "src"), files);
    const old = Date.now() / 1000 - 3600;
    for (const name of Object.keys(files)) await utimes(join(dir, "src", name), old, old);
    const version = (store: string) =>
      openStore(join(dir, store), { logger: silentLogger, cacheDir: join(dir, "cache") }).version({
        path: join(dir, "src"),
        name: "d",
        kind: "dataset",
        created: CREATED,
        packing: PACKING,
      });
    return { dir, old, version };
  }

  it("an unchanged re-version rewrites neither the stat cache nor the pack cache; a change rewrites both", async () => {
    const { dir, old, version } = await settled();
    const statFile = join(dir, "cache", "stat-cache.json");
    const packFile = join(dir, "cache", "pack-cache.json");
    const v1 = await version("store");
    // Both are replaced by rename when written: a new inode is a rewrite.
    const before = [(await stat(statFile)).ino, (await stat(packFile)).ino];
    const again = await version("store");
    expect(again.digest).toBe(v1.digest);
    expect(again.uploadedBytes).toBe(0);
    expect([(await stat(statFile)).ino, (await stat(packFile)).ino]).toEqual(before);

    const target = join(dir, "src", "val/s0100.txt");
    await writeFile(target, (await readFile(target, "utf8")).replace("sample", "SAMPLE"));
    await utimes(target, old, old);
    const changed = await version("store");
    expect(changed.digest).not.toBe(v1.digest);
    expect((await stat(statFile)).ino).not.toBe(before[0]);
    expect((await stat(packFile)).ino).not.toBe(before[1]);
    const digest = changed.files.find((f) => f.title === "val/s0100.txt")!.digest;
    expect(digest).toBe(sha256sum(target));
    expect(await readFile(statFile, "utf8")).toContain(digest);
  });

  it("rebuilds packs from cached digests into a store that lacks them, and falls back to hashing when a pack digest does not match", async () => {
    const { dir, version } = await settled();
    const v1 = await version("a");
    // Another store, same caches: every file hits the stat cache and every pack the pack cache, but
    // the store lacks the blobs: packs are rebuilt without hashing files, checked by the pack digest.
    const b = await version("b");
    expect(b.digest).toBe(v1.digest);
    expect(b.files).toEqual(v1.files);
    // A stat cache entry with a wrong digest for one file, and a pack cache that expects, for the
    // pack planned with that digest, some other pack digest: the rebuild from cached digests gives
    // another digest, so the pack is built again hashing every file, and the wrong digest is
    // neither stored nor returned.
    const wrong = `sha256:${"0".repeat(64)}`;
    const victim = join(dir, "src", "val/s0100.txt");
    const statFile = join(dir, "cache", "stat-cache.json");
    const right = v1.files.find((f) => f.title === "val/s0100.txt")!.digest;
    const lines = (await readFile(statFile, "utf8")).split("\n");
    const at = lines.findIndex((l) => l.startsWith(`${victim}\t`));
    lines[at] = lines[at]!.replace(right, wrong);
    await writeFile(statFile, lines.join("\n"));
    const small = v1.files
      .filter((f) => f.size < PACKING.threshold)
      .map((f) => ({ ...f, mode: f.title === "run.sh" ? (0o755 as const) : (0o644 as const) }));
    const plan = planPacks(small, PACKING.target).find((p) => p.members.some((m) => m.file.title === "val/s0100.txt"))!;
    const key = packKey(plan.members.map(({ file }) => ({ ...file, digest: file.title === "val/s0100.txt" ? wrong : file.digest })));
    const packFile = join(dir, "cache", "pack-cache.json");
    const cache = JSON.parse(await readFile(packFile, "utf8")) as { entries: Record<string, { digest: string; size: number }> };
    cache.entries[key] = { digest: `sha256:${"1".repeat(64)}`, size: plan.size };
    await writeFile(packFile, JSON.stringify(cache));
    const c = await version("c");
    expect(c.digest).toBe(v1.digest);
    expect(c.files).toEqual(v1.files);
    expect(await readFile(statFile, "utf8")).not.toContain(wrong);
    await mkdir(join(dir, "out"));
    await openStore(join(dir, "c"), { logger: silentLogger, cacheDir: join(dir, "cache-fetch") }).fetch(`d@${c.digest}`, join(dir, "out"));
    expect(await readTree(join(dir, "out"))).toEqual(await readTree(join(dir, "src")));
  });

  it("writes its caches 0600 and believes no cache another user could have written (group- or other-writable)", async () => {
    const { dir, version } = await settled();
    const v = await version("a");
    const statFile = join(dir, "cache", "stat-cache.json");
    const packFile = join(dir, "cache", "pack-cache.json");
    expect((await stat(statFile)).mode & 0o777).toBe(0o600);
    expect((await stat(packFile)).mode & 0o777).toBe(0o600);
    // The poisoning a trusted cache cannot detect: a wrong digest for a file, and under the key
    // planned with it, the real pack's digest. Made group-writable, neither file is read.
    const wrong = `sha256:${"0".repeat(64)}`;
    const victim = join(dir, "src", "val/s0100.txt");
    const right = v.files.find((f) => f.title === "val/s0100.txt")!.digest;
    const lines = (await readFile(statFile, "utf8")).split("\n");
    const at = lines.findIndex((l) => l.startsWith(`${victim}\t`));
    lines[at] = lines[at]!.replace(right, wrong);
    await writeFile(statFile, lines.join("\n"));
    const small = v.files
      .filter((f) => f.size < PACKING.threshold)
      .map((f) => ({ ...f, mode: f.title === "run.sh" ? (0o755 as const) : (0o644 as const) }));
    const plans = planPacks(small, PACKING.target);
    const k = plans.findIndex((p) => p.members.some((m) => m.file.title === "val/s0100.txt"));
    const plan = plans[k]!;
    const manifest = JSON.parse(await readFile(join(dir, "a", "blobs", "sha256", v.digest.slice(7)), "utf8")) as Manifest;
    const realPack = manifest.layers.filter((l) => l.mediaType === PACK_MEDIA_TYPE)[k]!;
    const cache = JSON.parse(await readFile(packFile, "utf8")) as { entries: Record<string, { digest: string; size: number }> };
    cache.entries[packKey(plan.members.map(({ file }) => ({ ...file, digest: file.title === "val/s0100.txt" ? wrong : file.digest })))] = {
      digest: realPack.digest,
      size: realPack.size,
    };
    await writeFile(packFile, JSON.stringify(cache));
    await chmod(statFile, 0o664);
    await chmod(packFile, 0o664);
    const again = await version("other");
    expect(again.digest).toBe(v.digest);
    expect(again.files.find((f) => f.title === "val/s0100.txt")!.digest).toBe(right);
    // Rewritten from what was hashed, 0600 again: the poison is not carried over.
    expect(await readFile(statFile, "utf8")).not.toContain(wrong);
    expect((await stat(statFile)).mode & 0o777).toBe(0o600);
  });

  it("keeps versions written one layer per file readable: listing and --include fetch", async () => {
    const dir = await tempDir();
    await writeTree(join(dir, "src"), { "a/x.txt": "x", "b/y.txt": "y" });
    const store = openStore(join(dir, "store"), { logger: silentLogger, cacheDir: join(dir, "cache") });
    const v = await store.version({ path: join(dir, "src"), name: "m", kind: "model", created: CREATED });
    expect((await manifestOf(dir, v.digest)).layers.every((l) => l.mediaType === "application/octet-stream")).toBe(true);
    const listed = [];
    for await (const f of store.files("m:v1")) listed.push(f);
    expect(listed.map((f) => [f.path, f.size])).toEqual([
      ["a/x.txt", 1],
      ["b/y.txt", 1],
    ]);
    await mkdir(join(dir, "out"));
    await store.fetch("m:v1", join(dir, "out"), { include: ["b/**"] });
    expect(await readTree(join(dir, "out"))).toEqual({ "b/y.txt": "y" });
  });

  it("truncating the only pack to zero is caught too", async () => {
    const { dir, store, v } = await setup(30);
    const manifest = await manifestOf(dir, v.digest);
    const pack = manifest.layers.find((l) => l.mediaType === PACK_MEDIA_TYPE)!;
    await chmod(blob(dir, pack.digest), 0o644);
    await truncate(blob(dir, pack.digest), 0);
    await expect(store.fetch("d:v1", join(dir, "o"))).rejects.toThrow(BlobIntegrityError);
  });

  it("a pack target below the default threshold, with no threshold given, lowers the threshold with it (threshold ≤ target)", async () => {
    const dir = await tempDir();
    await writeTree(join(dir, "src"), dataset(20));
    const store = openStore(join(dir, "store"), { logger: silentLogger, cacheDir: join(dir, "cache") });
    const v = await store.version({
      path: join(dir, "src"),
      name: "d",
      kind: "dataset",
      created: CREATED,
      packing: { target: 65536, minFiles: 10 },
    });
    expect((await manifestOf(dir, v.digest)).layers[0]!.mediaType).toBe(FILE_INDEX_MEDIA_TYPE);
    const bad = await store
      .version({ path: join(dir, "src"), name: "d", kind: "dataset", packing: { threshold: 100_000, target: 65536 } })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InputError);
    expect((bad as Error).message).toMatch(/packing threshold 100000: expected a pack threshold of at most the pack target/);
  });

  it("--include matching no file fails with an InputError naming the pattern, before the destination is touched", async () => {
    const { dir, store } = await setup();
    const out = join(dir, "out");
    await store.fetch("d:v1", out);
    const before = await readTree(out);
    const error = await store.fetch("d:v1", out, { include: ["train/**", "tarin/**"] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnmatchedIncludeError);
    expect((error as UnmatchedIncludeError).patterns).toEqual(["tarin/**"]);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/--include "tarin\/\*\*": matches no file of the version/);
    expect(await readTree(out)).toEqual(before);
    // A version written one layer per file too.
    await writeTree(join(dir, "m"), { "a/x.txt": "x" });
    await store.version({ path: join(dir, "m"), name: "m", kind: "model", created: CREATED });
    await store.fetch("m:v1", join(dir, "mo"));
    const e2 = await store.fetch("m:v1", join(dir, "mo"), { include: ["b/**"] }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(InputError);
    expect((e2 as Error).message).toMatch(/--include "b\/\*\*": matches no file/);
    expect(await readTree(join(dir, "mo"))).toEqual({ "a/x.txt": "x" });
  });
});

/** Entries of a crafted index: sha256 filled in from the content. */
interface Crafted {
  path: string;
  content: string;
  mode?: "644" | "755";
  offset?: number;
}

describe("crafted packed versions: fetch reads the tree `tar x` would, or refuses", () => {
  const hex = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
  async function craft(pack: Buffer, entries: Crafted[]) {
    const { dir, store, v } = await setup(12);
    const base = await manifestOf(dir, v.digest);
    const lines = [JSON.stringify({ format: "llmops.file-index", version: 2, files: entries.length })];
    for (const e of entries)
      lines.push(
        JSON.stringify({
          path: e.path,
          size: Buffer.byteLength(e.content),
          sha256: hex(e.content),
          mode: e.mode ?? "644",
          pack: 0,
          offset: e.offset,
        }),
      );
    const index = Buffer.from(`${lines.join("\n")}\n`);
    const repo = store.repo("d");
    await store.transport.putBlobBytes(repo, `sha256:${hex(index)}`, index);
    await store.transport.putBlobBytes(repo, `sha256:${hex(pack)}`, pack);
    const manifest = {
      ...base,
      layers: [
        { mediaType: FILE_INDEX_MEDIA_TYPE, digest: `sha256:${hex(index)}`, size: index.length },
        { mediaType: PACK_MEDIA_TYPE, digest: `sha256:${hex(pack)}`, size: pack.length },
      ],
    };
    const digest = await store.transport.putManifest(
      repo,
      Buffer.from(JSON.stringify(manifest)),
      "application/vnd.oci.image.manifest.v1+json",
    );
    return { dir, store, ref: `d@${digest}` };
  }
  const member = (path: string, data: string | Buffer, mode: 0o644 | 0o755 = 0o644) => {
    const bytes = Buffer.from(data);
    const padded = Buffer.alloc(Math.ceil(bytes.length / 512) * 512);
    bytes.copy(padded);
    return Buffer.concat([tarHeader(path, bytes.length, mode), padded]);
  };
  async function refused(pack: Buffer, entries: Crafted[], error: RegExp) {
    const { dir, store, ref } = await craft(pack, entries);
    const out = join(dir, "crafted");
    const e = await store.fetch(ref, out).catch((x: unknown) => x);
    expect(e, String(e)).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(error);
    expect(await readdirOrNone(out)).toBeUndefined();
    const m = await store.materialize(ref, join(dir, "mat")).catch((x: unknown) => x);
    expect(m).toBeInstanceOf(InputError);
    expect((m as Error).message).toMatch(error);
  }

  it("a well-formed crafted pack fetches (the harness itself is sound)", async () => {
    const pack = Buffer.concat([member("a.txt", "hello"), member("b.txt", "world"), TAR_END]);
    const { dir, store, ref } = await craft(pack, [
      { path: "a.txt", content: "hello", offset: 512 },
      { path: "b.txt", content: "world", offset: 1536 },
    ]);
    await store.fetch(ref, join(dir, "ok"));
    expect(await readTree(join(dir, "ok"))).toEqual({ "a.txt": "hello", "b.txt": "world" });
  });

  it("refuses a tar member whose name differs from the index's (../../escape.txt listed as safe.txt)", async () => {
    const pack = Buffer.concat([member("../../escape.txt", "owned"), TAR_END]);
    await refused(
      pack,
      [{ path: "safe.txt", content: "owned", offset: 512 }],
      /tar member "\.\.\/\.\.\/escape\.txt".*the file index says "safe\.txt"/,
    );
  });

  it("refuses bytes hidden from the index: a member larger than its entry, padding that is not zero, an extra member, trailing bytes", async () => {
    // The tar member holds 600 bytes; the index claims the first 5 of them.
    await refused(
      Buffer.concat([member("a.txt", `hello${"x".repeat(595)}`), TAR_END]),
      [{ path: "a.txt", content: "hello", offset: 512 }],
      /600 bytes.*the file index says "a\.txt" \(5 bytes/,
    );
    // A member's padding carries data (no tar shows it, but the pack is not ours).
    const padded = Buffer.concat([member("a.txt", "hello"), TAR_END]);
    padded.write("hidden", 512 + 100);
    await refused(padded, [{ path: "a.txt", content: "hello", offset: 512 }], /padding after its data is not zero/);
    // A member the index does not list (tar x would create it; fetch would not).
    await refused(
      Buffer.concat([member("a.txt", "hello"), member("extra.txt", "surprise"), TAR_END]),
      [{ path: "a.txt", content: "hello", offset: 512 }],
      /tar member "extra\.txt".*lists 1 files in this pack, and no more/,
    );
    // Bytes after the end-of-archive blocks.
    await refused(
      Buffer.concat([member("a.txt", "hello"), TAR_END, Buffer.from("junk")]),
      [{ path: "a.txt", content: "hello", offset: 512 }],
      /bytes after the end-of-archive/,
    );
    // A mode the index does not say.
    await refused(
      Buffer.concat([member("a.txt", "hello", 0o755), TAR_END]),
      [{ path: "a.txt", content: "hello", offset: 512 }],
      /mode 755.*mode 644/,
    );
  });

  it("refuses an index offset pointing at a tar header (offset 0) or into another member", async () => {
    // The "file" at offset 0 would be the header's bytes themselves.
    const pack = Buffer.concat([member("a.txt", "hello"), TAR_END]);
    const headerBytes = pack.subarray(0, 5).toString("latin1");
    await refused(pack, [{ path: "a.txt", content: headerBytes, offset: 0 }], /file a\.txt: offset: expected at least 512/);
    const two = Buffer.concat([member("a.txt", "hello world"), member("b.txt", "x"), TAR_END]);
    await refused(
      two,
      [
        { path: "a.txt", content: "hello", offset: 512 },
        { path: "b.txt", content: "world", offset: 518 },
      ],
      /file b\.txt: offset: expected at least 1536/,
    );
  });

  it("refuses a path that is both a file and a directory with a FileIndexError (exit 2), not a raw EEXIST", async () => {
    const pack = Buffer.concat([member("a", "1"), member("a-b", "2"), member("a/b", "3"), TAR_END]);
    const { dir, store, ref } = await craft(pack, [
      { path: "a", content: "1", offset: 512 },
      { path: "a-b", content: "2", offset: 1536 },
      { path: "a/b", content: "3", offset: 2560 },
    ]);
    const e = await store.fetch(ref, join(dir, "x")).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FileIndexError);
    expect((e as FileIndexError).exitCode).toBe(2);
    expect((e as Error).message).toMatch(/path a\/b: a is a file and also a directory/);
  });
});

async function readdirOrNone(path: string): Promise<string[] | undefined> {
  const { readdir } = await import("node:fs/promises");
  return readdir(path).catch(() => undefined);
}

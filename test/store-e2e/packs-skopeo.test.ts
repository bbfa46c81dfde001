// Issue #14, interoperability: a version of many small files, packed into tar layers, is an OCI
// artifact standard tools can copy and unpack. skopeo (an independent client) copies it out of a
// real CNCF Distribution into an OCI layout, and plain `tar -x` of every layer of the standard tar
// media type gives back the tree that was versioned; skopeo's copy to another repository is one
// llmops fetches again, byte for byte.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "@llmops/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skopeo, startRegistry, type TestRegistry } from "../src/registry.ts";

const TAR_LAYER = "application/vnd.oci.image.layer.v1.tar";
const FILE_LAYER = "application/octet-stream";
const TITLE = "org.opencontainers.image.title";
/** Lowered with --pack-threshold / --pack-target so a small tree gives several packs and two own-layer files. */
const THRESHOLD = 64 * 1024;
const TARGET = 128 * 1024;

interface Layer {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}
interface Manifest {
  config: Layer;
  layers: Layer[];
}

let registry: TestRegistry;
let root: string;
beforeAll(async () => {
  registry = await startRegistry();
  root = await mkdtemp(join(tmpdir(), "llmops-packs-skopeo-"));
});
afterAll(async () => {
  await registry?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

async function llmops(cwd: string, args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = await main(args, { stdout, stderr, cwd, env: { LLMOPS_CACHE_DIR: join(cwd, ".cache") } });
  return { code, stdout: out, stderr: err };
}

/** A seeded PRNG (mulberry32): the same tree on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * About 300 files: train/val/test splits in nested class directories, an executable script, an
 * empty file, a name with a space and non-ASCII letters, a path longer than tar's 100-byte name
 * field and a file name longer than 100 bytes (both need ustar prefix or PAX headers), one byte
 * under the (lowered) pack threshold, and two files at or above it, which are layers of their own.
 */
async function writeDataset(dir: string): Promise<{ executable: string; large: string[] }> {
  const next = prng(1414);
  const files = new Map<string, Buffer>();
  const random = (size: number) => {
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i++) b[i] = next() & 0xff;
    return b;
  };
  const splits: [string, number][] = [
    ["train", 200],
    ["val", 40],
    ["test", 40],
  ];
  for (const [split, n] of splits) {
    for (let i = 0; i < n; i++) {
      const cls = ["cat", "dog", "bird", "fish"][i % 4]!;
      files.set(`${split}/${cls}/batch-${Math.floor(i / 16)}/${String(i).padStart(4, "0")}.jpg`, random(1 + (next() % 4000)));
    }
  }
  files.set("README.md", Buffer.from("# a dataset\n"));
  files.set("labels.csv", Buffer.from("path,label\ntrain/cat/0000.jpg,cat\n"));
  files.set("empty.txt", Buffer.alloc(0));
  files.set("notes/résumé du jeu 1.txt", Buffer.from("non-ASCII and spaces\n"));
  const deep = `deep/${"nested-directory-".repeat(4)}a/${"another-level-".repeat(4)}b/file.json`;
  files.set(deep, Buffer.from('{"deep":true}\n'));
  files.set(`long-names/${"x".repeat(120)}.txt`, Buffer.from("a file name over 100 bytes\n"));
  const executable = "scripts/prepare.sh";
  files.set(executable, Buffer.from("#!/bin/sh\necho prepare\n"));
  files.set("big/just-under.bin", random(THRESHOLD - 1));
  const large = ["big/embeddings.bin", "big/exactly-threshold.bin"];
  files.set(large[0]!, random(THRESHOLD + 40_000));
  files.set(large[1]!, random(THRESHOLD));
  for (const [path, bytes] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  await chmod(join(dir, executable), 0o755);
  return { executable, large };
}

/** Every regular file under `dir`: relative POSIX path -> sha256 and size. */
async function readTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    out.set(relative(dir, path).split("\\").join("/"), `${bytes.length} B ${createHash("sha256").update(bytes).digest("hex")}`);
  }
  return out;
}

/** The differences between two trees, as lines a failure shows (empty when equal). */
function treeDiff(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const [path, v] of expected) {
    if (!actual.has(path)) lines.push(`missing ${path}`);
    else if (actual.get(path) !== v) lines.push(`differs ${path}: ${actual.get(path)} instead of ${v}`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) lines.push(`extra ${path}`);
  return lines.sort();
}

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

let versioned: Promise<{ cwd: string; digest: string; tree: Map<string, string>; executable: string; large: string[] }> | undefined;
/** The dataset, versioned once into the registry (shared by the tests below). */
function version() {
  versioned ??= (async () => {
    const cwd = join(root, "work");
    await mkdir(cwd, { recursive: true });
    const { executable, large } = await writeDataset(join(cwd, "data"));
    const r = await llmops(cwd, [
      "version",
      "data",
      "--name",
      "team/many",
      "--kind",
      "dataset",
      "--store",
      `oci://${registry.host}/proj`,
      "--created",
      "2024-01-01T00:00:00Z",
      "--pack-threshold",
      String(THRESHOLD),
      "--pack-target",
      String(TARGET),
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const digest = JSON.parse(r.stdout).digest as string;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    return { cwd, digest, tree: await readTree(join(cwd, "data")), executable, large };
  })();
  return versioned;
}

describe("packed dataset versions and standard OCI tools (skopeo, tar)", () => {
  it("skopeo copies a packed version into an OCI layout, and tar -x of its tar layers rebuilds the tree", async () => {
    const { digest, tree, executable, large } = await version();
    expect(tree.size).toBeGreaterThan(280);

    // The manifest a standard client reads: small, and the digest we were told.
    const raw = skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${registry.host}/proj/team/many@${digest}`]);
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(256 * 1024);
    expect(sha256(Buffer.from(raw))).toBe(digest);
    const manifest = JSON.parse(raw) as Manifest;
    const packs = manifest.layers.filter((l) => l.mediaType === TAR_LAYER);
    // About 600 KiB of small files at a 128 KiB target: several packs, unpacked one after the other below.
    expect(packs.length).toBeGreaterThanOrEqual(2);
    // Packed: far fewer layers than files.
    expect(manifest.layers.length).toBeLessThan(tree.size / 10);

    // As a user types it, no flags: the copy keeps every digest (skopeo leaves the layers as they are).
    const oci = join(root, "skopeo-layout");
    skopeo(["copy", "-q", "--src-tls-verify=false", `docker://${registry.host}/proj/team/many@${digest}`, `oci:${oci}:v1`]);
    const index = JSON.parse(await readFile(join(oci, "index.json"), "utf8")) as { manifests: Layer[] };
    expect(index.manifests.map((m) => m.digest)).toEqual([digest]);
    const blob = (d: string) => join(oci, "blobs", "sha256", d.slice("sha256:".length));
    const copied = JSON.parse(await readFile(blob(digest), "utf8")) as Manifest;
    expect(copied).toEqual(manifest);

    // Unpack with tar alone: every layer of the standard tar media type, in manifest order.
    const out = join(root, "untarred");
    await mkdir(out);
    for (const layer of copied.layers.filter((l) => l.mediaType === TAR_LAYER)) {
      const bytes = await readFile(blob(layer.digest));
      expect(sha256(bytes)).toBe(layer.digest);
      expect(bytes.length).toBe(layer.size);
      execFileSync("tar", ["-xf", blob(layer.digest), "-C", out]);
    }
    // Files at or above the pack threshold are one plain layer each (titled, as before packs): exactly those two.
    const own = copied.layers.filter((l) => l.mediaType === FILE_LAYER && l.annotations?.[TITLE]);
    expect(own.map((l) => l.annotations![TITLE]).sort()).toEqual(large);
    const packed = new Map([...tree].filter(([path]) => !large.includes(path)));
    expect(treeDiff(packed, await readTree(out))).toEqual([]);
    expect((await stat(join(out, executable))).mode & 0o111).not.toBe(0);
    expect((await stat(join(out, "README.md"))).mode & 0o111).toBe(0);

    for (const layer of own) {
      const target = join(out, layer.annotations![TITLE]!);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(blob(layer.digest), target);
    }
    expect(treeDiff(tree, await readTree(out))).toEqual([]);
  }, 180_000);

  it("skopeo's registry-to-registry copy of a packed version is one llmops lists and fetches, every byte verified", async () => {
    const { cwd, digest, tree, executable } = await version();
    skopeo([
      "copy",
      "-q",
      "--src-tls-verify=false",
      "--dest-tls-verify=false",
      `docker://${registry.host}/proj/team/many@${digest}`,
      `docker://${registry.host}/mirror/team/many:v1`,
    ]);
    const store = `oci://${registry.host}/mirror`;
    const listed = await llmops(cwd, ["ls", "team/many:v1", "--files", "--store", store]);
    expect(listed.code, listed.stderr).toBe(0);
    for (const path of ["README.md", executable, "train/cat/batch-0/0000.jpg"]) expect(listed.stdout).toContain(path);

    const fetched = await llmops(cwd, ["fetch", "team/many:v1", "copy", "--store", store, "--json"]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout)).toMatchObject({ digest });
    expect(treeDiff(tree, await readTree(join(cwd, "copy")))).toEqual([]);
    expect((await stat(join(cwd, "copy", executable))).mode & 0o111).not.toBe(0);
  }, 180_000);
});

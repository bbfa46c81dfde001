import { chmod, lstat, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { InputError, silentLogger } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type TestRegistry } from "../../../test/src/registry.ts";
import { BlobIntegrityError, type ListedFile, type MaterializeResult, openStore, type Store } from "../src/index.ts";
import { exists, readTree, sha256sum, tempDir, writeTree } from "./helpers.ts";

// Packed versions (many small files: tar packs + a file index) through Store.materialize, which
// `llmops check` and feedback ingest use on dataset versions.

const CREATED = "2024-05-01T12:00:00.000Z";
const PACKING = { threshold: 16 * 1024, target: 64 * 1024, minFiles: 10 };
const BIG = "big/weights.bin";

function dataset(): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  for (let i = 0; i < 120; i++) files[`${i % 3 === 0 ? "train" : "val"}/s${String(i).padStart(4, "0")}.txt`] = `s${i} ${"y".repeat(i * 9)}`;
  files["empty.txt"] = "";
  files[BIG] = Buffer.alloc(40 * 1024, 7);
  files["run.sh"] = "#!/bin/sh\n";
  return files;
}
const COUNT = Object.keys(dataset()).length;
const TOTAL = Object.values(dataset()).reduce((s, c) => s + Buffer.byteLength(c), 0);
const BIG_SIZE = 40 * 1024;

async function versioned(spec: (dir: string) => string): Promise<{ dir: string; src: string; store: Store }> {
  const dir = await tempDir();
  const src = join(dir, "src");
  await writeTree(src, dataset());
  await chmod(join(src, "run.sh"), 0o755);
  const store = openStore(spec(dir), { logger: silentLogger, cacheDir: join(dir, "cache"), retryDelayMs: 10 });
  await store.version({ path: src, name: "d", kind: "dataset", created: CREATED, packing: PACKING });
  return { dir, src, store };
}

async function listed(store: Store): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  for await (const f of store.files("d:v1")) out.push(f);
  return out;
}

async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o777;
}

/** The destination and any stage beside it are gone. */
async function expectNothingLeft(out: string): Promise<void> {
  expect(await exists(out)).toBe(false);
  expect((await readdir(dirname(out))).filter((n) => n.includes("llmops-stage"))).toEqual([]);
}

/** Same tree, every file's digest recorded and checked independently, modes read-only. */
async function expectMaterialized(result: MaterializeResult, src: string, out: string): Promise<void> {
  expect(await readTree(out)).toEqual(await readTree(src));
  expect(result.files).toHaveLength(COUNT);
  expect(result.files.map((f) => f.title)).toEqual([...result.files.map((f) => f.title)].sort());
  for (const f of result.files) expect(f.digest).toBe(sha256sum(join(src, f.title)));
  expect(result.linkedBytes + result.copiedBytes).toBe(TOTAL);
  expect(await modeOf(join(out, "run.sh"))).toBe(0o555);
  expect(await modeOf(join(out, "val/s0001.txt"))).toBe(0o444);
  expect(await modeOf(join(out, BIG))).toBe(0o444);
}

/** Flips a byte of `victim`'s data inside its pack file (same size: only a hash can tell). */
async function tamperPack(path: string, victim: ListedFile): Promise<void> {
  const bytes = await readFile(path);
  bytes[victim.offset! + 1]! ^= 1;
  await chmod(path, 0o644);
  await writeFile(path, bytes);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BlobIntegrityError);
  expect((error as InputError).exitCode).toBe(2);
  return error as Error;
}

describe("materialize a packed version from a layout store", () => {
  const layout = (dir: string) => join(dir, "store");

  it("reads each pack whole into a new directory; the large file stays a hard link to its blob", async () => {
    const { dir, src, store } = await versioned(layout);
    const files = await listed(store);
    expect(files.filter((f) => f.pack).length).toBe(COUNT - 1);
    const out = join(dir, "out", "d");
    const events: number[] = [];
    const result = await store.materialize("d:v1", out, { onProgress: (e) => events.push(e.done) });
    expect(result).toMatchObject({ name: "d", version: "v1", path: out, linkedBytes: BIG_SIZE, copiedBytes: TOTAL - BIG_SIZE });
    await expectMaterialized(result, src, out);
    expect(result.files.find((f) => f.title === BIG)!.linked).toBe(true);
    expect(result.files.filter((f) => f.linked)).toHaveLength(1);
    const big = files.find((f) => f.path === BIG)!;
    const blob = join(dir, "store", "blobs", "sha256", big.digest.slice("sha256:".length));
    expect((await stat(join(out, BIG))).ino).toBe((await stat(blob)).ino);
    expect(events.at(-1)).toBe(TOTAL);
    expect((await readdir(join(dir, "out"))).filter((n) => n.includes("llmops-stage"))).toEqual([]);

    const copied = join(dir, "copied");
    const all = await store.materialize("d:v1", copied, { link: false });
    expect(all).toMatchObject({ linkedBytes: 0, copiedBytes: TOTAL });
    await expectMaterialized(all, src, copied);
    expect((await stat(join(copied, BIG))).ino).not.toBe((await stat(blob)).ino);
  });

  it("a tampered pack fails naming the file, leaving no directory and no stage", async () => {
    const { dir, store } = await versioned(layout);
    const victim = (await listed(store)).find((f) => f.path === "val/s0010.txt")!;
    await tamperPack(join(dir, "store", "blobs", "sha256", victim.pack!.slice("sha256:".length)), victim);
    const out = join(dir, "out", "d");
    const error = await rejection(store.materialize("d:v1", out));
    expect(error.message).toMatch(/^ref d:v1: file val\/s0010\.txt: content does not match its sha256 [a-f0-9]{64} in the file index/);
    await expectNothingLeft(out);
  });

  it("a pack that is another blob of the right size still fails: the pack digest is checked too", async () => {
    const { dir, store } = await versioned(layout);
    const victim = (await listed(store)).find((f) => f.path === "val/s0010.txt")!;
    const path = join(dir, "store", "blobs", "sha256", victim.pack!.slice("sha256:".length));
    // A byte of a tar header (not any file's data): every file still matches its sha256.
    const bytes = await readFile(path);
    bytes[victim.offset! - 512 + 300]! ^= 1;
    await chmod(path, 0o644);
    await writeFile(path, bytes);
    const out = join(dir, "out");
    const error = await rejection(store.materialize("d:v1", out));
    // Caught by the tar check (the header's checksum) before the digest, naming the pack either way.
    expect(error.message).toMatch(
      new RegExp(`^ref d:v1: pack ${victim.pack}: (content does not match its digest|not the tar the file index describes)`),
    );
    await expectNothingLeft(out);
  });

  it("still refuses an existing destination", async () => {
    const { dir, store } = await versioned(layout);
    const error = await store.materialize("d:v1", join(dir, "src")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/already exists; materialize writes a new directory/);
  });
});

describe("materialize a packed version from a registry store (CNCF Distribution)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });
  const remote = (repo: string) => () => `oci://${registry.host}/${repo}`;

  it("downloads every pack and the large file, verified", async () => {
    const { dir, src, store } = await versioned(remote("packed-ok"));
    const out = join(dir, "out");
    const result = await store.materialize("d:v1", out);
    expect(result).toMatchObject({ version: "v1", linkedBytes: 0, copiedBytes: TOTAL });
    await expectMaterialized(result, src, out);
  });

  it("a tampered registry pack fails naming the file, leaving no directory and no stage", async () => {
    const { dir, store } = await versioned(remote("packed-tamper"));
    const victim = (await listed(store)).find((f) => f.path === "train/s0009.txt")!;
    const hex = victim.pack!.slice("sha256:".length);
    await tamperPack(join(registry.storageDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data"), victim);
    const out = join(dir, "out");
    const error = await rejection(store.materialize("d:v1", out));
    expect(error.message).toMatch(/^ref d:v1: file train\/s0009\.txt: content does not match its sha256/);
    await expectNothingLeft(out);
  });
});

import { createHash, randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { InputError, silentLogger } from "@llmops/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type TestRegistry } from "../../../test/src/registry.ts";
import { BlobIntegrityError, InvalidManifestError, type MaterializeResult, openStore, type Store } from "../src/index.ts";
import { exists, readTree, sha256sum, tempDir, writeTree } from "./helpers.ts";

const CREATED = "2024-05-01T12:00:00.000Z";
// Literal OCI values (image-spec media-types.md, annotations.md), not the code's constants.
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const TITLE = "org.opencontainers.image.title";
const FILES = {
  "weights.bin": randomBytes(300_000),
  "tokenizer/vocab.txt": "a\nb\nc\n",
  "config.json": '{"layers":2}',
};
const TOTAL = Object.values(FILES).reduce((s, c) => s + Buffer.byteLength(c), 0);

/** /dev/shm is tmpfs here: another filesystem than the OS temp dir, where hard links are refused (EXDEV). */
const SHM = "/dev/shm";
const shmDirs: string[] = [];
afterEach(async () => {
  await Promise.all(shmDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function setup() {
  const dir = await tempDir();
  const src = join(dir, "src");
  await writeTree(src, FILES);
  const storeDir = join(dir, "store");
  const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
  const v = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
  const blob = (title: string) => join(storeDir, "blobs", "sha256", v.files.find((f) => f.title === title)!.digest.slice(7));
  return { dir, src, storeDir, store, v, blob };
}

/** A temp dir on another filesystem than the store, or undefined (with why) when there is none. */
async function otherFilesystem(storeDir: string): Promise<{ dir?: string; why?: string }> {
  let shm: Awaited<ReturnType<typeof stat>>;
  try {
    shm = await stat(SHM);
  } catch {
    return { why: `${SHM} does not exist` };
  }
  if (shm.dev === (await stat(storeDir)).dev) return { why: `${SHM} is on the same filesystem as ${storeDir}` };
  const dir = await mkdtemp(join(SHM, "llmops-materialize-"));
  shmDirs.push(dir);
  return { dir };
}

/** Different bytes of the same size in the layout's blob file: the size check alone cannot see it. */
async function tamper(path: string): Promise<void> {
  const bytes = await readFile(path);
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0xff;
  await chmod(path, 0o644);
  await writeFile(path, bytes);
  await chmod(path, 0o444);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).exitCode).toBe(2);
  expect((error as Error).message).not.toContain("\n");
  return error as Error;
}

/** Nothing materialize may leave behind after a failure: the destination, or a stage beside it. */
async function expectNothingLeft(out: string): Promise<void> {
  expect(await exists(out)).toBe(false);
  expect((await readdir(dirname(out))).filter((n) => n.includes("llmops-stage"))).toEqual([]);
}

async function modeOf(path: string): Promise<number> {
  return (await lstat(path)).mode & 0o777;
}

function expectFiles(result: MaterializeResult, linked: boolean): void {
  expect(result.files.map((f) => [f.title, f.size, f.linked])).toEqual([
    ["config.json", Buffer.byteLength(FILES["config.json"]), linked],
    ["tokenizer/vocab.txt", Buffer.byteLength(FILES["tokenizer/vocab.txt"]), linked],
    ["weights.bin", FILES["weights.bin"].length, linked],
  ]);
}

describe("materialize from a layout store", () => {
  it("same filesystem: every file is a hard link to its read-only blob, no byte copied", async () => {
    const { dir, src, storeDir, v, store, blob } = await setup();
    const out = join(dir, "serving", "m", "1");
    const events: number[] = [];
    const result = await store.materialize("m:v1", out, { onProgress: (e) => events.push(e.done) });
    expect(result).toMatchObject({ name: "m", digest: v.digest, version: "v1", path: out, linkedBytes: TOTAL, copiedBytes: 0 });
    expectFiles(result, true);
    expect(await readTree(out)).toEqual(await readTree(src));
    for (const { title, digest } of result.files) {
      const [file, stored] = await Promise.all([lstat(join(out, title)), lstat(blob(title))]);
      expect(file.ino).toBe(stored.ino);
      expect(file.dev).toBe(stored.dev);
      expect(await modeOf(join(out, title))).toBe(0o444);
      expect(sha256sum(join(out, title))).toBe(digest);
    }
    // The layout writes every blob read-only, linked or not: config and manifest blobs too.
    for (const name of await readdir(join(storeDir, "blobs", "sha256"))) {
      expect(await modeOf(join(storeDir, "blobs", "sha256", name))).toBe(0o444);
    }
    expect(events.at(-1)).toBe(TOTAL);
    expect((await readdir(dirname(out))).filter((n) => n.includes("llmops-stage"))).toEqual([]);
  });

  it("a blob an older layout left writable is made read-only before it is linked", async () => {
    const { dir, store, blob } = await setup();
    await chmod(blob("weights.bin"), 0o644);
    const out = join(dir, "out");
    const result = await store.materialize("m:v1", out);
    expect(result.copiedBytes).toBe(0);
    expect(await modeOf(blob("weights.bin"))).toBe(0o444);
    expect(await modeOf(join(out, "weights.bin"))).toBe(0o444);
  });

  it("link: false copies every file, verified, read-only and not sharing the blob's inode", async () => {
    const { dir, src, store, blob } = await setup();
    const out = join(dir, "out");
    const result = await store.materialize("m@" + (await store.resolve("m:v1")).digest, out, { link: false });
    expect(result).toMatchObject({ linkedBytes: 0, copiedBytes: TOTAL, version: "v1" });
    expectFiles(result, false);
    expect(await readTree(out)).toEqual(await readTree(src));
    for (const { title } of result.files) {
      expect((await lstat(join(out, title))).ino).not.toBe((await lstat(blob(title))).ino);
      expect(await modeOf(join(out, title))).toBe(0o444);
    }
    await tamper(blob("weights.bin"));
    const again = join(dir, "again");
    const error = await rejection(store.materialize("m:v1", again, { link: false }));
    expect(error).toBeInstanceOf(BlobIntegrityError);
    expect(error.message).toMatch(/^ref m:v1: file weights\.bin: content does not match its digest sha256:[a-f0-9]{64}/);
    await expectNothingLeft(again);
  });

  it("another filesystem (/dev/shm): links are refused, so every file is copied and verified", async (ctx) => {
    const { src, storeDir, store } = await setup();
    const other = await otherFilesystem(storeDir);
    if (!other.dir) return ctx.skip(other.why);
    const out = join(other.dir, "m");
    const result = await store.materialize("m:v1", out);
    expect(result).toMatchObject({ linkedBytes: 0, copiedBytes: TOTAL });
    expectFiles(result, false);
    expect(await readTree(out)).toEqual(await readTree(src));
    for (const { title, digest } of result.files) {
      expect(sha256sum(join(out, title))).toBe(digest);
      expect(await modeOf(join(out, title))).toBe(0o444);
    }
  });

  it("a tampered blob: the cross-filesystem copy fails naming the file, leaving no directory and no stage", async (ctx) => {
    const { storeDir, store, blob } = await setup();
    const other = await otherFilesystem(storeDir);
    if (!other.dir) return ctx.skip(other.why);
    await tamper(blob("weights.bin"));
    const out = join(other.dir, "nested", "m");
    const error = await rejection(store.materialize("m:v1", out));
    expect(error).toBeInstanceOf(BlobIntegrityError);
    expect(error.message).toMatch(/^ref m:v1: file weights\.bin: content does not match its digest/);
    await expectNothingLeft(out);
  });

  it("a tampered blob on the same filesystem: trusted when linked (verified at ingest), caught with verify: true", async () => {
    const { dir, store, blob } = await setup();
    await tamper(blob("weights.bin"));
    const trusted = join(dir, "trusted");
    expect((await store.materialize("m:v1", trusted)).linkedBytes).toBe(TOTAL);
    const out = join(dir, "verified");
    const error = await rejection(store.materialize("m:v1", out, { verify: true }));
    expect(error).toBeInstanceOf(BlobIntegrityError);
    expect(error.message).toMatch(/^ref m:v1: file weights\.bin: content does not match its digest/);
    await expectNothingLeft(out);
    // The blob keeps its links' count: the failed stage's link was removed with the stage.
    expect((await lstat(blob("weights.bin"))).nlink).toBe(2);
  });

  it("a blob whose size differs from the manifest is refused even when linking without verify", async () => {
    const { dir, store, blob } = await setup();
    await chmod(blob("weights.bin"), 0o644);
    await writeFile(blob("weights.bin"), "short");
    const out = join(dir, "out");
    const error = await rejection(store.materialize("m:v1", out));
    expect(error).toBeInstanceOf(BlobIntegrityError);
    expect(error.message).toMatch(/file weights\.bin: content does not match its digest .*\(got 5 bytes, expected 300000\)/);
    await expectNothingLeft(out);
  });

  it("refuses a destination that exists (directory, even empty, or file), or lies inside the store", async () => {
    const { dir, storeDir, store } = await setup();
    const empty = join(dir, "empty");
    await mkdir(empty);
    expect((await rejection(store.materialize("m:v1", empty))).message).toBe(
      `destination ${empty}: already exists; materialize writes a new directory, expected a path that does not exist`,
    );
    expect(await readdir(empty)).toEqual([]);
    const file = join(dir, "file");
    await writeFile(file, "mine");
    await rejection(store.materialize("m:v1", file));
    expect(await readFile(file, "utf8")).toBe("mine");
    expect((await readdir(dir)).filter((n) => n.includes("llmops-stage"))).toEqual([]);
    const inside = join(storeDir, "blobs", "m");
    expect((await rejection(store.materialize("m:v1", inside))).message).toMatch(/is inside the store/);
    expect(await exists(inside)).toBe(false);
  });

  it("an abort leaves no directory and no stage", async () => {
    const { dir, store } = await setup();
    const out = join(dir, "out");
    const controller = new AbortController();
    const error = await store
      .materialize("m:v1", out, { link: false, signal: controller.signal, onProgress: () => controller.abort() })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe("AbortError");
    await expectNothingLeft(out);
  });

  it("refuses a crafted manifest whose title escapes the destination, before writing anything", async () => {
    const { dir, store } = await setup();
    const sha = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;
    await store.transport.putBlobBytes("m", sha("x"), Buffer.from("x"));
    await store.transport.putBlobBytes("m", sha("{}"), Buffer.from("{}"));
    const craft = async (title: string) =>
      store.transport.putManifest(
        "m",
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MANIFEST_TYPE,
            config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha("{}"), size: 2 },
            layers: [{ mediaType: "application/octet-stream", digest: sha("x"), size: 1, annotations: { [TITLE]: title } }],
          }),
        ),
        MANIFEST_TYPE,
      );
    const out = join(dir, "a", "out");
    for (const title of ["../../evil", "/etc/evil", "a/./evil"]) {
      const error = await rejection(store.materialize(`m@${await craft(title)}`, out));
      expect(error).toBeInstanceOf(InvalidManifestError);
      expect(error.message).toContain(`["${TITLE}"]`);
    }
    expect(await exists(join(dir, "evil"))).toBe(false);
    expect(await exists(join(dir, "a"))).toBe(false);
  });
});

describe("materialize from a registry store (CNCF Distribution)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  async function pushed(repo: string): Promise<{ dir: string; src: string; store: Store }> {
    const dir = await tempDir();
    const src = join(dir, "src");
    await writeTree(src, FILES);
    const store = openStore(`oci://${registry.host}/${repo}`, { logger: silentLogger, cacheDir: join(dir, "cache"), retryDelayMs: 10 });
    await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    return { dir, src, store };
  }

  it("downloads every file verified (no blob file to link)", async () => {
    const { dir, src, store } = await pushed("ok");
    const out = join(dir, "out");
    const result = await store.materialize("m:v1", out);
    expect(result).toMatchObject({ version: "v1", linkedBytes: 0, copiedBytes: TOTAL });
    expectFiles(result, false);
    expect(await readTree(out)).toEqual(await readTree(src));
    expect(await modeOf(join(out, "weights.bin"))).toBe(0o444);
  });

  it("a tampered registry blob fails naming the file, leaving no directory and no stage", async () => {
    const { dir, store } = await pushed("tamper");
    const hex = createHash("sha256").update(FILES["weights.bin"]).digest("hex");
    await tamper(join(registry.storageDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data"));
    const out = join(dir, "out");
    const error = await rejection(store.materialize("m:v1", out));
    expect(error).toBeInstanceOf(BlobIntegrityError);
    expect(error.message).toMatch(/^ref m:v1: file weights\.bin: content does not match its digest/);
    await expectNothingLeft(out);
  });
});

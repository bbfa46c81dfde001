import { lstat, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { DestinationNotEmptyError, LayoutTransport, openStore } from "../src/index.ts";
import { Store } from "../src/store.ts";
import { readTree, tempDir, writeTree } from "./helpers.ts";

const CREATED = "2024-05-01T12:00:00.000Z";
const V1 = { "a.txt": "alpha", "keep/same.txt": "same", "old-only.txt": "only in v1" };
const V2 = { "a.txt": "alpha 2", "keep/same.txt": "same", "new/b.txt": "only in v2" };

async function setup(options: { mountPoint?: boolean } = {}) {
  const dir = await tempDir();
  const storeDir = join(dir, "store");
  const cacheDir = join(dir, "cache");
  const store =
    options.mountPoint === undefined
      ? openStore(storeDir, { logger: silentLogger, cacheDir })
      : new Store(new LayoutTransport(storeDir), {
          logger: silentLogger,
          statCachePath: join(cacheDir, "stat-cache.json"),
          isMountPoint: async () => options.mountPoint === true,
        });
  await writeTree(join(dir, "v1"), V1);
  await writeTree(join(dir, "v2"), V2);
  await store.version({ path: join(dir, "v1"), name: "m", kind: "model", created: CREATED });
  await store.version({ path: join(dir, "v2"), name: "m", kind: "model", created: CREATED });
  return { dir, store, cacheDir, out: join(dir, "out") };
}

/** Every entry under root with its inode, mode and content: "untouched" means all of it unchanged. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of (await readdir(root, { recursive: true })).sort()) {
    const st = await lstat(join(root, entry), { bigint: true });
    out[entry] = st.isDirectory()
      ? `dir ${st.ino} ${st.mode}`
      : `${st.ino} ${st.mtimeNs} ${(await readFile(join(root, entry))).toString("base64")}`;
  }
  return out;
}

async function refusal(promise: Promise<unknown>): Promise<DestinationNotEmptyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DestinationNotEmptyError);
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).exitCode).toBe(2);
  return error as DestinationNotEmptyError;
}

for (const mountPoint of [false, true]) {
  describe(`fetch into a non-empty directory (${mountPoint ? "a mount point" : "a plain directory"})`, () => {
    it("refuses one that no fetch wrote, naming it and --replace, and leaves it untouched", async () => {
      const { dir, store, out } = await setup({ mountPoint });
      await writeTree(out, { "notes.txt": "mine", "a.txt": "my own a", "deep/x/y.bin": "y" });
      const before = await snapshot(out);
      const error = await refusal(store.fetch("m:v1", out));
      expect(error.message).toBe(
        `destination ${out} is not empty and was not written by llmops fetch; pass --replace to make it hold exactly m:v1 (files not in it are removed)`,
      );
      expect(await snapshot(out)).toEqual(before);
      expect((await readdir(dir)).sort()).toEqual(["cache", "out", "store", "v1", "v2"]);
    });

    it("with replace: true makes it hold exactly the version", async () => {
      const { store, out } = await setup({ mountPoint });
      await writeTree(out, { "notes.txt": "mine", "a.txt": "my own a" });
      await store.fetch("m:v1", out, { replace: true });
      expect(await readTree(out)).toEqual(V1);
    });

    it("replaces, without the flag, a directory an earlier fetch wrote with a newer version", async () => {
      const { store, out } = await setup({ mountPoint });
      await store.fetch("m:v1", out);
      const second = await store.fetch("m:v2", out);
      expect(await readTree(out)).toEqual(V2);
      expect(second.files.find((f) => f.title === "keep/same.txt")?.source).toBe("present");
      // And back, after someone edited one of its files and removed another.
      await writeFile(join(out, "a.txt"), "edited");
      await rm(join(out, "new"), { recursive: true });
      await store.fetch("m:v1", out);
      expect(await readTree(out)).toEqual(V1);
    });

    it("refuses one an earlier fetch wrote once someone added a file to it", async () => {
      const { store, out } = await setup({ mountPoint });
      await store.fetch("m:v1", out);
      await writeFile(join(out, "keep", "notes.txt"), "mine");
      const before = await snapshot(out);
      await refusal(store.fetch("m:v2", out));
      expect(await snapshot(out)).toEqual(before);
      await mkdir(join(out, "empty-but-mine"));
      await rm(join(out, "keep", "notes.txt"));
      await refusal(store.fetch("m:v2", out));
    });
  });
}

describe("what counts as written by an earlier fetch", () => {
  it("an empty or missing destination needs nothing", async () => {
    const { store, out } = await setup();
    await store.fetch("m:v1", out);
    await rm(out, { recursive: true });
    await mkdir(out);
    await store.fetch("m:v1", out);
    expect(await readTree(out)).toEqual(V1);
  });

  it("not a directory made again at the same path with the same files (another inode)", async () => {
    const { dir, store, out } = await setup();
    await store.fetch("m:v1", out);
    await rm(out, { recursive: true });
    await writeTree(out, { ...V1 });
    await refusal(store.fetch("m:v2", out));
    expect(await readTree(out)).toEqual(V1);
    // Nor a fetched directory moved elsewhere: the record is by real path.
    await store.fetch("m:v1", join(dir, "first"));
    await import("node:fs/promises").then((fs) => fs.rename(join(dir, "first"), join(dir, "moved")));
    await refusal(store.fetch("m:v2", join(dir, "moved")));
  });

  it("is remembered in the cache directory, never inside the destination; without the record the flag is needed", async () => {
    const { store, out, cacheDir } = await setup();
    await store.fetch("m:v1", out);
    expect((await readdir(out)).sort()).toEqual(["a.txt", "keep", "old-only.txt"]);
    const record = JSON.parse(await readFile(join(cacheDir, "fetched.json"), "utf8"));
    expect(Object.keys(record.destinations)).toEqual([out]);
    expect(record.destinations[out].titles).toEqual(["a.txt", "keep/same.txt", "old-only.txt"]);
    await writeFile(join(cacheDir, "fetched.json"), "{ not json");
    await refusal(store.fetch("m:v2", out));
    await store.fetch("m:v2", out, { replace: true });
    expect(await readTree(out)).toEqual(V2);
  });

  it("concurrent fetches into different directories all get recorded", async () => {
    const { dir, store, cacheDir } = await setup();
    const outs = [0, 1, 2, 3, 4, 5].map((n) => join(dir, `out${n}`));
    await Promise.all(outs.map((out) => store.fetch("m:v1", out)));
    const record = JSON.parse(await readFile(join(cacheDir, "fetched.json"), "utf8"));
    expect(Object.keys(record.destinations).sort()).toEqual(outs);
    for (const out of outs) await store.fetch("m:v2", out);
  });

  it("leftovers of an interrupted swap inside a mount point are not someone's files", async () => {
    const { store, out } = await setup({ mountPoint: true });
    await store.fetch("m:v1", out);
    await writeTree(out, { ".llmops-old-0123456789ab/a.txt": "old", ".llmops-staging-ba9876543210/x": "x" });
    await store.fetch("m:v2", out);
    expect(await readTree(out)).toEqual(V2);
  });
});

import { chmod, lstat, mkdir, readdir, readFile, rename, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { isMountPoint, LayoutTransport, openStore } from "../src/index.ts";
import { Store } from "../src/store.ts";
import { stageTree } from "../src/tree.ts";
import { readTree, tempDir, writeTree } from "./helpers.ts";

const CREATED = "2024-05-01T12:00:00.000Z";

async function setup(files: Record<string, string | Buffer>, options: { mountPoint?: boolean } = {}) {
  const dir = await tempDir();
  const src = join(dir, "src");
  await writeTree(src, files);
  const storeDir = join(dir, "store");
  const store =
    options.mountPoint === undefined
      ? openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") })
      : new Store(new LayoutTransport(storeDir), {
          logger: silentLogger,
          statCachePath: join(dir, "cache", "stat-cache.json"),
          isMountPoint: async () => options.mountPoint === true,
        });
  const v = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
  return { dir, src, storeDir, store, v, out: join(dir, "out") };
}

/** Every entry under root (directories too, with a trailing /), with what identifies its bytes and inode. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of (await readdir(root, { recursive: true })).sort()) {
    const st = await lstat(join(root, entry), { bigint: true });
    out[st.isDirectory() ? `${entry}/` : entry] = st.isDirectory()
      ? `dir ${st.mode}`
      : `${st.ino} ${st.mtimeNs} ${st.mode} ${(await readFile(join(root, entry))).toString("base64")}`;
  }
  return out;
}

async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((n) => n.includes("llmops-"));
}

async function tamper(storeDir: string, digest: string): Promise<void> {
  const path = join(storeDir, "blobs", "sha256", digest.slice(7));
  const bytes = await readFile(path);
  bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0xff;
  await chmod(path, 0o644); // layout blobs are read-only
  await writeFile(path, bytes);
}

const FILES = { "a.txt": "alpha", "keep/same.txt": "same", "z-late.bin": Buffer.alloc(50_000, 7) };

for (const mountPoint of [false, true]) {
  const where = mountPoint ? "a mount point (staged inside)" : "a directory (staged beside)";
  describe(`fetch into ${where}`, () => {
    it("leaves exactly the version: files and directories not in it are removed", async () => {
      const { src, store, out } = await setup(FILES, { mountPoint });
      await writeTree(out, { "extra.txt": "stale", "old-dir/deep/x.bin": "x", "a.txt": "edited", "keep/same.txt": "same" });
      await mkdir(join(out, "empty-dir"));
      const result = await store.fetch("m:v1", out, { replace: true });
      expect(await readTree(out)).toEqual(await readTree(src));
      expect((await readdir(out)).sort()).toEqual(["a.txt", "keep", "z-late.bin"]);
      expect(Object.fromEntries(result.files.map((f) => [f.title, f.source]))).toEqual({
        "a.txt": "store",
        "keep/same.txt": "present",
        "z-late.bin": "store",
      });
      expect(await leftovers(join(out, ".."))).toEqual([]);
    });

    it("replaces a directory of the old tree by a file of the new one, and a file by a directory", async () => {
      const { src, store, out } = await setup({ b: "now a file", "c/inner.txt": "now a dir" }, { mountPoint });
      await writeTree(out, { "b/old.txt": "was a dir", c: "was a file" });
      await store.fetch("m:v1", out, { replace: true });
      expect(await readTree(out)).toEqual(await readTree(src));
    });

    it("a tampered blob discovered last leaves the old tree byte-identical, with nothing left behind", async () => {
      const { storeDir, store, out, v } = await setup(FILES, { mountPoint });
      await tamper(storeDir, v.files.find((f) => f.title === "z-late.bin")!.digest);
      await writeTree(out, { "extra.txt": "stale", "a.txt": "edited", "keep/same.txt": "same", "sub/x": "x" });
      const before = await snapshot(out);
      const error = await store.fetch("m:v1", out, { replace: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as Error).message).toMatch(/file z-late\.bin: content does not match its digest/);
      expect(await snapshot(out)).toEqual(before);
      expect(await leftovers(join(out, ".."))).toEqual([]);
    });

    it("keeps a file already present as the same inode (hard link, no bytes copied)", async () => {
      const { store, out } = await setup(FILES, { mountPoint });
      await writeTree(out, { "keep/same.txt": "same" });
      const before = await stat(join(out, "keep/same.txt"));
      await store.fetch("m:v1", out, { replace: true });
      expect((await stat(join(out, "keep/same.txt"))).ino).toBe(before.ino);
    });
  });
}

describe("fetch destination", () => {
  it("keeps the destination directory's permissions when it swaps the tree in beside it", async () => {
    const { store, out } = await setup(FILES);
    await mkdir(out);
    await chmod(out, 0o750);
    await store.fetch("m:v1", out);
    expect((await stat(out)).mode & 0o777).toBe(0o750);
  });

  it("inside a mount point the destination stays the same directory (a mount point cannot be replaced)", async () => {
    const { store, out } = await setup(FILES, { mountPoint: true });
    await writeTree(out, { "extra.txt": "x" });
    const before = await stat(out);
    await store.fetch("m:v1", out, { replace: true });
    expect((await stat(out)).ino).toBe(before.ino);
    expect((await readdir(out)).sort()).toEqual(["a.txt", "keep", "z-late.bin"]);
  });

  it("refuses a destination that holds the working directory or the store, or lies inside the store", async () => {
    const { dir, storeDir, src } = await setup(FILES);
    await writeTree(join(dir, "work"), { "notes.txt": "mine" });
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache"), cwd: join(dir, "work") });
    await expect(store.fetch("m:v1", ".")).rejects.toThrow(/work: holds the working directory .*expected a directory of its own/);
    await expect(store.fetch("m:v1", dir)).rejects.toThrow(/holds the working directory|holds the store/);
    await expect(store.fetch("m:v1", join(storeDir, "blobs"))).rejects.toThrow(/is inside the store/);
    expect(await readTree(join(dir, "work"))).toEqual({ "notes.txt": "mine" });
    expect((await store.fetch("m:v1", "out")).path).toBe(join(dir, "work", "out"));
    expect(await readTree(join(dir, "work", "out"))).toEqual(await readTree(src));
  });

  it("refuses a destination that is a file or a symbolic link", async () => {
    const { dir, store, out } = await setup(FILES);
    await writeFile(out, "a file");
    await expect(store.fetch("m:v1", out)).rejects.toThrow(/destination .*out: exists and is not a directory/);
    await writeTree(join(dir, "real"), { "keep.txt": "k" });
    await symlink(join(dir, "real"), join(dir, "link"));
    await expect(store.fetch("m:v1", join(dir, "link"))).rejects.toThrow(/link: is a symbolic link/);
    expect(await readTree(join(dir, "real"))).toEqual({ "keep.txt": "k" });
  });
});

describe("isMountPoint", () => {
  const probe = (devs: Record<string, number>, mountinfo?: string) => ({
    stat: async (path: string) => ({ dev: devs[path] ?? 1 }),
    mountinfo: async () => mountinfo,
  });
  // /proc/self/mountinfo lines as proc(5) documents them (field 5 is the mount point).
  const INFO = [
    "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
    "61 36 98:0 /data/x /srv/with\\040space rw - ext4 /dev/sda1 rw",
  ].join("\n");

  it("is true on another device than the parent", async () => {
    expect(await isMountPoint("/srv/out", probe({ "/srv/out": 2, "/srv": 1 }))).toBe(true);
  });
  it("is false on the parent's device when mountinfo does not list it", async () => {
    expect(await isMountPoint("/srv/out", probe({}, INFO))).toBe(false);
    expect(await isMountPoint("/srv/out", probe({}))).toBe(false);
  });
  it("is true for a bind mount of the same device listed in mountinfo (octal escapes decoded)", async () => {
    expect(await isMountPoint("/mnt/parent", probe({}, INFO))).toBe(true);
    expect(await isMountPoint("/srv/with space", probe({}, INFO))).toBe(true);
  });
  it("is true for /", async () => {
    expect(await isMountPoint("/", probe({}))).toBe(true);
  });
  it("on this machine: /proc is one, a fresh temp dir is not", async () => {
    expect(await isMountPoint("/proc")).toBe(true);
    expect(await isMountPoint(await tempDir())).toBe(false);
  });
});

describe("stageTree: an error midway through the swap puts the old tree back", () => {
  const OLD = { "a.txt": "old a", "d/x.txt": "old x", "e.txt": "old e" };
  const NEW = { "a.txt": "new a", "n/y.txt": "new y" };

  function failingOn(n: number) {
    let calls = 0;
    return async (from: string, to: string) => {
      if (++calls === n) throw new Error(`injected failure on rename ${n}`);
      await rename(from, to);
    };
  }

  // Inside: 3 old entries moved aside, then 2 new ones moved in. Beside: dest aside, then staging in.
  it.each([1, 2, 3, 4, 5])("inside the destination, failing on rename %i", async (n) => {
    const dir = await tempDir();
    const dest = join(dir, "out");
    await writeTree(dest, OLD);
    const before = await snapshot(dest);
    const tree = await stageTree(dest, { inside: true, rename: failingOn(n) });
    await writeTree(tree.root, NEW);
    await expect(tree.commit()).rejects.toThrow(`injected failure on rename ${n}`);
    await tree.abort();
    expect(await snapshot(dest)).toEqual(before);
  });

  it.each([1, 2])("beside the destination, failing on rename %i", async (n) => {
    const dir = await tempDir();
    const dest = join(dir, "out");
    await writeTree(dest, OLD);
    const before = await snapshot(dest);
    const tree = await stageTree(dest, { inside: false, rename: failingOn(n) });
    await writeTree(tree.root, NEW);
    await expect(tree.commit()).rejects.toThrow(`injected failure on rename ${n}`);
    await tree.abort();
    expect(await snapshot(dest)).toEqual(before);
    expect(await readdir(dir)).toEqual(["out"]);
  });

  it("without a failure, both kinds of swap leave exactly the new tree", async () => {
    for (const inside of [false, true]) {
      const dir = await tempDir();
      const dest = join(dir, "out");
      await writeTree(dest, OLD);
      const tree = await stageTree(dest, { inside });
      await writeTree(tree.root, NEW);
      await tree.commit();
      expect(await readTree(dest)).toEqual(NEW);
      expect(await readdir(dir)).toEqual(["out"]);
    }
  });
});

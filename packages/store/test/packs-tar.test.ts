import { execFileSync } from "node:child_process";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles } from "../src/files.ts";
import { buildPack, type PackSourceFile } from "../src/packs/build.ts";
import { compareUtf8, planPacks } from "../src/packs/plan.ts";
import { headerSize, readTar, TAR_END, tarHeader } from "../src/packs/tar.ts";
import { fileMode } from "../src/packs/version.ts";
import { readTree, tempDir, writeTree } from "./helpers.ts";

async function packOf(root: string, target = 64 * 1024 * 1024) {
  const files: PackSourceFile[] = (await listFiles(root)).map((f) => ({ ...f, mode: fileMode(f) }));
  files.sort((a, b) => compareUtf8(a.title, b.title));
  return { files, plans: planPacks(files, target) };
}

async function buildAll(root: string, out: string, target?: number) {
  const { plans } = await packOf(root, target);
  const built = [];
  for (const [i, plan] of plans.entries()) {
    const path = join(out, `pack-${i}.tar`);
    built.push({ ...(await buildPack(plan, path)), path, plan });
  }
  return built;
}

const LONG = `${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(90)}.txt`; // > 100 bytes, fits ustar prefix/name
const VERY_LONG = `${"g".repeat(120)}/${"h".repeat(120)}/${"i".repeat(120)}.bin`; // needs a pax path

describe("tar packs against GNU tar", () => {
  it("writes a pack GNU tar lists with fixed metadata and extracts to the same tree, modes kept", async () => {
    const dir = await tempDir();
    const src = join(dir, "src");
    await writeTree(src, {
      "a.txt": "alpha",
      empty: "",
      "sub/run.sh": "#!/bin/sh\necho hi\n",
      [LONG]: "long",
      [VERY_LONG]: "very long",
      "données/é.txt": "utf8 name",
      exactly512: Buffer.alloc(512, 7),
    });
    await chmod(join(src, "sub/run.sh"), 0o755);
    const [pack] = await buildAll(src, dir);
    expect(pack!.size).toBe((await stat(pack!.path)).size);
    const listing = execFileSync("tar", ["--numeric-owner", "-tvf", pack!.path], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } })
      .trim()
      .split("\n");
    expect(listing).toHaveLength(7);
    for (const line of listing) expect(line).toMatch(/^-rw(-|x)r-(-|x)r-(-|x) 0\/0 +\d+ 1970-01-01 00:00 /);
    expect(listing.find((l) => l.endsWith("sub/run.sh"))).toMatch(/^-rwxr-xr-x 0\/0 +18 /);
    expect(listing.find((l) => l.endsWith("a.txt"))).toMatch(/^-rw-r--r-- 0\/0 +5 /);
    // Sorted by UTF-8 bytes, as `LC_ALL=C sort` would.
    const names = listing.map((l) => l.replace(/^.* 00:00 /, ""));
    expect(names).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(names).toContain(VERY_LONG);
    expect(names).toContain("données/é.txt");

    const out = join(dir, "out");
    execFileSync("mkdir", ["-p", out]);
    execFileSync("tar", ["-xf", pack!.path, "-C", out]);
    expect(await readTree(out)).toEqual(await readTree(src));
    expect((await stat(join(out, "sub/run.sh"))).mode & 0o777).toBe(0o755);
    expect((await stat(join(out, "a.txt"))).mode & 0o777).toBe(0o644);
  });

  it("puts each file's data at the offset the plan computed, and readTar reads our packs and GNU tar's", async () => {
    const dir = await tempDir();
    const src = join(dir, "src");
    await writeTree(src, { "b.txt": "bee", [VERY_LONG]: "x".repeat(1000), "c/d.txt": "dee" });
    const [pack] = await buildAll(src, dir);
    const bytes = await readFile(pack!.path);
    for (const { file, offset } of pack!.plan.members) {
      expect(bytes.subarray(offset, offset + file.size).toString()).toBe(await readFile(file.path, "utf8"));
    }
    const ours = [];
    for await (const e of readTar([bytes])) ours.push({ path: e.path, offset: e.offset, data: e.data.toString() });
    expect(ours.map((e) => e.path)).toEqual(pack!.plan.members.map((m) => m.file.title));
    expect(ours.map((e) => e.offset)).toEqual(pack!.plan.members.map((m) => m.offset));

    const gnu = join(dir, "gnu.tar");
    execFileSync("tar", ["--format=posix", "-cf", gnu, "-C", src, "."]);
    const seen: Record<string, string> = {};
    for await (const e of readTar([await readFile(gnu)])) if (e.type === "file") seen[e.path.replace(/^\.\//, "")] = e.data.toString();
    expect(seen).toEqual(await readTree(src));
  });

  it("is deterministic: same tree with other mtimes and creation order gives the same pack bytes", async () => {
    const dir = await tempDir();
    const files = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f/${String(i).padStart(3, "0")}.txt`, `content ${i}`]));
    await writeTree(join(dir, "one"), files);
    await writeTree(join(dir, "two"), Object.fromEntries(Object.entries(files).reverse()));
    await writeFile(join(dir, "two", "f/007.txt"), "content 7");
    const a = await buildAll(join(dir, "one"), dir);
    const b = (await packOf(join(dir, "two"))).plans;
    const bb = await buildPack(b[0]!, join(dir, "other.tar"));
    expect(bb.digest).toBe(a[0]!.digest);
  });

  it("computes header sizes the writer produces (ustar, prefix split, pax)", () => {
    for (const path of ["a", "x".repeat(100), LONG, VERY_LONG, "é"]) {
      expect(tarHeader(path, 10, 0o644).length).toBe(headerSize(path, 10));
    }
    expect(headerSize("a", 1)).toBe(512);
    expect(headerSize(VERY_LONG, 1)).toBe(512 * 3);
    expect(TAR_END.length).toBe(1024);
  });

  it("refuses a truncated or corrupted archive", async () => {
    const dir = await tempDir();
    await writeTree(join(dir, "src"), { "a.txt": "alpha" });
    const [pack] = await buildAll(join(dir, "src"), dir);
    const bytes = await readFile(pack!.path);
    const drain = async (b: Buffer) => {
      for await (const _ of readTar([b])) {
      }
    };
    await expect(drain(bytes.subarray(0, 700))).rejects.toThrow(/data ends|without its end/);
    const bad = Buffer.from(bytes);
    bad[10] = 0x41;
    await expect(drain(bad)).rejects.toThrow(/checksum/);
  });
});

describe("pack boundaries are path-defined", () => {
  const tree = (n: number) =>
    Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `d${i % 7}/file-${String(i).padStart(5, "0")}.txt`,
        `${"z".repeat(200 + ((i * 37) % 3000))}#${i}`,
      ]),
    );

  it("changing one file's bytes changes exactly one pack; adding or resizing a file changes at most two", async () => {
    const dir = await tempDir();
    const files = tree(800);
    const target = 128 * 1024;
    await writeTree(join(dir, "a"), files);
    await mkdir(join(dir, "a-out"));
    const before = await buildAll(join(dir, "a"), join(dir, "a-out"), target);
    expect(before.length).toBeGreaterThan(4);
    const digests = (packs: { digest: string }[]) => packs.map((p) => p.digest);
    const changedCount = (after: { digest: string }[]) => {
      const old = new Set(digests(before));
      return digests(after).filter((d) => !old.has(d)).length;
    };

    // Same size, other bytes.
    const key = "d1/file-00400.txt";
    await writeTree(join(dir, "b"), { ...files, [key]: files[key]!.replace(/z/g, "y") });
    await mkdir(join(dir, "b-out"));
    const edited = await buildAll(join(dir, "b"), join(dir, "b-out"), target);
    expect(edited.length).toBe(before.length);
    expect(changedCount(edited)).toBe(1);

    // A new file in the middle.
    await writeTree(join(dir, "c"), { ...files, "d1/file-00400a.txt": "new file" });
    await mkdir(join(dir, "c-out"));
    expect(changedCount(await buildAll(join(dir, "c"), join(dir, "c-out"), target))).toBeLessThanOrEqual(2);

    // One file grows.
    await writeTree(join(dir, "e"), { ...files, [key]: `${files[key]}${"q".repeat(500)}` });
    await mkdir(join(dir, "e-out"));
    expect(changedCount(await buildAll(join(dir, "e"), join(dir, "e-out"), target))).toBeLessThanOrEqual(2);
  });
});

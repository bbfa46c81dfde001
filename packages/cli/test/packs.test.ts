import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runMain } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-cli-packs-"));
  dirs.push(dir);
  for (const split of ["train", "val"]) {
    await mkdir(join(dir, "data", split), { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(join(dir, "data", split, `${i}.txt`), `${split} ${i}`);
  }
  return dir;
}

const run = (cwd: string, args: string[]) => runMain(args, { cwd, env: { LLMOPS_CACHE_DIR: join(cwd, ".cache") } });

describe("llmops version/ls --files/fetch --include on a packed dataset", () => {
  it("packs, lists files from the index, and fetches only what --include selects", async () => {
    const cwd = await workspace();
    const v = await run(cwd, ["version", "data", "--name", "ds", "--kind", "dataset", "--pack-min-files", "5", "--json"]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).files).toHaveLength(40);

    const ls = await run(cwd, ["ls", "ds:v1", "--files", "--include", "val/1*.txt"]);
    expect(ls.code).toBe(0);
    const lines = ls.stdout.trim().split("\n");
    expect(lines.map((l) => l.split("\t")[0])).toEqual(["val/1.txt", ...Array.from({ length: 10 }, (_, i) => `val/1${i}.txt`)].sort());
    expect(lines[0]).toMatch(/^val\/1\.txt\t5\tsha256:[a-f0-9]{64}$/);

    const json = await run(cwd, ["ls", "ds:v1", "--files", "--json"]);
    const files = JSON.parse(json.stdout).files;
    expect(files).toHaveLength(40);
    expect(files[0]).toMatchObject({ path: "train/0.txt", size: 7, mode: "644", offset: 512 });

    const f = await run(cwd, ["fetch", "ds:v1", "out", "--include", "train/**", "--json"]);
    expect(f.code).toBe(0);
    expect(JSON.parse(f.stdout).files).toHaveLength(20);
    expect(await readdir(join(cwd, "out"))).toEqual(["train"]);
  });

  it("refuses bad --include globs with exit 2 and one line naming the pattern", async () => {
    const cwd = await workspace();
    expect((await run(cwd, ["version", "data", "--name", "ds", "--kind", "dataset", "--pack-min-files", "5"])).code).toBe(0);
    for (const bad of ["", "/abs/**", "a/../b", "train/[ab"]) {
      const r = await run(cwd, ["fetch", "ds:v1", "out", "--include", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--include ${JSON.stringify(bad)}`);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      const l = await run(cwd, ["ls", "ds:v1", "--files", "--include", bad]);
      expect(l.code).toBe(2);
    }
    expect((await run(cwd, ["ls", "ds", "--include", "x"])).code).toBe(2);
    expect((await run(cwd, ["version", "data", "--name", "d2", "--kind", "dataset", "--pack-target", "big"])).code).toBe(2);
  });

  it("takes packing from llmops.yaml for a declared artifact, and refuses a bad one at its line", async () => {
    const cwd = await workspace();
    const yaml = (packing: string) =>
      writeFile(
        join(cwd, "llmops.yaml"),
        ["store: .llmops/store", "artifacts:", "  ds:", "    kind: dataset", "    path: data", `    packing: ${packing}`, ""].join("\n"),
      );
    await yaml("{ minFiles: 5 }");
    expect((await run(cwd, ["version"])).code).toBe(0);
    const files = JSON.parse((await run(cwd, ["ls", "ds:v1", "--files", "--json"])).stdout).files;
    // Packed: every file has a pack and an offset in it.
    expect(files.every((f: { pack?: string; offset?: number }) => f.pack && typeof f.offset === "number")).toBe(true);
    await yaml("{ target: 100 }");
    const bad = await run(cwd, ["version"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/llmops\.yaml:6:\d+: artifacts\.ds\.packing\.target/);
    expect((await run(cwd, ["version", "data", "--name", "d3", "--kind", "dataset", "--pack-target", "100"])).stderr).toMatch(
      /packing target 100: expected a pack target of at least 65536 bytes/,
    );
  });

  it("fetch --include matching nothing exits 2 naming the pattern and leaves <DIR> as it was; ls --files notes it and exits 0", async () => {
    const cwd = await workspace();
    expect((await run(cwd, ["version", "data", "--name", "ds", "--kind", "dataset", "--pack-min-files", "5"])).code).toBe(0);
    expect((await run(cwd, ["fetch", "ds:v1", "out"])).code).toBe(0);
    const before = (await readdir(join(cwd, "out"), { recursive: true })).sort();
    const f = await run(cwd, ["fetch", "ds:v1", "out", "--include", "trian/**"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('--include "trian/**": matches no file of the version');
    expect(f.stderr.trim().split("\n")).toHaveLength(1);
    expect((await readdir(join(cwd, "out"), { recursive: true })).sort()).toEqual(before);

    const l = await run(cwd, ["ls", "ds:v1", "--files", "--include", "train/1.txt", "--include", "trian/**"]);
    expect(l.code).toBe(0);
    expect(
      l.stdout
        .trim()
        .split("\n")
        .map((x) => x.split("\t")[0]),
    ).toEqual(["train/1.txt"]);
    expect(l.stderr).toContain('--include "trian/**" matches no file of ds:v1');
    const none = await run(cwd, ["ls", "ds:v1", "--files", "--include", "nothing"]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe("");
    expect(none.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses a pack threshold above 64 MiB or above the pack target, with a clear message", async () => {
    const cwd = await workspace();
    const big = await run(cwd, ["version", "data", "--name", "d", "--kind", "dataset", "--pack-threshold", "67108865"]);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/packing threshold 67108865: expected a pack threshold of at most 67108864 bytes/);
    const over = await run(cwd, [
      "version",
      "data",
      "--name",
      "d",
      "--kind",
      "dataset",
      "--pack-threshold",
      "200000",
      "--pack-target",
      "100000",
    ]);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/packing threshold 200000: expected a pack threshold of at most the pack target/);
  });
});

import { mkdir, readdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ArtifactConfig, artifactSchema, InputError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { dependencyOrder, versionDeclared } from "../src/declared.ts";
import { ArtifactPathError, openStore } from "../src/index.ts";
import { tempDir, writeTree } from "./helpers.ts";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const artifact = (fields: Partial<ArtifactConfig> & Pick<ArtifactConfig, "kind" | "path">) => artifactSchema.parse(fields);

async function setup() {
  const dir = await tempDir();
  await writeTree(dir, { "data/train.jsonl": '{"x":1}\n', "model/weights.bin": "w1", "model/config.json": "{}" });
  const store = openStore(join(dir, "store"), { logger: silent, cwd: dir });
  const artifacts = {
    "acme/model": artifact({ kind: "model", path: "model", parents: ["acme/reviews:latest"], params: { lr: 0.1 } }),
    "acme/reviews": artifact({ kind: "dataset", path: "data", aliases: ["latest"], labels: { source: "crawl" } }),
  };
  return { dir, store, artifacts };
}

describe("versioning declared artifacts", () => {
  it("versions every declared artifact, parents first, and records params, labels and lineage", async () => {
    const { dir, store, artifacts } = await setup();
    const results = await versionDeclared(store, { artifacts, configDir: dir });
    expect(results.map((r) => [r.name, r.version, r.unchanged ?? false])).toEqual([
      ["acme/reviews", "v1", false],
      ["acme/model", "v1", false],
    ]);
    const dataset = results[0]!;
    expect(results[1]!.parents).toEqual([{ ref: "acme/reviews:latest", digest: dataset.digest }]);
  });

  it("adds no version for an unchanged artifact, and one for a changed file, param or label", async () => {
    const { dir, store, artifacts } = await setup();
    const first = await versionDeclared(store, { artifacts, configDir: dir, common: { created: "2026-01-01T00:00:00Z" } });
    // A later run (another commit, another time) with the same content.
    const again = await versionDeclared(store, { artifacts, configDir: dir, common: { created: "2026-02-01T00:00:00Z" } });
    expect(again.map((r) => [r.version, r.digest, r.unchanged, r.uploadedBytes])).toEqual(first.map((r) => [r.version, r.digest, true, 0]));
    expect(again[0]!.created).toBe("2026-01-01T00:00:00.000Z");

    await writeFile(join(dir, "model/weights.bin"), "w2");
    const changed = await versionDeclared(store, { artifacts, configDir: dir });
    expect(changed.map((r) => [r.name, r.version, r.unchanged ?? false])).toEqual([
      ["acme/reviews", "v1", true],
      ["acme/model", "v2", false],
    ]);

    const relabelled = { ...artifacts, "acme/reviews": { ...artifacts["acme/reviews"], labels: { source: "survey" } } };
    const third = await versionDeclared(store, { artifacts: relabelled, configDir: dir, only: ["acme/reviews"] });
    expect([third[0]!.version, third[0]!.unchanged ?? false]).toEqual(["v2", false]);
    const retuned = { ...artifacts, "acme/model": { ...artifacts["acme/model"], params: { lr: 0.2 } } };
    const fourth = await versionDeclared(store, { artifacts: retuned, configDir: dir, only: ["acme/model"] });
    expect([fourth[0]!.version, fourth[0]!.unchanged ?? false]).toEqual(["v3", false]);
  });

  it("versions only the named artifacts and names the declared ones when a name is unknown", async () => {
    const { dir, store, artifacts } = await setup();
    const only = await versionDeclared(store, { artifacts, configDir: dir, only: ["acme/reviews"] });
    expect(only.map((r) => r.name)).toEqual(["acme/reviews"]);
    await expect(versionDeclared(store, { artifacts, configDir: dir, only: ["acme/other"] })).rejects.toThrow(
      new InputError('artifact "acme/other": not declared in llmops.yaml (declared: acme/model, acme/reviews)'),
    );
    await expect(versionDeclared(store, { artifacts: {}, configDir: dir })).rejects.toThrow(/declares no artifacts/);
  });

  it("orders by declared parents and refuses a cycle", () => {
    const a = artifact({ kind: "dataset", path: "a", parents: ["c:v1"] });
    const b = artifact({ kind: "model", path: "b", parents: ["a@sha256:" + "0".repeat(64), "external/x:v2"] });
    const c = artifact({ kind: "dataset", path: "c" });
    expect(dependencyOrder({ a, b, c }, ["b", "a", "c"])).toEqual(["c", "a", "b"]);
    expect(dependencyOrder({ a, b, c }, ["b"])).toEqual(["b"]);
    const loop = artifact({ kind: "dataset", path: "c", parents: ["b:latest"] });
    expect(() => dependencyOrder({ a, b, c: loop }, ["a"])).toThrow("artifacts: parents form a cycle (a → c → b → a)");
  });

  describe("paths must stay inside the directory of llmops.yaml", () => {
    async function outside() {
      const root = await tempDir();
      const dir = join(root, "repo");
      await writeTree(root, { "secret/id_rsa": "private key", "repo/model/w.bin": "w" });
      await mkdir(join(root, "empty"));
      const store = openStore(join(dir, "store"), { logger: silent, cwd: dir });
      return { root, dir, store };
    }

    it.each([
      ["/etc/apt", /^artifact "acme\/m": path "\/etc\/apt" is absolute; expected a path relative to the directory of llmops\.yaml$/],
      ["../..", /^artifact "acme\/m": path "\.\.\/\.\." leads outside .*\/repo; expected a path inside the directory of llmops\.yaml$/],
      ["model/../../secret", /path "model\/\.\.\/\.\.\/secret" leads outside/],
    ])("refuses %j naming the artifact and the path, before anything is versioned", async (path, message) => {
      const { root, dir, store } = await outside();
      const artifacts = {
        "acme/a-first": artifact({ kind: "model", path: "model" }),
        "acme/m": artifact({ kind: "dataset", path }),
      };
      const error = await versionDeclared(store, { artifacts, configDir: dir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ArtifactPathError);
      expect((error as InputError).exitCode).toBe(2);
      expect((error as Error).message).toMatch(message);
      expect((await readdir(dir)).sort()).toEqual(["model"]);
      expect(await readdir(join(root, "secret"))).toEqual(["id_rsa"]);
    });

    it("refuses a path whose real path leads out through a symbolic link, and accepts one that stays inside", async () => {
      const { root, dir, store } = await outside();
      await symlink(join(root, "secret"), join(dir, "escape"));
      await symlink(join(dir, "model"), join(dir, "alias"));
      for (const path of ["escape", "escape/", "escape/id_rsa", "escape/not/there.bin"]) {
        const error = await versionDeclared(store, { artifacts: { "acme/m": artifact({ kind: "model", path }) }, configDir: dir }).catch(
          (e: unknown) => e,
        );
        expect(error, path).toBeInstanceOf(ArtifactPathError);
        expect((error as Error).message).toContain(`artifact "acme/m": path "${path}" leads outside`);
        expect((error as Error).message).toContain("through a symbolic link");
        // Where the link leads is not told: a pull request must not learn the machine's paths.
        expect((error as Error).message).not.toContain(join(root, "secret"));
        expect((error as Error).message).not.toContain("\n");
      }
      const inside = await versionDeclared(store, {
        artifacts: { "acme/m": artifact({ kind: "model", path: "alias/w.bin" }) },
        configDir: dir,
      });
      expect(inside.map((r) => r.files.map((f) => f.title))).toEqual([["w.bin"]]);
    });
  });
});

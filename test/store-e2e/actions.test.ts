import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { leakedSecrets, runAction } from "../src/harness.ts";
import { skopeo, startRegistry, type TestRegistry } from "../src/registry.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-action-"));
  dirs.push(dir);
  await mkdir(join(dir, "model", "tok"), { recursive: true });
  await writeFile(join(dir, "model", "weights.bin"), Buffer.alloc(50_000, 4));
  await writeFile(join(dir, "model", "tok", "vocab.txt"), "a b c\n");
  return dir;
}

describe("actions/version and actions/fetch through the runner harness", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: "basic" });
  });
  afterAll(async () => {
    await registry?.close();
  });

  it("versions into a layout store with outputs and a job summary of files and lineage", async () => {
    const ws = await workspace();
    const result = await runAction("version", {
      workspace: ws,
      inputs: { path: "model", name: "team/m", kind: "model", aliases: "latest", store: ".llmops/store", labels: "task=clf" },
      env: { GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567", GITHUB_RUN_ID: "4242" },
    });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      version: "v1",
      ref: "team/m:v1",
      "uploaded-bytes": "50006",
      "reused-bytes": "0",
      store: ".llmops/store",
    });
    expect(result.outputs.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(result.summary).toContain("#### Files");
    expect(result.summary).toContain("| tok/vocab.txt | 6 |");
    expect(result.summary).toContain("no parents recorded");
    const config = JSON.parse(skopeo(["inspect", "--raw", "--config", `oci:${join(ws, ".llmops/store")}:team/m:latest`]));
    expect(config.git.commit).toBe("0123456789abcdef0123456789abcdef01234567");
    expect(config.runUrl).toMatch(/\/actions\/runs\/4242$/);
    expect(config.labels).toEqual({ task: "clf" });
  });

  it("versions into a registry with credentials, then fetches it back, degrading to no blob cache with a warning", async () => {
    const ws = await workspace();
    const store = `oci://${registry.host}/gh`;
    const creds = { store, "store-username": registry.username!, "store-password": registry.password! };
    const v = await runAction("version", { workspace: ws, inputs: { path: "model", name: "data", kind: "dataset", ...creds } });
    expect(v.exitCode).toBe(0);
    expect(v.masks).toContain(registry.password);
    const derived = await runAction("version", {
      workspace: ws,
      inputs: { path: "model/tok", name: "derived", kind: "dataset", parents: "data:v1", ...creds },
    });
    expect(derived.exitCode).toBe(0);
    expect(derived.outputs["uploaded-bytes"]).toBe("0");
    expect(derived.summary).toContain(`derived from \`data:v1\` \`${v.outputs.digest}\``);

    const f = await runAction("fetch", { workspace: ws, inputs: { ref: "data:v1", path: "out", ...creds } });
    expect(f.exitCode).toBe(0);
    expect(f.outputs).toMatchObject({ digest: v.outputs.digest, version: "v1", path: join(ws, "out"), "downloaded-bytes": "50006" });
    expect(await readFile(join(ws, "out", "tok", "vocab.txt"), "utf8")).toBe("a b c\n");
    expect(f.annotations.filter((a) => a.level === "warning").map((a) => a.message)).toEqual([
      "blob cache unavailable (the Actions cache service is not configured); fetching from the store",
    ]);
    expect(leakedSecrets(f, [registry.password!])).toEqual([]);
    expect(leakedSecrets(v, [registry.password!])).toEqual([]);
  });

  it("a packed dataset (packing: in llmops.yaml) through version, then fetch's include reads only the matching files", async () => {
    const ws = await workspace();
    for (const split of ["train", "val"]) {
      await mkdir(join(ws, "data", split), { recursive: true });
      for (let i = 0; i < 12; i++) await writeFile(join(ws, "data", split, `${i}.txt`), `${split} case ${i}\n`);
    }
    const store = `oci://${registry.host}/packs`;
    const creds = { store, "store-username": registry.username!, "store-password": registry.password! };
    await writeFile(join(ws, "llmops.yaml"), "artifacts:\n  ds: { kind: dataset, path: data, packing: { minFiles: 5 } }\n");
    const env = { LLMOPS_CACHE_DIR: join(ws, ".cache") };
    const v = await runAction("version", { workspace: ws, inputs: { ...creds }, env });
    expect(v.stderr).toBe("");
    expect(v.exitCode).toBe(0);
    const manifest = JSON.parse(
      skopeo([
        "inspect",
        "--raw",
        "--tls-verify=false",
        "--creds",
        `${registry.username}:${registry.password}`,
        `docker://${registry.host}/packs/ds:v1`,
      ]),
    );
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([
      "application/vnd.llmops.file-index.v1+jsonl",
      "application/vnd.oci.image.layer.v1.tar",
    ]);
    const f = await runAction("fetch", { workspace: ws, inputs: { ref: "ds:v1", path: "out", include: "val/1*.txt\n", ...creds }, env });
    expect(f.exitCode).toBe(0);
    expect((await readdir(join(ws, "out"))).sort()).toEqual(["val"]);
    expect((await readdir(join(ws, "out", "val"))).sort()).toEqual(["1.txt", "10.txt", "11.txt"]);
    expect(await readFile(join(ws, "out", "val", "10.txt"), "utf8")).toBe("val case 10\n");
    const none = await runAction("fetch", { workspace: ws, inputs: { ref: "ds:v1", path: "out", include: "vla/**", ...creds }, env });
    expect(none.exitCode).toBe(1);
    expect(none.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([
      'ref ds:v1: --include "vla/**": matches no file of the version; the destination was not touched',
    ]);
    expect((await readdir(join(ws, "out", "val"))).length).toBe(3);
  });

  it("dataset checks gate the version and eval actions as they gate the CLI: a failed check stores nothing and runs no suite", async () => {
    const ws = await workspace();
    await mkdir(join(ws, "data"));
    await writeFile(join(ws, "data", "cases.jsonl"), '{"id":"a","vars":{"q":"mail me: jane@example.com"},"expected":"ok"}\n');
    await writeFile(join(ws, "answer.mjs"), "export default ({ vars }) => String(vars.q);\n");
    const yaml = [
      "store: .llmops/store",
      "artifacts:",
      "  acme/train: { kind: dataset, path: data, checks: { pii: { max: 0 } } }",
      "suites:",
      "  - name: qa",
      "    provider: { type: module, path: answer.mjs }",
      '    prompt: "{{q}}"',
      "    casesFrom: { dataset: acme/train:v1, file: cases.jsonl }",
      "    scorers: [{ type: equals }]",
      "",
    ].join("\n");
    await writeFile(join(ws, "llmops.yaml"), yaml);
    const env = { LLMOPS_CACHE_DIR: join(ws, ".cache") };
    const failure = "acme/train: failed its checks (pii: 1 personal data or secrets (max 0; email 1)); nothing stored";
    const refused = await runAction("version", { workspace: ws, inputs: {}, env });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([failure]);
    expect(refused.summary).toContain("### Dataset check: data ❌ failed");
    expect(`${refused.stdout}${refused.summary}`).not.toContain("jane@");
    expect(existsSync(join(ws, ".llmops", "store", "index.json"))).toBe(false);

    // Stored unchecked (check: false), the version is still refused by eval's gate.
    const unchecked = await runAction("version", { workspace: ws, inputs: { check: "false" }, env });
    expect(unchecked.exitCode).toBe(0);
    expect(JSON.parse(unchecked.outputs.versions!)).toEqual([
      { name: "acme/train", ref: "acme/train:v1", digest: expect.stringMatching(/^sha256:/), unchanged: false },
    ]);
    const gated = await runAction("eval", { workspace: ws, inputs: { check: "true", cache: "false" }, env });
    expect(gated.exitCode).toBe(1);
    const evalFailure = failure.replace("nothing stored", "read by suite qa; no suite was run");
    expect(gated.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([evalFailure]);
    expect(existsSync(join(ws, ".llmops", "results", "qa"))).toBe(false);

    await writeFile(join(ws, "data", "cases.jsonl"), '{"id":"a","vars":{"q":"one"},"expected":"one"}\n');
    const clean = await runAction("version", { workspace: ws, inputs: {}, env });
    expect(clean.exitCode).toBe(0);
    const [version] = JSON.parse(clean.outputs.versions!);
    expect(version).toMatchObject({ ref: "acme/train:v2", check: { passed: true, record: expect.stringMatching(/^sha256:/) } });
    expect(clean.summary).toContain("### Dataset check: data ✅ passed");
  });

  it("fetch refuses a non-empty path it did not write unless replace is true; an earlier fetch's path needs nothing", async () => {
    const ws = await workspace();
    const env = { LLMOPS_CACHE_DIR: join(ws, ".cache") };
    const layout = { store: ".llmops/store" };
    expect(
      (await runAction("version", { workspace: ws, inputs: { path: "model", name: "m", kind: "model", ...layout }, env })).exitCode,
    ).toBe(0);
    await mkdir(join(ws, "mine"));
    await writeFile(join(ws, "mine", "notes.txt"), "keep me");
    const refused = await runAction("fetch", { workspace: ws, inputs: { ref: "m:v1", path: "mine", cache: "false", ...layout }, env });
    expect(refused.exitCode).toBe(1);
    expect(refused.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([
      `destination ${join(ws, "mine")} is not empty and was not written by llmops fetch; set the input replace: true to make it hold exactly m:v1 (files not in it are removed)`,
    ]);
    expect(await readdir(join(ws, "mine"))).toEqual(["notes.txt"]);
    const replaced = await runAction("fetch", {
      workspace: ws,
      inputs: { ref: "m:v1", path: "mine", cache: "false", replace: "true", ...layout },
      env,
    });
    expect(replaced.exitCode).toBe(0);
    expect((await readdir(join(ws, "mine"))).sort()).toEqual(["tok", "weights.bin"]);
    await writeFile(join(ws, "model", "tok", "vocab.txt"), "a b c d\n");
    expect(
      (await runAction("version", { workspace: ws, inputs: { path: "model", name: "m", kind: "model", ...layout }, env })).exitCode,
    ).toBe(0);
    const again = await runAction("fetch", { workspace: ws, inputs: { ref: "m:v2", path: "mine", cache: "false", ...layout }, env });
    expect(again.exitCode).toBe(0);
    expect(await readFile(join(ws, "mine", "tok", "vocab.txt"), "utf8")).toBe("a b c d\n");
  });

  it("refuses a store input with credentials in it, never showing them", async () => {
    const ws = await workspace();
    const secret = "hunter2-in-the-url";
    const f = await runAction("fetch", {
      workspace: ws,
      inputs: { ref: "m:v1", path: "out", store: `oci://bob:${secret}@registry.example.com/acme` },
    });
    expect(f.exitCode).toBe(1);
    expect(f.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([
      "store oci://registry.example.com/acme: expected no credentials in the URL (user:password@ before the host); put them in store-username/store-password (--store-username/--store-password) or LLMOPS_REGISTRY_USERNAME/LLMOPS_REGISTRY_PASSWORD or LLMOPS_REGISTRY_TOKEN",
    ]);
    expect(leakedSecrets(f, [secret])).toEqual([]);
  });

  it("fails with one error annotation on a malformed ref, a missing path and a bad kind", async () => {
    const ws = await workspace();
    const bad = await runAction("fetch", { workspace: ws, inputs: { ref: "Data@sha256:1", path: "out", store: ".llmops/store" } });
    expect(bad.exitCode).toBe(1);
    expect(bad.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([
      'name "Data@sha256:1": expected an OCI repository name (lowercase letters, digits, . _ - / separators)',
    ]);
    const missing = await runAction("version", {
      workspace: ws,
      inputs: { path: "nope", name: "m", kind: "model", store: ".llmops/store" },
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.annotations.find((a) => a.level === "error")?.message).toBe("path nope: not found");
    const kind = await runAction("version", {
      workspace: ws,
      inputs: { path: "model", name: "m", kind: "weights", store: ".llmops/store" },
    });
    expect(kind.exitCode).toBe(1);
    expect(kind.annotations.find((a) => a.level === "error")?.message).toBe("input kind: expected model or dataset");
  });
});

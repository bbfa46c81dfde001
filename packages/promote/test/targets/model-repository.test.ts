import { spawnSync } from "node:child_process";
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { modelRepositoryTargetSchema } from "@llmops/core";
import type { Store } from "@llmops/store";
import { startTritonServer, type TritonServer } from "@llmops/test/triton-server";
import { afterEach, describe, expect, it } from "vitest";
import { TargetError } from "../../src/target.ts";
import { LOCK_FILE, MARKER_FILE, type ModelRepositoryOptions, ModelRepositoryTarget } from "../../src/targets/model-repository.ts";
import { context, layoutStore, list, rejection, tempDir } from "./helpers.ts";

const servers: TritonServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(config: Record<string, unknown> = {}, options: ModelRepositoryOptions = {}) {
  const dir = await tempDir();
  const root = join(dir, "models");
  await mkdir(root);
  const { store, storeDir, version } = await layoutStore(dir);
  const target = new ModelRepositoryTarget(
    modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", ...config }),
    options,
  );
  const ctx = () => context({ store, configDir: dir });
  return { dir, root, modelDir: join(root, "sentiment"), store, storeDir, version, target, ctx };
}

const read = (path: string) => readFile(path, "utf8");
const marker = async (modelDir: string) =>
  JSON.parse(await read(join(modelDir, MARKER_FILE))) as { versions: Record<string, { digest: string }> };

const USER_CONFIG = `# Sentiment classifier, exported from PyTorch. Keep the batch size at 8.
name: "sentiment"
platform: "onnxruntime_onnx"   # CPU in staging
max_batch_size: 8
input [
  {
    name: "input_ids"   # token ids
    data_type: TYPE_INT64
    dims: [ -1 ]
  }
]
version_policy: { latest: { num_versions: 1 } }  # replaced on promotion
output [ { name: "logits" data_type: TYPE_FP32 dims: [ 2 ] } ]
parameters { key: "note" value: { string_value: "braces } and # hashes in strings" } }
`;

describe("model-repository target (Triton)", () => {
  it("writes one numbered version directory per promotion and points a new config.pbtxt at it", async () => {
    const { modelDir, version, target, ctx } = await setup();
    const v1 = await version({ "model.onnx": "weights one" });
    const v2 = await version({ "model.onnx": "weights two" });

    const r1 = await target.apply(v1, ctx());
    expect(r1.summary).toBe(`model-repository ${join(modelDir, "1")}`);
    expect(await read(join(modelDir, "config.pbtxt"))).toBe('name: "sentiment"\nversion_policy: { specific: { versions: [1] } }\n');
    expect(await read(join(modelDir, "1", "model.onnx"))).toBe("weights one");

    const r2 = await target.apply(v2, ctx());
    expect(r2.details).toMatchObject({ versionNumber: 2, created: true, previousServed: [1] });
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "2", "config.pbtxt"]);
    expect(await read(join(modelDir, "config.pbtxt"))).toContain("version_policy: { specific: { versions: [2] } }");
    const m = await marker(modelDir);
    expect(m.versions["1"]?.digest).toBe(v1.digest);
    expect(m.versions["2"]?.digest).toBe(v2.digest);
  });

  it("reuses the directory when the same digest is applied again (a re-run)", async () => {
    const { modelDir, version, target, ctx } = await setup();
    const v1 = await version({ "model.onnx": "weights one" });
    await target.apply(v1, ctx());
    const again = await target.apply(v1, ctx());
    expect(again.details).toMatchObject({ versionNumber: 1, created: false });
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "config.pbtxt"]);
  });

  it("hard-links the files to the layout store's blobs (same inode, no bytes copied)", async () => {
    const { modelDir, storeDir, store, version, target, ctx } = await setup();
    expect(typeof (store as Store).materialize).toBe("function");
    const v1 = await version({ "model.onnx": "weights one", "tokenizer/vocab.txt": "a\nb\n" });
    const result = await target.apply(v1, ctx());
    expect(result.details).toMatchObject({ copiedBytes: 0, linkedBytes: "weights one".length + 4 });
    const digest = "sha256:" + (await import("node:crypto")).createHash("sha256").update("weights one").digest("hex");
    const blob = await stat(join(storeDir, "blobs", "sha256", digest.slice(7)));
    const served = await stat(join(modelDir, "1", "model.onnx"));
    expect(served.ino).toBe(blob.ino);
    expect(served.dev).toBe(blob.dev);
  });

  it("rewrites only version_policy of the user's config.pbtxt: comments and every other field stay", async () => {
    const { modelDir, version, target, ctx } = await setup();
    await mkdir(modelDir, { recursive: true });
    await writeFile(join(modelDir, "config.pbtxt"), USER_CONFIG);
    const v1 = await version({ "model.onnx": "weights one" });
    const result = await target.apply(v1, ctx());
    expect(await read(join(modelDir, "config.pbtxt"))).toBe(
      USER_CONFIG.replace("version_policy: { latest: { num_versions: 1 } }", "version_policy: { specific: { versions: [1] } }"),
    );
    expect(result.details).toMatchObject({ previousSetting: "version_policy: { latest: { num_versions: 1 } }", createdConfig: false });
  });

  it("adds version_policy to a config.pbtxt that has none, after the user's text", async () => {
    const { modelDir, version, target, ctx } = await setup();
    await mkdir(modelDir, { recursive: true });
    const config = 'name: "sentiment"\nbackend: "python"  # no policy yet';
    await writeFile(join(modelDir, "config.pbtxt"), config);
    await target.apply(await version({ "model.py": "print(1)" }), ctx());
    expect(await read(join(modelDir, "config.pbtxt"))).toBe(`${config}\nversion_policy: { specific: { versions: [1] } }\n`);
  });

  it("refuses a config.pbtxt it cannot parse, with one error naming the target and the file", async () => {
    const { modelDir, version, target, ctx } = await setup();
    await mkdir(modelDir, { recursive: true });
    await writeFile(join(modelDir, "config.pbtxt"), 'name: "sentiment"\ninput [ { name: "x" ');
    const error = await rejection(target.apply(await version({ "model.onnx": "w" }), ctx()));
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toMatch(/^target model-repository: .*config\.pbtxt: line 2: expected `}`/);
    expect(error.message).not.toContain("\n");
  });

  it("is atomic: a failing materialize leaves no stage directory, no version directory and the config as it was", async () => {
    const { modelDir, store, version, target, ctx } = await setup();
    const v1 = await version({ "model.onnx": "weights one" });
    await target.apply(v1, ctx());
    const configBefore = await read(join(modelDir, "config.pbtxt"));
    const markerBefore = await read(join(modelDir, MARKER_FILE));
    const failing = Object.create(store) as Store;
    failing.materialize = async (_ref, dir) => {
      await mkdir(dir);
      await writeFile(join(dir, "model.onnx"), "half of it");
      throw new Error("blob sha256:abc: digest mismatch");
    };
    const v2 = await version({ "model.onnx": "weights two" });
    const error = await rejection(target.apply(v2, { ...ctx(), store: failing }));
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toMatch(
      /^target model-repository: team\/sentiment@sha256:[0-9a-f]{64} could not be written to .*\/2: blob sha256:abc: digest mismatch$/,
    );
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "config.pbtxt"]);
    expect(await read(join(modelDir, "config.pbtxt"))).toBe(configBefore);
    expect(await read(join(modelDir, MARKER_FILE))).toBe(markerBefore);
  });

  it("prunes to keep, never the served version nor the one served before it, nor directories it did not write", async () => {
    const { modelDir, version, target, ctx } = await setup({ keep: 1 });
    await mkdir(join(modelDir, "7"), { recursive: true }); // the user's own version directory
    await writeFile(join(modelDir, "7", "model.onnx"), "hand-made");
    const versions = [];
    for (let i = 1; i <= 4; i++) versions.push(await version({ "model.onnx": `weights ${i}` }));
    await target.apply(versions[0]!, ctx());
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "7", "8", "config.pbtxt"]);
    await target.apply(versions[1]!, ctx());
    // keep: 1, plus the version served before (8) for rollback.
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "7", "8", "9", "config.pbtxt"]);
    const third = await target.apply(versions[2]!, ctx());
    expect(third.details).toMatchObject({ pruned: [8] });
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "10", "7", "9", "config.pbtxt"]);
    expect(Object.keys((await marker(modelDir)).versions).sort()).toEqual(["10", "9"]);
  });

  it("keeps `keep` newest versions", async () => {
    const { modelDir, version, target, ctx } = await setup({ keep: 3 });
    for (let i = 1; i <= 5; i++) await target.apply(await version({ "model.onnx": `weights ${i}` }), ctx());
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "3", "4", "5", "config.pbtxt"]);
  });

  it("rolls back to the previous version: policy points at its directory again and the new one goes", async () => {
    const { modelDir, version, target, ctx } = await setup();
    const v1 = await version({ "model.onnx": "weights one" });
    const v2 = await version({ "model.onnx": "weights two" });
    await target.apply(v1, ctx());
    const applied = await target.apply(v2, ctx());
    const back = await target.rollback(v1, applied, ctx());
    expect(back.details).toMatchObject({ versionNumber: 1, removed: 2 });
    expect(await read(join(modelDir, "config.pbtxt"))).toContain("versions: [1]");
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "config.pbtxt"]);
    // Safe to repeat.
    await target.rollback(v1, applied, ctx());
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "config.pbtxt"]);
  });

  it("re-materializes a pruned previous version on rollback, under a new number", async () => {
    const { modelDir, version, target, ctx } = await setup({ keep: 1 });
    const v = [];
    for (let i = 1; i <= 3; i++) v.push(await version({ "model.onnx": `weights ${i}` }));
    await target.apply(v[0]!, ctx());
    await target.apply(v[1]!, ctx());
    const applied = await target.apply(v[2]!, ctx());
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "2", "3", "config.pbtxt"]);
    const back = await target.rollback(v[0]!, applied, ctx());
    expect(back.details).toMatchObject({ versionNumber: 4 });
    expect(await read(join(modelDir, "4", "model.onnx"))).toBe("weights 1");
    expect(await read(join(modelDir, "config.pbtxt"))).toContain("versions: [4]");
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "2", "4", "config.pbtxt"]);
  });

  it("rolls back to nothing: removes what the first promotion created", async () => {
    const { root, modelDir, version, target, ctx } = await setup();
    const applied = await target.apply(await version({ "model.onnx": "weights one" }), ctx());
    await target.rollback(null, applied, ctx());
    expect(await list(root)).toEqual([]);
    await target.rollback(null, applied, ctx());
    expect(await list(modelDir)).toEqual([]);
  });

  it("rolls back to nothing in a user's model: restores the policy byte for byte and keeps their versions", async () => {
    const { modelDir, version, target, ctx } = await setup();
    await mkdir(join(modelDir, "1"), { recursive: true });
    await writeFile(join(modelDir, "1", "model.onnx"), "hand-made");
    await writeFile(join(modelDir, "config.pbtxt"), USER_CONFIG);
    const applied = await target.apply(await version({ "model.onnx": "weights one" }), ctx());
    expect(applied.details).toMatchObject({ versionNumber: 2, previousServed: [1] });
    await target.rollback(null, applied, ctx());
    expect(await read(join(modelDir, "config.pbtxt"))).toBe(USER_CONFIG);
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "config.pbtxt"]);
  });

  it("refuses a root that does not exist", async () => {
    const { version, ctx } = await setup();
    const target = new ModelRepositoryTarget(modelRepositoryTargetSchema.parse({ type: "model-repository", root: "nowhere" }));
    const error = await rejection(target.apply(await version({ "m.onnx": "w" }), ctx()));
    expect(error.message).toMatch(/^target model-repository: root .*\/nowhere is not a directory/);
  });
});

describe("model-repository target: Triton's load API (local stand-in)", () => {
  it("loads after the files are in place; Triton sees exactly the new version", async () => {
    const { root, modelDir, version, ctx } = await setup();
    const triton = await startTritonServer({ repositoryRoot: root });
    servers.push(triton);
    const target = new ModelRepositoryTarget(
      modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", loadUrl: `${triton.url}/` }),
    );
    const v1 = await version({ "model.onnx": "weights one" });
    const v2 = await version({ "model.onnx": "weights two" });
    await target.apply(v1, ctx());
    const applied = await target.apply(v2, ctx());
    expect(triton.calls.map((c) => [c.method, c.path, c.status, c.versions])).toEqual([
      ["POST", "/v2/repository/models/sentiment/load", 200, [1]],
      ["POST", "/v2/repository/models/sentiment/load", 200, [2]],
    ]);
    await target.rollback(v1, applied, ctx());
    expect(triton.loaded.get("sentiment")).toEqual([1]);
    expect(await list(modelDir)).toContain("1");
  });

  it("unloads when rolling back the first promotion of a model", async () => {
    const { root, version, ctx } = await setup();
    const triton = await startTritonServer({ repositoryRoot: root });
    servers.push(triton);
    const target = new ModelRepositoryTarget(
      modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", loadUrl: triton.url }),
    );
    const applied = await target.apply(await version({ "model.onnx": "weights one" }), ctx());
    await target.rollback(null, applied, ctx());
    expect(triton.calls.at(-1)).toMatchObject({ action: "unload", model: "sentiment", status: 200 });
    expect(triton.loaded.has("sentiment")).toBe(false);
  });

  it("fails with Triton's error (one line, bounded) and leaves the repository as it was", async () => {
    const { root, modelDir, version, ctx } = await setup();
    const triton = await startTritonServer({
      repositoryRoot: root,
      loadFault: () => ({
        status: 400,
        error: `failed to load 'sentiment' version 2: Internal: onnx runtime error 1: "bad"\n${"x".repeat(1000)}`,
      }),
    });
    servers.push(triton);
    const target = new ModelRepositoryTarget(
      modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", loadUrl: triton.url }),
    );
    const plain = new ModelRepositoryTarget(modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models" }));
    await plain.apply(await version({ "model.onnx": "weights one" }), ctx());
    const before = await read(join(modelDir, "config.pbtxt"));
    const error = await rejection(target.apply(await version({ "model.onnx": "weights two" }), ctx()));
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toMatch(
      /^target model-repository: Triton at http:\/\/127\.0\.0\.1:\d+: load "sentiment" failed: HTTP 400: failed to load 'sentiment' version 2: Internal: onnx runtime error 1: "bad"\\nx+…$/,
    );
    expect(error.message.length).toBeLessThan(500);
    expect(await read(join(modelDir, "config.pbtxt"))).toBe(before);
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "config.pbtxt"]);
  });

  it("names an unreachable Triton by origin", async () => {
    const { version, ctx } = await setup();
    const triton = await startTritonServer({ repositoryRoot: "/nonexistent" });
    await triton.close();
    const target = new ModelRepositoryTarget(
      modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", loadUrl: triton.url }),
    );
    const error = await rejection(target.apply(await version({ "model.onnx": "w" }), ctx()));
    expect(error.message).toMatch(/^target model-repository: Triton at http:\/\/127\.0\.0\.1:\d+: load "sentiment" failed: ECONNREFUSED$/);
  });
});

describe("model-repository target (TF Serving)", () => {
  const OTHER = `# Served by tensorflow_model_server --model_config_file=/models/model.config
model_config_list {
  config {
    name: "ranker"   # owned by the search team
    base_path: "/models/ranker"
    model_platform: "tensorflow"
  }
}
`;

  it("adds and updates this model's entry only, keeping other models and comments", async () => {
    const { root, version, ctx } = await setup({ format: "tfserving" });
    await writeFile(join(root, "model.config"), OTHER);
    const target = new ModelRepositoryTarget(
      modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", format: "tfserving" }),
    );
    const v1 = await version({ "saved_model.pb": "graph one" });
    const v2 = await version({ "saved_model.pb": "graph two" });
    const first = await target.apply(v1, ctx());
    const base = join(root, "sentiment");
    const afterFirst = OTHER.replace(
      "  }\n}\n",
      `  }\n  config {\n    name: "sentiment"\n    base_path: "${base}"\n    model_platform: "tensorflow"\n` +
        `    model_version_policy { specific { versions: 1 } }\n    version_labels { key: "stable" value: 1 }\n  }\n}\n`,
    );
    expect(await read(join(root, "model.config"))).toBe(afterFirst);
    expect(first.details).toMatchObject({ createdConfig: false, previousSetting: null });

    const second = await target.apply(v2, ctx());
    expect(await read(join(root, "model.config"))).toBe(
      afterFirst.replaceAll("versions: 1", "versions: 2").replace("value: 1", "value: 2"),
    );
    await target.rollback(null, second, ctx());
    expect(await read(join(root, "model.config"))).toBe(afterFirst);
    await target.rollback(null, first, ctx());
    expect(await read(join(root, "model.config"))).toBe(OTHER);
  });

  it("edits an existing entry field by field, keeping the user's other fields", async () => {
    const { root, version, ctx } = await setup({ format: "tfserving" });
    const config = `model_config_list {
  config {
    name: "sentiment"
    base_path: "/old/path"
    model_platform: "tensorflow"
    model_version_policy { latest { num_versions: 2 } }
    version_labels { key: "canary" value: 5 }
    logging_config { sampling_config { sampling_rate: 0.01 } }  # keep
  }
}
`;
    await writeFile(join(root, "model.config"), config);
    const target = new ModelRepositoryTarget(
      modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", format: "tfserving" }),
    );
    const applied = await target.apply(await version({ "saved_model.pb": "graph one" }), ctx());
    expect(await read(join(root, "model.config"))).toBe(`model_config_list {
  config {
    name: "sentiment"
    base_path: "${join(root, "sentiment")}"
    model_platform: "tensorflow"
    model_version_policy { specific { versions: 1 } }
    logging_config { sampling_config { sampling_rate: 0.01 } }  # keep
    version_labels { key: "stable" value: 1 }
  }
}
`);
    await target.rollback(null, applied, ctx());
    expect(await read(join(root, "model.config"))).toBe(config);
  });

  it("creates model.config when there is none", async () => {
    const { root, version, ctx } = await setup();
    const target = new ModelRepositoryTarget(
      modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", format: "tfserving" }),
    );
    const applied = await target.apply(await version({ "saved_model.pb": "graph one" }), ctx());
    expect(await read(join(root, "model.config"))).toBe(
      `model_config_list {\n  config {\n    name: "sentiment"\n    base_path: "${join(root, "sentiment")}"\n    model_platform: "tensorflow"\n` +
        `    model_version_policy { specific { versions: 1 } }\n    version_labels { key: "stable" value: 1 }\n  }\n}\n`,
    );
    await target.rollback(null, applied, ctx());
    expect(await list(root)).toEqual([]);
  });

  it("refuses loadUrl with TF Serving", () => {
    expect(
      () =>
        new ModelRepositoryTarget(
          modelRepositoryTargetSchema.parse({ type: "model-repository", root: "m", format: "tfserving", loadUrl: "http://x" }),
        ),
    ).toThrow(/^target model-repository: loadUrl is Triton's repository API/);
  });
});

describe("model-repository target: concurrent and interrupted promotions", () => {
  /** A store whose materialize takes a while, so two promotions overlap. */
  function slow(store: Store, ms = 100): Store {
    const wrapped = Object.create(store) as Store;
    wrapped.materialize = async (...args: Parameters<Store["materialize"]>) => {
      await new Promise((r) => setTimeout(r, ms));
      return store.materialize(...args);
    };
    return wrapped;
  }

  /** A pid no process has (one that just exited). */
  function deadPid(): number {
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    return Number(child.stdout);
  }

  it("two concurrent applies of different digests get different numbers and both marker entries survive", async () => {
    const { modelDir, store, version, target, ctx } = await setup();
    const v1 = await version({ "model.onnx": "weights one" });
    const v2 = await version({ "model.onnx": "weights two" });
    const other = new ModelRepositoryTarget(modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models" }));
    const [a, b] = await Promise.all([
      target.apply(v1, { ...ctx(), store: slow(store) }),
      other.apply(v2, { ...ctx(), store: slow(store) }),
    ]);
    const numbers = [a.details.versionNumber, b.details.versionNumber];
    expect([...numbers].sort()).toEqual([1, 2]);
    const m = await marker(modelDir);
    expect(m.versions[String(a.details.versionNumber)]?.digest).toBe(v1.digest);
    expect(m.versions[String(b.details.versionNumber)]?.digest).toBe(v2.digest);
    expect(await read(join(modelDir, String(a.details.versionNumber), "model.onnx"))).toBe("weights one");
    expect(await read(join(modelDir, String(b.details.versionNumber), "model.onnx"))).toBe("weights two");
    // The later one is served, and no lock file is left.
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "2", "config.pbtxt"]);
  });

  it("TF Serving: concurrent applies of two models both keep their entry in the shared model.config (the lock is <root>/.llmops-lock)", async () => {
    const { root, store, version, ctx } = await setup();
    const make = (model: string) =>
      new ModelRepositoryTarget(
        modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", format: "tfserving", model }),
      );
    const v1 = await version({ "saved_model.pb": "graph one" });
    const v2 = await version({ "saved_model.pb": "graph two" });
    await Promise.all([
      make("ranker").apply(v1, { ...ctx(), store: slow(store) }),
      make("sentiment").apply(v2, { ...ctx(), store: slow(store) }),
    ]);
    const config = await read(join(root, "model.config"));
    expect(config).toContain('name: "ranker"');
    expect(config).toContain('name: "sentiment"');
    expect(await list(root)).toEqual(["model.config", "ranker", "sentiment"]);
  });

  it("holds <model>/.llmops-lock naming its owner while it writes", async () => {
    const { modelDir, store, version, target, ctx } = await setup();
    let seen: unknown;
    const watching = Object.create(store) as Store;
    watching.materialize = async (...args: Parameters<Store["materialize"]>) => {
      seen = JSON.parse(await read(join(modelDir, LOCK_FILE)));
      return store.materialize(...args);
    };
    await target.apply(await version({ "model.onnx": "weights one" }), { ...ctx(), store: watching });
    expect(seen).toMatchObject({ pid: process.pid, host: hostname(), since: expect.any(String) });
    expect(await list(modelDir)).not.toContain(LOCK_FILE);
  });

  it("removes stage directories older than the lock's staleness window, and keeps recent ones", async () => {
    const { modelDir, version, target, ctx } = await setup();
    const old = join(modelDir, ".llmops-stage-0123456789ab");
    const recent = join(modelDir, ".llmops-stage-ba9876543210");
    await mkdir(old, { recursive: true });
    await writeFile(join(old, "model.onnx"), "half of it");
    await mkdir(recent);
    const hourAgo = new Date(Date.now() - 60 * 60_000);
    await utimes(old, hourAgo, hourAgo);
    const c = ctx();
    await target.apply(await version({ "model.onnx": "weights one" }), c);
    expect(await list(modelDir)).toEqual([".llmops-stage-ba9876543210", ".llmops-versions.json", "1", "config.pbtxt"]);
    expect(c.logger.lines.map((l) => l.message)).toContain(
      `model-repository: removed ${old}, left behind by a promotion that did not finish`,
    );
  });

  it("takes over a lock whose owner died on this host, or that was not refreshed within the window", async () => {
    const { modelDir, version, target, ctx } = await setup({}, { lockStaleMs: 5_000, lockWaitMs: 2_000 });
    await mkdir(modelDir, { recursive: true });
    const lock = join(modelDir, LOCK_FILE);
    await writeFile(lock, JSON.stringify({ pid: deadPid(), host: hostname(), nonce: "crashed", since: "2024-05-01T12:00:00Z" }));
    await target.apply(await version({ "model.onnx": "weights one" }), ctx());
    // Another host's lock: its pid says nothing here, its age does.
    await writeFile(lock, JSON.stringify({ pid: 1, host: "elsewhere", nonce: "gone", since: "2024-05-01T12:00:00Z" }));
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(lock, longAgo, longAgo);
    const second = await target.apply(await version({ "model.onnx": "weights two" }), ctx());
    expect(second.details).toMatchObject({ versionNumber: 2 });
    expect(await list(modelDir)).toEqual([".llmops-versions.json", "1", "2", "config.pbtxt"]);
  });

  it("waits for a live owner's lock and then fails naming it, changing nothing", async () => {
    const { modelDir, version, target, ctx } = await setup({}, { lockStaleMs: 60_000, lockWaitMs: 300 });
    await mkdir(modelDir, { recursive: true });
    const lock = join(modelDir, LOCK_FILE);
    await writeFile(lock, JSON.stringify({ pid: 1, host: "elsewhere", nonce: "busy", since: "2024-05-01T12:00:00Z" }));
    const error = await rejection(target.apply(await version({ "model.onnx": "weights one" }), ctx()));
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toMatch(
      /^target model-repository: .*\/sentiment\/\.llmops-lock is held by pid 1 on elsewhere since 2024-05-01T12:00:00Z \(another promotion into this model directory\); waited 0 s/,
    );
    expect(await list(modelDir)).toEqual([LOCK_FILE]);
  });
});

describe("model-repository target: servedRoot", () => {
  it("writes TF Serving's base_path under servedRoot, the repository as the server's container sees it", async () => {
    const { root, version, ctx } = await setup();
    const target = new ModelRepositoryTarget(
      modelRepositoryTargetSchema.parse({ type: "model-repository", root: "models", format: "tfserving", servedRoot: "/models/" }),
    );
    await writeFile(
      join(root, "model.config"),
      `model_config_list {\n  config {\n    name: "sentiment"\n    base_path: "${join(root, "sentiment")}"\n  }\n}\n`,
    );
    const v1 = await version({ "saved_model.pb": "graph one" });
    const v2 = await version({ "saved_model.pb": "graph two" });
    await target.apply(v1, ctx());
    const applied = await target.apply(v2, ctx());
    expect(await read(join(root, "model.config"))).toBe(
      `model_config_list {\n  config {\n    name: "sentiment"\n    base_path: "/models/sentiment"\n` +
        `    model_version_policy { specific { versions: 2 } }\n    model_platform: "tensorflow"\n    version_labels { key: "stable" value: 2 }\n  }\n}\n`,
    );
    // The files themselves go under root, here.
    expect(await read(join(root, "sentiment", "2", "saved_model.pb"))).toBe("graph two");
    await target.rollback(v1, applied, ctx());
    expect(await read(join(root, "model.config"))).toContain('base_path: "/models/sentiment"');
    expect(await read(join(root, "model.config"))).toContain("versions: 1");
  });

  it("is TF Serving's only: refused with Triton, and must be absolute or a URI", () => {
    expect(
      () => new ModelRepositoryTarget(modelRepositoryTargetSchema.parse({ type: "model-repository", root: "m", servedRoot: "/models" })),
    ).toThrow(/^target model-repository: servedRoot is TF Serving's base_path; Triton's config.pbtxt holds no paths/);
    expect(modelRepositoryTargetSchema.safeParse({ type: "model-repository", root: "m", servedRoot: "models" }).success).toBe(false);
    expect(
      modelRepositoryTargetSchema.safeParse({ type: "model-repository", root: "m", format: "tfserving", servedRoot: "s3://b/models" })
        .success,
    ).toBe(true);
  });
});

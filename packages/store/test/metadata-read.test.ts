// Store.metadata: a version's artifact type and metadata, read back verified (feedback ingest tells
// a model from a dataset with it).
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DATASET_ARTIFACT_TYPE, InputError, MODEL_ARTIFACT_TYPE, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { BlobIntegrityError, openStore } from "../src/index.ts";
import { tempDir, writeTree } from "./helpers.ts";

describe("Store.metadata", () => {
  it("reads the artifact type and metadata by tag or digest; undefined for no such manifest; a tampered config is an error", async () => {
    const dir = await tempDir();
    await writeTree(join(dir, "m"), { "w.bin": "w" });
    await writeTree(join(dir, "d"), { "a.jsonl": "{}\n" });
    const store = openStore(join(dir, "store"), { logger: silentLogger, cacheDir: join(dir, "cache") });
    const model = await store.version({ path: join(dir, "m"), name: "acme/m", kind: "model", labels: { task: "clf" } });
    const data = await store.version({ path: join(dir, "d"), name: "acme/d", kind: "dataset", parents: ["acme/m:v1"] });

    expect(await store.metadata("acme/m", "v1")).toMatchObject({
      digest: model.digest,
      artifactType: MODEL_ARTIFACT_TYPE,
      metadata: { name: "acme/m", kind: "model", labels: { task: "clf" } },
    });
    expect(await store.metadata("acme/d", data.digest)).toMatchObject({
      artifactType: DATASET_ARTIFACT_TYPE,
      metadata: { kind: "dataset", parents: [{ ref: "acme/m:v1", digest: model.digest }] },
    });
    expect(await store.metadata("acme/m", "v9")).toBeUndefined();
    await expect(store.metadata("Not A Name", "v1")).rejects.toBeInstanceOf(InputError);

    const manifest = JSON.parse(await readFile(join(dir, "store", "blobs", "sha256", model.digest.slice(7)), "utf8"));
    const config = join(dir, "store", "blobs", "sha256", manifest.config.digest.slice(7));
    await chmod(config, 0o644);
    const bytes = await readFile(config);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 1;
    await writeFile(config, bytes);
    await expect(store.metadata("acme/m", "v1")).rejects.toBeInstanceOf(BlobIntegrityError);
  });
});

// readEvidenceJson: the one bounded reader of JSON referrers (promotion records, the monitor's
// serving version). Referrers come from anyone with write access to the store, so everything that
// cannot be trusted whole is skipped with a debug line naming it, and annotations filter before
// any file is read.
import { join } from "node:path";
import { ExternalError, type ResolvedVersion, recordingLogger, silentLogger } from "@llmops/core";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { openStore, type Store } from "../src/index.ts";
import { tempDir, writeTree } from "./helpers.ts";

const TYPE = "application/vnd.llmops.test.v1+json";
const FILE = "record.json";
const recordSchema = z.strictObject({ kind: z.literal("record"), n: z.number().int(), tag: z.string().default("none") });

async function setup(): Promise<{ store: Store; subject: ResolvedVersion }> {
  const dir = await tempDir();
  await writeTree(join(dir, "src"), { "weights.bin": "w" });
  const store = openStore(join(dir, "store"), { logger: silentLogger, cacheDir: join(dir, "cache") });
  await store.version({ path: join(dir, "src"), name: "m", kind: "model" });
  return { store, subject: await store.resolve("m:v1") };
}

async function attach(store: Store, subject: ResolvedVersion, body: string, created: string, annotations: Record<string, string> = {}) {
  const { digest } = await store.attachEvidence(subject, {
    artifactType: TYPE,
    files: [{ title: FILE, mediaType: "application/json", data: new TextEncoder().encode(body) }],
    annotations: { "org.opencontainers.image.created": created, ...annotations },
  });
  return digest;
}

describe("Store.readEvidenceJson", () => {
  it("returns the valid records newest first, and skips malformed JSON, schema-invalid JSON and a file over maxBytes, naming each", async () => {
    const { store, subject } = await setup();
    const older = await attach(store, subject, JSON.stringify({ kind: "record", n: 1 }), "2026-01-01T00:00:00Z", { env: "prod" });
    const malformed = await attach(store, subject, '{"kind": "record", "n": ', "2026-01-02T00:00:00Z");
    const invalid = await attach(store, subject, JSON.stringify({ kind: "record", n: 1.5 }), "2026-01-03T00:00:00Z");
    const big = await attach(store, subject, JSON.stringify({ kind: "record", n: 2, tag: "x".repeat(200) }), "2026-01-04T00:00:00Z");
    const newer = await attach(store, subject, JSON.stringify({ kind: "record", n: 3, tag: "t" }), "2026-01-05T00:00:00Z");
    // Another artifact type on the same version is not read at all.
    await store.attachEvidence(subject, {
      artifactType: "application/vnd.llmops.other.v1+json",
      files: [{ title: FILE, mediaType: "application/json", data: new TextEncoder().encode("{}") }],
    });

    const logger = recordingLogger();
    const read = await store.readEvidenceJson(subject, {
      artifactType: TYPE,
      file: FILE,
      schema: recordSchema,
      maxBytes: 100,
      what: "test record",
      logger,
    });

    expect(read).toEqual([
      {
        digest: newer,
        value: { kind: "record", n: 3, tag: "t" },
        annotations: { "org.opencontainers.image.created": "2026-01-05T00:00:00Z" },
      },
      {
        digest: older,
        // The schema's output: defaults filled in.
        value: { kind: "record", n: 1, tag: "none" },
        annotations: { "org.opencontainers.image.created": "2026-01-01T00:00:00Z", env: "prod" },
      },
    ]);
    const debug = logger.lines.filter((l) => l.level === "debug").map((l) => l.message);
    expect(debug).toHaveLength(3);
    expect(debug).toContainEqual(expect.stringMatching(new RegExp(`^test record ${big}: unreadable \\(.*over the 100-byte limit`)));
    expect(debug).toContainEqual(expect.stringMatching(new RegExp(`^test record ${malformed}: unreadable \\(.*JSON`)));
    expect(debug).toContainEqual(`test record ${invalid}: skipped (${FILE}: n: Invalid input: expected int, received number)`);
    expect(logger.lines.filter((l) => l.level !== "debug")).toEqual([]);
  });

  it("filters by annotations before reading: a referrer that does not match costs no read", async () => {
    const { store, subject } = await setup();
    const wanted = await attach(store, subject, JSON.stringify({ kind: "record", n: 1 }), "2026-01-01T00:00:00Z", { env: "prod" });
    await attach(store, subject, JSON.stringify({ kind: "record", n: 2 }), "2026-01-02T00:00:00Z", { env: "staging" });
    await attach(store, subject, "not even JSON", "2026-01-03T00:00:00Z");
    const reads = vi.spyOn(store, "readEvidenceFile");
    const logger = recordingLogger();

    const read = await store.readEvidenceJson(subject, {
      artifactType: TYPE,
      file: FILE,
      schema: recordSchema,
      maxBytes: 1024,
      match: (annotations) => annotations.env === "prod",
      logger,
    });

    expect(read.map((r) => r.digest)).toEqual([wanted]);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reads).toHaveBeenCalledWith(subject, wanted, FILE, { maxBytes: 1024 });
    // Not read, so nothing to say about the unmatched ones.
    expect(logger.lines).toEqual([]);
  });

  it("skips a referrer without the file, and returns nothing for a version without referrers", async () => {
    const { store, subject } = await setup();
    const other = await store.attachEvidence(subject, {
      artifactType: TYPE,
      files: [{ title: "other.json", mediaType: "application/json", data: new TextEncoder().encode("{}") }],
    });
    const logger = recordingLogger();
    const options = { artifactType: TYPE, file: FILE, schema: recordSchema, maxBytes: 1024, logger };
    expect(await store.readEvidenceJson(subject, options)).toEqual([]);
    expect(logger.lines.map((l) => l.message)).toEqual([
      `evidence ${other.digest}: unreadable (evidence ${other.digest}: has no file ${FILE})`,
    ]);
    expect(await store.readEvidenceJson(subject, { ...options, artifactType: "application/vnd.llmops.none.v1+json" })).toEqual([]);
  });

  it("lets the store's own failures through: a registry error is not an absent record", async () => {
    const { store, subject } = await setup();
    await attach(store, subject, JSON.stringify({ kind: "record", n: 1 }), "2026-01-01T00:00:00Z");
    const failure = new ExternalError("registry 127.0.0.1: 503 after 3 attempts");
    vi.spyOn(store, "readEvidenceFile").mockRejectedValueOnce(failure);
    await expect(
      store.readEvidenceJson(subject, { artifactType: TYPE, file: FILE, schema: recordSchema, maxBytes: 1024, logger: silentLogger }),
    ).rejects.toBe(failure);
  });
});

import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { silentLogger } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRegistry, type TestRegistry } from "../../../test/src/registry.ts";
import { type BlobCache, InvalidManifestError, openStore, type StoredManifest, type Transport } from "../src/index.ts";
import { Store } from "../src/store.ts";
import { exists, tempDir } from "./helpers.ts";

// Literal OCI values (image-spec media-types.md, annotations.md), not the code's constants.
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
const TITLE = "org.opencontainers.image.title";
const REF_NAME = "org.opencontainers.image.ref.name";
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: sha("{}"), size: 2 };

function sha(data: string | Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

function layer(over: Record<string, unknown> = {}, title = "file.txt"): Record<string, unknown> {
  return { mediaType: "application/octet-stream", digest: sha("x"), size: 1, annotations: { [TITLE]: title }, ...over };
}

function manifest(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MANIFEST_TYPE, config: EMPTY, layers: [layer()], ...over };
}

/** An OCI image layout written by hand (image-layout.md), holding `doc` tagged `m:v1`, and the blobs "x" and "{}". */
async function plantLayout(doc: unknown, indexEntry: Record<string, unknown> = {}): Promise<{ dir: string; storeDir: string }> {
  const dir = await tempDir();
  const storeDir = join(dir, "store");
  const blobs = join(storeDir, "blobs", "sha256");
  await mkdir(blobs, { recursive: true });
  await writeFile(join(storeDir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
  const bytes = Buffer.from(typeof doc === "string" ? doc : JSON.stringify(doc));
  for (const blob of [bytes, Buffer.from("x"), Buffer.from("{}")]) await writeFile(join(blobs, sha(blob).slice(7)), blob);
  const entry = { mediaType: MANIFEST_TYPE, digest: sha(bytes), size: bytes.length, annotations: { [REF_NAME]: "m:v1" }, ...indexEntry };
  await writeFile(join(storeDir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: INDEX_TYPE, manifests: [entry] }));
  return { dir, storeDir };
}

/** A blob cache that only records what it was asked: a digest reaching it may become a path. */
function askedCache(): BlobCache & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async restore(digest) {
      asked.push(digest);
      return false;
    },
    async save(digest) {
      asked.push(digest);
    },
  };
}

async function refused(promise: Promise<unknown>): Promise<InvalidManifestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidManifestError);
  expect((error as InvalidManifestError).exitCode).toBe(2);
  expect((error as Error).message).not.toContain("\n");
  return error as InvalidManifestError;
}

describe("manifests read from a layout are schema-checked before any path is built from them", () => {
  it.each([
    [
      "a layer digest that walks out of blobs/",
      manifest({ layers: [layer({ digest: "sha256:../../x" })] }),
      /layers\[0\]\.digest: expected sha256:<64 lowercase hex>, got "sha256:\.\.\/\.\.\/x"/,
    ],
    [
      "an upper-case hex digest",
      manifest({ layers: [layer({ digest: sha("x").toUpperCase().replace("SHA256", "sha256") })] }),
      /layers\[0\]\.digest/,
    ],
    ["another algorithm", manifest({ layers: [layer({ digest: `sha512:${"a".repeat(128)}` })] }), /layers\[0\]\.digest/],
    ["a negative size", manifest({ layers: [layer({ size: -1 })] }), /layers\[0\]\.size: expected a non-negative safe integer, got -1/],
    ["a size past 2^53", manifest({ layers: [layer({ size: 2 ** 60 })] }), /layers\[0\]\.size/],
    ["a fractional size", manifest({ layers: [layer({ size: 1.5 })] }), /layers\[0\]\.size/],
    ["a size given as a string", manifest({ layers: [layer({ size: "1" })] }), /layers\[0\]\.size/],
    [
      "a title escaping the destination",
      manifest({ layers: [layer({}, "../../evil")] }),
      /layers\[0\]\.annotations\["org\.opencontainers\.image\.title"\]: .*got "\.\.\/\.\.\/evil"/,
    ],
    [
      "an absolute title",
      manifest({ layers: [layer({}, "/etc/cron.d/x")] }),
      /layers\[0\]\.annotations\["org\.opencontainers\.image\.title"\]/,
    ],
    ["a title with an empty segment", manifest({ layers: [layer({}, "a//b")] }), /image\.title/],
    ["an empty title", manifest({ layers: [layer({}, "")] }), /image\.title/],
    [
      "a media type that is not type/subtype",
      manifest({ layers: [layer({ mediaType: "octet stream" })] }),
      /layers\[0\]\.mediaType: expected a media type/,
    ],
    ["a bad config digest", manifest({ config: { ...EMPTY, digest: "sha256:" } }), /config\.digest/],
    [
      "an image index where a manifest belongs",
      manifest({ mediaType: INDEX_TYPE }),
      /: mediaType: expected application\/vnd\.oci\.image\.manifest\.v1\+json/,
    ],
    ["schemaVersion 1", manifest({ schemaVersion: 1 }), /schemaVersion: expected 2/],
    ["layers that are not a list", manifest({ layers: { 0: layer() } }), /layers: expected an array/],
    ["a subject with a bad digest", manifest({ subject: { mediaType: MANIFEST_TYPE, digest: "sha256:..", size: 3 } }), /subject\.digest/],
  ])("fetch refuses %s, asks no blob cache and writes nothing", async (_, doc, pattern) => {
    const { dir, storeDir } = await plantLayout(doc);
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
    const cache = askedCache();
    const error = await refused(store.fetch("m:v1", join(dir, "out"), { blobCache: cache }));
    expect(error.message).toMatch(pattern);
    expect(error.message).toMatch(/^ref m:v1 in store .*: manifest sha256:[a-f0-9]{64}: /);
    expect(cache.asked).toEqual([]);
    expect(await exists(join(dir, "out"))).toBe(false);
    expect(await exists(join(dir, "evil"))).toBe(false);
  });

  it("resolve, list and tag refuse the same manifest", async () => {
    const { dir, storeDir } = await plantLayout(manifest({ layers: [layer({ size: -5 })] }));
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
    await refused(store.resolve("m:v1"));
    await refused(store.list("m"));
    await refused(store.tag("m:v1", "prod"));
  });

  it("refuses a manifest that is not JSON", async () => {
    const { dir, storeDir } = await plantLayout("not json {");
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
    expect((await refused(store.fetch("m:v1", join(dir, "out")))).message).toMatch(/: \(root\): expected JSON$/);
  });

  it("refuses an index.json entry whose digest would name a file outside blobs/", async () => {
    const { dir, storeDir } = await plantLayout(manifest(), { digest: "sha256:../../oci-layout" });
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
    const error = await refused(store.fetch("m:v1", join(dir, "out")));
    expect(error.message).toMatch(
      /index\.json: manifests\[0\]\.digest: expected sha256:<64 lowercase hex>, got "sha256:\.\.\/\.\.\/oci-layout"/,
    );
  });

  it("keeps other tools' fields in index.json when it rewrites it", async () => {
    const platform = { architecture: "amd64", os: "linux" };
    const { dir, storeDir } = await plantLayout(manifest(), { platform, "x-tool": "kept" });
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
    await store.tag("m:v1", "prod");
    const index = JSON.parse(await readFile(join(storeDir, "index.json"), "utf8"));
    const v1 = index.manifests.find((m: { annotations?: Record<string, string> }) => m.annotations?.[REF_NAME] === "m:v1");
    expect(v1).toMatchObject({ platform, "x-tool": "kept" });
  });

  it("accepts a well-formed hand-written manifest (unknown fields ignored, as the image spec asks)", async () => {
    const { dir, storeDir } = await plantLayout(manifest({ layers: [layer({ urls: [], "x-extra": 1 })], "x-vendor": { a: 1 } }));
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
    const result = await store.fetch("m:v1", join(dir, "out"));
    expect(result.files.map((f) => f.title)).toEqual(["file.txt"]);
    expect(await readFile(join(dir, "out", "file.txt"), "utf8")).toBe("x");
  });
});

/** A transport that hands back whatever it is given, the way any registry could. */
function fakeTransport(manifests: Record<string, StoredManifest>, referrers: unknown[] = []): Transport {
  return {
    kind: "registry",
    location: "oci://fake.invalid",
    hasBlob: async () => true,
    putBlobFile: async () => "exists",
    putBlobBytes: async () => {},
    openBlob: async () => Readable.from([Buffer.from("x")]),
    getManifest: async (_repo, reference) => manifests[reference],
    putManifest: async () => "",
    setTag: async () => ({ previous: null }),
    listTags: async () => Object.keys(manifests).filter((k) => !k.startsWith("sha256:")),
    listRepositories: async () => [],
    referrers: async () => referrers as never,
  };
}

function stored(doc: unknown, over: Partial<StoredManifest> = {}): StoredManifest {
  const bytes = Buffer.from(JSON.stringify(doc));
  return { bytes, digest: sha(bytes), mediaType: MANIFEST_TYPE, ...over };
}

describe("the store checks what any transport returns", () => {
  it("refuses a bad manifest from a registry transport", async () => {
    const dir = await tempDir();
    const store = new Store(fakeTransport({ v1: stored(manifest({ layers: [layer({ digest: "sha256:../../../etc/passwd" })] })) }), {
      logger: silentLogger,
      statCachePath: join(dir, "stat.json"),
    });
    const error = await refused(store.fetch("m:v1", join(dir, "out")));
    expect(error.message).toMatch(/^ref m:v1 in store oci:\/\/fake\.invalid: manifest sha256:[a-f0-9]{64}: layers\[0\]\.digest/);
  });

  it("refuses bytes that do not hash to the digest the transport claims, or to the digest asked for", async () => {
    const dir = await tempDir();
    const good = stored(manifest());
    const other = `sha256:${"1".repeat(64)}`;
    const store = new Store(fakeTransport({ v1: { ...good, digest: other }, [other]: good }), {
      logger: silentLogger,
      statCachePath: join(dir, "stat.json"),
    });
    expect((await refused(store.resolve("m:v1"))).message).toMatch(new RegExp(`content hashes to ${good.digest}, expected ${other}`));
    expect((await refused(store.resolve(`m@${other}`))).message).toMatch(new RegExp(`content hashes to ${good.digest}`));
  });

  it("refuses a manifest served with another media type", async () => {
    const dir = await tempDir();
    const store = new Store(fakeTransport({ v1: stored(manifest(), { mediaType: INDEX_TYPE }) }), {
      logger: silentLogger,
      statCachePath: join(dir, "stat.json"),
    });
    expect((await refused(store.resolve("m:v1"))).message).toMatch(/mediaType: expected application\/vnd\.oci\.image\.manifest\.v1\+json/);
  });

  it("refuses referrer descriptors whose digest is not a sha256 digest before reading them", async () => {
    const dir = await tempDir();
    const subject = stored(manifest());
    const store = new Store(
      fakeTransport({ v1: subject, [subject.digest]: subject }, [
        { mediaType: MANIFEST_TYPE, digest: "sha256:../../v2/_catalog", size: 10, artifactType: "application/vnd.llmops.eval.v1+json" },
      ]),
      { logger: silentLogger, statCachePath: join(dir, "stat.json") },
    );
    const error = await refused(store.listEvidence({ name: "m", digest: subject.digest }, "application/vnd.llmops.eval.v1+json"));
    expect(error.message).toMatch(
      /^referrers of m@sha256:[a-f0-9]{64} in store oci:\/\/fake\.invalid: manifest sha256:[a-f0-9]{64}: \[0\]\.digest/,
    );
  });
});

describe("the same check on a real registry (CNCF Distribution)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it("fetch refuses a manifest whose title escapes the destination, which the registry stores without complaint", async () => {
    const dir = await tempDir();
    const store = openStore(`oci://${registry.host}/t`, { logger: silentLogger, cacheDir: join(dir, "cache"), retryDelayMs: 10 });
    await store.transport.putBlobBytes("t/m", sha("x"), Buffer.from("x"));
    await store.transport.putBlobBytes("t/m", EMPTY.digest, Buffer.from("{}"));
    const bytes = Buffer.from(JSON.stringify(manifest({ layers: [layer({}, "../../evil")] })));
    const digest = await store.transport.putManifest("t/m", bytes, MANIFEST_TYPE);
    const error = await refused(store.fetch(`m@${digest}`, join(dir, "a", "out")));
    expect(error.message).toMatch(/layers\[0\]\.annotations\["org\.opencontainers\.image\.title"\]/);
    expect(await exists(join(dir, "evil"))).toBe(false);
    expect(await exists(join(dir, "a", "out"))).toBe(false);
  });
});

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmod, chown, readFile, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError, silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { skopeo } from "../../../test/src/registry.ts";
import { AliasConflictError, InvalidManifestError, LayoutTransport, openStore } from "../src/index.ts";
import { OCI_MANIFEST } from "../src/media.ts";
import { Store } from "../src/store.ts";
import { exists, readTree, sha256sum, tempDir, writeTree } from "./helpers.ts";

const CREATED = "2024-05-01T12:00:00.000Z";

async function setup(
  files: Record<string, string | Buffer> = { "weights.bin": Buffer.alloc(300_000, 3), "config/model.json": '{"layers":2}' },
) {
  const dir = await tempDir();
  const src = join(dir, "src");
  await writeTree(src, files);
  const storeDir = join(dir, "store");
  const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
  return { dir, src, storeDir, store };
}

async function expectInputError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).exitCode).toBe(2);
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toContain("\n");
}

describe("layout store: version", () => {
  it("writes one layer per file (sorted, POSIX titles) whose digests match sha256sum, plus an OCI layout skopeo reads", async () => {
    const { src, storeDir, store } = await setup();
    const result = await store.version({ path: src, name: "team/model", kind: "model", created: CREATED });
    expect(result.version).toBe("v1");
    expect(result.ref).toBe("team/model:v1");
    expect(result.files.map((f) => f.title)).toEqual(["config/model.json", "weights.bin"]);
    expect(result.files[0]?.digest).toBe(sha256sum(join(src, "config/model.json")));
    expect(result.files[1]?.digest).toBe(sha256sum(join(src, "weights.bin")));
    expect(result.uploadedBytes).toBe(300_000 + 12);
    // The manifest blob is stored under its own digest, as coreutils computes it.
    expect(sha256sum(join(storeDir, "blobs", "sha256", result.digest.slice(7)))).toBe(result.digest);
    const raw = skopeo(["inspect", "--raw", `oci:${storeDir}:team/model:v1`]);
    const manifest = JSON.parse(raw);
    expect(manifest.mediaType).toBe(OCI_MANIFEST);
    expect(manifest.artifactType).toBe("application/vnd.llmops.model.v1+json");
    expect(manifest.layers.map((l: { annotations: Record<string, string> }) => l.annotations["org.opencontainers.image.title"])).toEqual([
      "config/model.json",
      "weights.bin",
    ]);
    const config = JSON.parse(skopeo(["inspect", "--raw", "--config", `oci:${storeDir}:team/model:v1`]));
    expect(config).toMatchObject({ name: "team/model", kind: "model", created: CREATED, files: { count: 2, bytes: 300_012 } });
  });

  it("gives the same digest for the same files and metadata in another store, and a different one when created differs", async () => {
    const a = await setup();
    const b = await setup();
    const ra = await a.store.version({ path: a.src, name: "m", kind: "model", created: CREATED, labels: { x: "1" } });
    const rb = await b.store.version({ path: b.src, name: "m", kind: "model", created: CREATED, labels: { x: "1" } });
    expect(rb.digest).toBe(ra.digest);
    const rc = await b.store.version({ path: b.src, name: "m", kind: "model", created: "2024-05-02T00:00:00Z", labels: { x: "1" } });
    expect(rc.digest).not.toBe(ra.digest);
    expect(rc.version).toBe("v2");
    expect(rc.uploadedBytes).toBe(0);
  });

  it("honours SOURCE_DATE_EPOCH for created", async () => {
    const { src, store } = await setup();
    const previous = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = "1700000000";
    try {
      const r = await store.version({ path: src, name: "m", kind: "dataset" });
      expect(r.created).toBe("2023-11-14T22:13:20.000Z");
    } finally {
      if (previous === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = previous;
    }
  });

  it("re-versioning unchanged files reads nothing (stat cache); a rewrite keeping size, mtime and inode is still rehashed", async () => {
    const { dir, src, storeDir } = await setup();
    // Written an hour ago: the stat cache only trusts entries made 2 s or more after mtime (racy git).
    const past = Math.floor(Date.now() / 1000) - 3600;
    for (const f of ["weights.bin", "config/model.json"]) await utimes(join(src, f), past, past);
    const read: string[] = [];
    const store = readCountingStore(storeDir, join(dir, "cache"), read);
    const first = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    expect(read).toHaveLength(2);
    const warm = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    expect(warm.digest).toBe(first.digest);
    expect(warm.version).toBe("v1");
    expect(read).toHaveLength(2);
    // Same size, same mtime (put back), same inode, different bytes: only ctime tells.
    const weights = join(src, "weights.bin");
    const before = await stat(weights, { bigint: true });
    await writeFile(weights, Buffer.alloc(300_000, 9), { flag: "r+" });
    await utimes(weights, past, past);
    const after = await stat(weights, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    const rewritten = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    expect(rewritten.version).toBe("v2");
    expect(rewritten.files.find((f) => f.title === "weights.bin")?.digest).toBe(sha256sum(weights));
    expect(rewritten.uploadedBytes).toBe(300_000);
    // A real change moves mtime: it is rehashed and only its bytes are stored.
    await writeFile(join(src, "config/model.json"), '{"layers":3}');
    const changed = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    expect(changed.version).toBe("v3");
    expect(changed.uploadedBytes).toBe(12);
    expect(changed.files.find((f) => f.title === "config/model.json")?.digest).toBe(sha256sum(join(src, "config/model.json")));
  });

  it("records parents by digest and refuses an unknown parent before writing anything", async () => {
    const { src, storeDir, store } = await setup();
    await expectInputError(store.version({ path: src, name: "m", kind: "model", parents: ["data:v9"] }), /data:v9: not found/);
    expect(await exists(storeDir)).toBe(false);
    const data = await store.version({ path: src, name: "data", kind: "dataset", created: CREATED });
    const model = await store.version({ path: src, name: "m", kind: "model", parents: ["data:v1"], created: CREATED });
    expect(model.parents).toEqual([{ ref: "data:v1", digest: data.digest }]);
    const config = JSON.parse(skopeo(["inspect", "--raw", "--config", `oci:${storeDir}:m:v1`]));
    expect(config.parents).toEqual([{ ref: "data:v1", digest: data.digest }]);
  });

  describe("bad input: one-line error naming it, exit 2, nothing written", () => {
    it("missing path", async () => {
      const { dir, storeDir, store } = await setup();
      await expectInputError(store.version({ path: join(dir, "nope"), name: "m", kind: "model" }), /nope: not found/);
      expect(await exists(storeDir)).toBe(false);
    });
    it("empty directory", async () => {
      const { dir, storeDir, store } = await setup();
      await writeTree(dir, {});
      const empty = join(dir, "empty");
      await import("node:fs/promises").then((fs) => fs.mkdir(empty));
      await expectInputError(store.version({ path: empty, name: "m", kind: "model" }), /empty: empty directory/);
      expect(await exists(storeDir)).toBe(false);
    });
    it("special file (FIFO)", async () => {
      const { src, storeDir, store } = await setup();
      execFileSync("mkfifo", [join(src, "pipe")]);
      await expectInputError(store.version({ path: src, name: "m", kind: "model" }), /pipe: is a special file/);
      expect(await exists(storeDir)).toBe(false);
    });
    it("symbolic link", async () => {
      const { src, storeDir, store } = await setup();
      await symlink("/etc/passwd", join(src, "link"));
      await expectInputError(store.version({ path: src, name: "m", kind: "model" }), /link: is a symbolic link/);
      expect(await exists(storeDir)).toBe(false);
    });
    it("unreadable file (run as an unprivileged user when the suite runs as root)", async () => {
      const { dir, src, storeDir } = await setup();
      await chmod(join(src, "weights.bin"), 0o000);
      const outcome = await versionAsUnprivileged(dir, src, storeDir);
      expect(outcome.uid).not.toBe(0);
      expect(outcome.name).toBe("InputError");
      expect(outcome.exitCode).toBe(2);
      expect(outcome.message).toMatch(/weights.bin: file is not readable/);
      expect(outcome.message).not.toContain("\n");
      expect(await exists(storeDir)).toBe(false);
    });
    it.each(["Model", "a//b", "-m", "m_", "x".repeat(256)])("invalid name %j", async (name) => {
      const { src, storeDir, store } = await setup();
      await expectInputError(store.version({ path: src, name, kind: "model" }), /expected an OCI repository name/);
      expect(await exists(storeDir)).toBe(false);
    });
    it("invalid kind and alias", async () => {
      const { src, storeDir, store } = await setup();
      await expectInputError(
        store.version({ path: src, name: "m", kind: "weights" as "model" }),
        /kind "weights": expected model or dataset/,
      );
      await expectInputError(store.version({ path: src, name: "m", kind: "model", aliases: [".bad"] }), /alias "\.bad"/);
      await expectInputError(store.version({ path: src, name: "m", kind: "model", aliases: ["v7"] }), /vN tags are assigned/);
      expect(await exists(storeDir)).toBe(false);
    });
    it("malformed ref", async () => {
      const { dir, store } = await setup();
      await expectInputError(store.fetch("m@sha256:123", join(dir, "out")), /ref "m@sha256:123"/);
      await expectInputError(store.resolve("M:v1"), /expected an OCI repository name/);
      expect(await exists(join(dir, "out"))).toBe(false);
    });
  });
});

describe("layout store: fetch", () => {
  it("resolves name:alias, name:vN and name@digest, and writes only missing files", async () => {
    const { dir, src, store } = await setup();
    const v = await store.version({ path: src, name: "m", kind: "model", aliases: ["prod"], created: CREATED });
    const out = join(dir, "out");
    const first = await store.fetch("m:prod", out);
    expect(first).toMatchObject({ name: "m", digest: v.digest, version: "v1", downloadedBytes: 300_012 });
    expect(await readTree(out)).toEqual(await readTree(src));
    const again = await store.fetch(`m@${v.digest}`, out);
    expect(again.downloadedBytes).toBe(0);
    expect(again.version).toBe("v1");
    await writeFile(join(out, "config/model.json"), "local edit");
    const repaired = await store.fetch("m:v1", out);
    expect(repaired.downloadedBytes).toBe(12);
    expect(await readTree(out)).toEqual(await readTree(src));
  });

  it("a tampered blob fails the fetch naming the file and leaves the destination as it was", async () => {
    const { dir, src, storeDir, store } = await setup();
    const v = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    const blob = v.files.find((f) => f.title === "weights.bin")!.digest.slice(7);
    const blobPath = join(storeDir, "blobs", "sha256", blob);
    const bytes = await readFile(blobPath);
    bytes[1000] = 0x41;
    await chmod(blobPath, 0o644); // layout blobs are read-only
    await writeFile(blobPath, bytes);
    const out = join(dir, "out");
    await writeTree(out, { "keep.txt": "mine" });
    await expectInputError(store.fetch("m:v1", out, { replace: true }), /file weights\.bin: content does not match its digest/);
    expect(await readTree(out)).toEqual({ "keep.txt": "mine" });
    const fresh = join(dir, "fresh");
    await expectInputError(store.fetch("m:v1", fresh), /weights\.bin/);
    expect(await exists(fresh)).toBe(false);
    expect((await import("node:fs/promises").then((fs) => fs.readdir(dir))).filter((n) => n.includes("llmops-"))).toEqual([]);
  });

  it.each(["../evil", "/etc/evil", "a/../../evil", "a//b", "a\\..\\b"])(
    "refuses a title that escapes the destination: %j",
    async (title) => {
      const { dir, store } = await setup();
      const manifest = await craftVersion(store, "m", [{ title, data: "x" }]);
      const error = await store.fetch(`m@${manifest}`, join(dir, "out")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidManifestError);
      expect((error as Error).message).toMatch(
        /layers\[0\]\.annotations\["org\.opencontainers\.image\.title"\]: expected a relative POSIX path/,
      );
      expect(await exists(join(dir, "out"))).toBe(false);
      expect(await exists(join(dir, "evil"))).toBe(false);
    },
  );

  it("refuses to write through a symbolic link in the destination", async () => {
    const { dir, store } = await setup();
    const digest = await craftVersion(store, "m", [{ title: "sub/file", data: "x" }]);
    const out = join(dir, "out");
    const elsewhere = join(dir, "elsewhere");
    await writeTree(elsewhere, { a: "a" });
    await writeTree(out, {});
    await import("node:fs/promises").then((fs) => fs.mkdir(out, { recursive: true }));
    await symlink(elsewhere, join(out, "sub"));
    await expectInputError(store.fetch(`m@${digest}`, out), /sub: is a symbolic link/);
    expect(await readTree(elsewhere)).toEqual({ a: "a" });
  });
});

const NOBODY = 65534;

/**
 * Versions `src` into `storeDir` as a user that file modes apply to. Root reads any file whatever
 * its mode, so under root (CI) the same call runs in a child process as `nobody`, with the temp
 * dir handed over so that the store could be created if the check did not stop it first.
 */
async function versionAsUnprivileged(
  dir: string,
  src: string,
  storeDir: string,
): Promise<{ uid: number; name?: string; exitCode?: number; message?: string }> {
  const cacheDir = join(dir, "cache");
  if (process.getuid?.() !== 0) {
    const error = await openStore(storeDir, { logger: silentLogger, cacheDir })
      .version({ path: src, name: "m", kind: "model" })
      .then(
        () => undefined,
        (e: unknown) => e as InputError,
      );
    return { uid: process.getuid?.() ?? -1, name: error?.name, exitCode: error?.exitCode, message: error?.message };
  }
  const script = join(dir, "version-as-nobody.mjs");
  await writeFile(
    script,
    `import { openStore } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "../src/index.ts")).href)};
const [src, storeDir, cacheDir] = process.argv.slice(2);
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const out = { uid: process.getuid() };
try {
  await openStore(storeDir, { logger, cacheDir }).version({ path: src, name: "m", kind: "model" });
} catch (e) {
  Object.assign(out, { name: e.name, exitCode: e.exitCode, message: e.message });
}
console.log(JSON.stringify(out));
`,
  );
  // mkdtemp makes the dir 0700 for root; give the whole tree to nobody (the unreadable file keeps mode 000).
  const { readdir } = await import("node:fs/promises");
  for (const entry of await readdir(dir, { recursive: true })) await chown(join(dir, entry), NOBODY, NOBODY);
  await chown(dir, NOBODY, NOBODY);
  const child = spawnSync(process.execPath, [script, src, storeDir, cacheDir], {
    uid: NOBODY,
    gid: NOBODY,
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`version as nobody exited ${child.status}: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

/** A layout store that records every file it reads to store (a stat-cache hit reads none). */
function readCountingStore(storeDir: string, cacheDir: string, read: string[]): Store {
  const layout = new LayoutTransport(storeDir);
  const ingest = layout.ingestFile.bind(layout);
  layout.ingestFile = (path, onBytes) => {
    read.push(path);
    return ingest(path, onBytes);
  };
  return new Store(layout, { logger: silentLogger, statCachePath: join(cacheDir, "stat-cache.json") });
}

/** Stores a hand-made version manifest (as a hostile store could hold) and returns its digest. */
async function craftVersion(store: Store, name: string, files: { title: string; data: string }[]): Promise<string> {
  const { createHash } = await import("node:crypto");
  const sha = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;
  const layers = [];
  for (const f of files) {
    await store.transport.putBlobBytes(name, sha(f.data), Buffer.from(f.data));
    layers.push({
      mediaType: "application/octet-stream",
      digest: sha(f.data),
      size: f.data.length,
      annotations: { "org.opencontainers.image.title": f.title },
    });
  }
  await store.transport.putBlobBytes(name, sha("{}"), Buffer.from("{}"));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha("{}"), size: 2 },
      layers,
    }),
  );
  const digest = await store.transport.putManifest(name, manifest, OCI_MANIFEST);
  return digest;
}

describe("layout store: tags, history, evidence", () => {
  it("moves an alias only from the expected digest and lists its history newest first", async () => {
    const { src, store } = await setup();
    const v1 = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    const v2 = await store.version({ path: src, name: "m", kind: "model", created: "2024-06-01T00:00:00Z" });
    const first = await store.tag("m:v1", "prod", { actor: "alice", runUrl: "https://ci/1" });
    expect(first.previous).toBeNull();
    const wrong = await store.tag("m:v2", "prod", { expect: v2.digest }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(AliasConflictError);
    expect((wrong as AliasConflictError).found).toBe(v1.digest);
    expect((wrong as Error).message).toContain(v1.digest);
    await store.tag("m:v2", "prod", { expect: v1.digest, actor: "bob" });
    expect((await store.resolve("m:prod")).digest).toBe(v2.digest);
    const history = await store.history("m", "prod");
    expect(history.map((h) => [h.from, h.to, h.actor ?? null])).toEqual([
      [v1.digest, v2.digest, "bob"],
      [null, v1.digest, "alice"],
    ]);
    expect(history[1]?.runUrl).toBe("https://ci/1");
    const listed = await store.list("m");
    expect(listed.map((l) => [l.version, l.aliases])).toEqual([
      ["v2", ["prod"]],
      ["v1", []],
    ]);
    expect(await store.list()).toEqual(["m"]);
  });

  it("concurrent tag of the same alias from two processes: exactly one wins, the other reports the digest it found", async () => {
    const { dir, src, storeDir } = await setup();
    const store = openStore(storeDir, { logger: silentLogger, cacheDir: join(dir, "cache") });
    const v1 = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    const v2 = await store.version({ path: src, name: "m", kind: "model", created: "2024-06-01T00:00:00Z" });
    const v3 = await store.version({ path: src, name: "m", kind: "model", created: "2024-07-01T00:00:00Z" });
    await store.tag("m:v1", "prod");
    const script = `import { openStore } from "@llmops/store";
import { silentLogger } from "@llmops/core";
const [storeDir, ref, expect] = process.argv.slice(2);
try {
  await openStore(storeDir, { logger: silentLogger }).tag(ref, "prod", { expect });
  console.log(JSON.stringify({ won: true }));
} catch (e) {
  console.log(JSON.stringify({ won: false, found: e.found, message: e.message }));
}
`;
    // The script must resolve @llmops/store from the package: run it from a file inside it.
    const inside = join(import.meta.dirname, `.tag-race-${process.pid}.ts`);
    await writeFile(inside, script);
    try {
      const results = await Promise.all([runAt(inside, storeDir, "m:v2", v1.digest), runAt(inside, storeDir, "m:v3", v1.digest)]);
      const winners = results.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      const loser = results.find((r) => !r.won)!;
      const winnerDigest = results[0]!.won ? v2.digest : v3.digest;
      expect(loser.found).toBe(winnerDigest);
      expect((await store.resolve("m:prod")).digest).toBe(winnerDigest);
      expect((await store.history("m", "prod")).length).toBe(2);
    } finally {
      await import("node:fs/promises").then((fs) => fs.rm(inside, { force: true }));
    }
  });

  it("attaches evidence as referrers, lists it newest first and reads files digest-verified", async () => {
    const { src, storeDir, store } = await setup();
    await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    const subject = await store.resolve("m:v1");
    const a = await store.attachEvidence(subject, {
      artifactType: "application/vnd.llmops.eval.v1+json",
      files: [{ title: "summary.json", mediaType: "application/json", data: Buffer.from('{"passed":true}') }],
      annotations: { "org.opencontainers.image.created": "2024-05-02T00:00:00Z", suite: "qa" },
    });
    const b = await store.attachEvidence(subject, {
      artifactType: "application/vnd.llmops.eval.v1+json",
      files: [{ title: "summary.json", mediaType: "application/json", data: Buffer.from('{"passed":false}') }],
      annotations: { "org.opencontainers.image.created": "2024-05-03T00:00:00Z" },
    });
    const listed = await store.listEvidence(subject, "application/vnd.llmops.eval.v1+json");
    expect(listed.map((e) => e.digest)).toEqual([b.digest, a.digest]);
    expect(listed[1]?.annotations.suite).toBe("qa");
    expect(await store.listEvidence(subject, "application/vnd.llmops.promotion.v1+json")).toEqual([]);
    expect(Buffer.from(await store.readEvidenceFile(subject, a.digest, "summary.json")).toString()).toBe('{"passed":true}');
    // The referrer is an OCI 1.1 manifest whose subject is the version, stored under its digest.
    const blob = join(storeDir, "blobs", "sha256", a.digest.slice(7));
    expect(sha256sum(blob)).toBe(a.digest);
    expect(JSON.parse(await readFile(blob, "utf8")).subject.digest).toBe(subject.digest);
  });
});

function runAt(script: string, storeDir: string, ref: string, expectDigest: string): Promise<{ won: boolean; found?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, storeDir, ref, expectDigest]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("exit", () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`tag script printed ${out}`));
      }
    });
  });
}

describe("a new layout store", () => {
  it("takes many files ingested at once: the first use creates the layout once for every caller", async () => {
    const dir = await tempDir();
    for (let round = 0; round < 20; round++) {
      const files = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const path = join(dir, `f-${round}-${i}`);
          await writeFile(path, `file ${round} ${i}`);
          return path;
        }),
      );
      const transport = new LayoutTransport(join(dir, `store-${round}`));
      // Started a few event-loop turns apart, so later callers arrive while the first is creating it.
      const started: Promise<{ existed: boolean }>[] = [];
      for (const [i, path] of files.entries()) {
        started.push(transport.ingestFile(path));
        for (let t = 0; t < i + (round % 4); t++) await new Promise((r) => setImmediate(r));
      }
      const ingested = await Promise.all(started);
      expect(ingested.every((r) => !r.existed)).toBe(true);
      expect(JSON.parse(await readFile(join(dir, `store-${round}`, "oci-layout"), "utf8"))).toEqual({ imageLayoutVersion: "1.0.0" });
    }
  });
});

import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ExternalError, InputError, silentLogger } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "../../../test/src/registry/fault-proxy.ts";
import { skopeo, skopeoInspectRaw, startRegistry, type TestRegistry } from "../../../test/src/registry.ts";
import { AliasConflictError, type OpenStoreOptions, openStore, RegistryTransport } from "../src/index.ts";
import { readTree, tempDir, writeTree } from "./helpers.ts";

const CREATED = "2024-05-01T12:00:00.000Z";
const FILES = { "weights.bin": Buffer.alloc(200_000, 5), "tokenizer/vocab.txt": "a\nb\nc\n" };

async function source(files: Record<string, string | Buffer> = FILES) {
  const dir = await tempDir();
  await writeTree(join(dir, "src"), files);
  return { dir, src: join(dir, "src") };
}

function open(spec: string, dir: string, extra: Partial<OpenStoreOptions> = {}) {
  return openStore(spec, { logger: silentLogger, cacheDir: join(dir, "cache"), retryDelayMs: 10, ...extra });
}

describe("registry store (CNCF Distribution)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it("versions and fetches anonymously; skopeo inspects and copies what we push; we fetch what skopeo copies in", async () => {
    const { dir, src } = await source();
    const store = open(`oci://${registry.host}/team`, dir);
    const v = await store.version({ path: src, name: "anon/model", kind: "model", aliases: ["latest"], created: CREATED });
    expect(v.ref).toBe("anon/model:v1");
    const raw = skopeoInspectRaw(registry, "team/anon/model:v1") as { layers: { annotations: Record<string, string> }[] };
    expect(raw.layers.map((l: { annotations: Record<string, string> }) => l.annotations["org.opencontainers.image.title"])).toEqual([
      "tokenizer/vocab.txt",
      "weights.bin",
    ]);
    // Registry → layout with skopeo, then our fetch reads skopeo's layout.
    const layout = join(dir, "skopeo-layout");
    skopeo(["copy", "--src-tls-verify=false", `docker://${registry.host}/team/anon/model:latest`, `oci:${layout}:anon/model:v1`]);
    const fromLayout = await open(layout, dir).fetch("anon/model:v1", join(dir, "out1"));
    expect(fromLayout.digest).toBe(v.digest);
    expect(await readTree(join(dir, "out1"))).toEqual(await readTree(src));
    // Layout → registry with skopeo (another repository), then our fetch from the registry.
    skopeo(["copy", "--dest-tls-verify=false", `oci:${layout}:anon/model:v1`, `docker://${registry.host}/team/copied:v1`]);
    const copied = await store.fetch("copied:v1", join(dir, "out2"));
    expect(copied.digest).toBe(v.digest);
    expect(await readTree(join(dir, "out2"))).toEqual(await readTree(src));
    // Our layout, copied into the registry by skopeo, fetched by us.
    const ours = open(join(dir, "our-layout"), dir);
    const lv = await ours.version({ path: src, name: "mine", kind: "dataset", created: CREATED });
    skopeo(["copy", "--dest-tls-verify=false", `oci:${join(dir, "our-layout")}:mine:v1`, `docker://${registry.host}/team/mine:v1`]);
    expect((await store.fetch("mine:v1", join(dir, "out3"))).digest).toBe(lv.digest);
  });

  it("HEADs before upload so known blobs are never sent again, and mounts from a parent's repository", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { dir, src } = await source();
      const store = open(`oci://${proxy.host}/heads`, dir);
      const first = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
      expect(first.uploadedBytes).toBe(200_006);
      const blobPuts = () => proxy.requests.filter((r) => r.method === "PUT" && r.path.includes("/blobs/uploads/")).length;
      const before = blobPuts();
      const second = await store.version({ path: src, name: "m", kind: "model", created: "2024-06-01T00:00:00Z" });
      expect(second.uploadedBytes).toBe(0);
      expect(second.version).toBe("v2");
      // Only the new config blob is uploaded; file layers were found by HEAD.
      expect(blobPuts() - before).toBe(1);
      const derived = await store.version({ path: src, name: "derived", kind: "model", parents: ["m:v1"], created: CREATED });
      expect(derived.uploadedBytes).toBe(0);
      expect(proxy.requests.filter((r) => r.method === "POST" && r.path.includes("mount=") && r.status === 201).length).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it("uploads in chunks above the chunk size and follows Link pagination (catalog; Distribution 2.8 does not page tags)", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { dir, src } = await source();
      const store = open(`oci://${proxy.host}/chunks`, dir, { chunkSize: 64 * 1024, pageSize: 2 });
      const v = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
      expect(proxy.requests.filter((r) => r.method === "PATCH" && r.status === 202).length).toBe(4);
      for (const alias of ["a", "b", "c", "d"]) await store.tag("m:v1", alias);
      const listed = await store.list("m");
      expect(listed).toEqual([{ version: "v1", digest: v.digest, created: CREATED, aliases: ["a", "b", "c", "d"] }]);
      for (const name of ["n1", "n2", "n3"]) await store.version({ path: src, name, kind: "dataset", created: CREATED });
      expect(await store.list()).toEqual(["m", "n1", "n2", "n3"]);
      expect(proxy.requests.filter((r) => r.path.startsWith("/v2/_catalog") && r.path.includes("last=")).length).toBeGreaterThan(1);
      const out = join(dir, "out");
      await store.fetch("m:d", out);
      expect(await readTree(out)).toEqual(await readTree(src));
    } finally {
      await proxy.close();
    }
  });

  it("records evidence and alias moves with the tag-schema fallback on Distribution 2.8", async () => {
    const { dir, src } = await source();
    const store = open(`oci://${registry.host}/fallback`, dir);
    await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    const subject = await store.resolve("m:v1");
    const e = await store.attachEvidence(subject, {
      artifactType: "application/vnd.llmops.eval.v1+json",
      files: [{ title: "summary.json", mediaType: "application/json", data: Buffer.from("{}") }],
    });
    const tagIndex = skopeoInspectRaw(registry, `fallback/m:${subject.digest.replace(":", "-")}`) as { manifests: { digest: string }[] };
    expect(tagIndex.manifests.map((m: { digest: string }) => m.digest)).toContain(e.digest);
    expect((await store.listEvidence(subject, "application/vnd.llmops.eval.v1+json")).map((x) => x.digest)).toEqual([e.digest]);
    expect((store.transport as RegistryTransport).referrersApi).toBe(false);
    expect(Buffer.from(await store.readEvidenceFile(subject, e.digest, "summary.json")).toString()).toBe("{}");
    await store.tag("m:v1", "prod", { actor: "ci" });
    expect((await store.history("m", "prod")).map((h) => [h.from, h.to, h.actor])).toEqual([[null, subject.digest, "ci"]]);
    // Fallback tags are bookkeeping, not aliases.
    expect((await store.list("m"))[0]?.aliases).toEqual(["prod"]);
  });

  it("uses the Referrers API when the registry offers it (no fallback tag written)", async () => {
    const proxy = await startFaultProxy(registry.url, { referrers: true });
    try {
      const { dir, src } = await source();
      const store = open(`oci://${proxy.host}/api`, dir);
      await store.version({ path: src, name: "m", kind: "model", created: CREATED });
      const subject = await store.resolve("m:v1");
      const e = await store.attachEvidence(subject, {
        artifactType: "application/vnd.llmops.eval.v1+json",
        files: [{ title: "summary.json", mediaType: "application/json", data: Buffer.from('{"a":1}') }],
      });
      expect((await store.listEvidence(subject, "application/vnd.llmops.eval.v1+json")).map((x) => x.digest)).toEqual([e.digest]);
      expect((store.transport as RegistryTransport).referrersApi).toBe(true);
      const fallback = await new RegistryTransport({ host: registry.host, secure: false, logger: silentLogger }).getManifest(
        "api/m",
        subject.digest.replace(":", "-"),
      );
      expect(fallback).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it("moves a tag only from the expected digest", async () => {
    const { dir, src } = await source();
    const store = open(`oci://${registry.host}/cas`, dir);
    const v1 = await store.version({ path: src, name: "m", kind: "model", aliases: ["prod"], created: CREATED });
    const v2 = await store.version({ path: src, name: "m", kind: "model", created: "2024-06-01T00:00:00Z" });
    const error = await store.tag("m:v2", "prod", { expect: v2.digest }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AliasConflictError);
    expect((error as AliasConflictError).found).toBe(v1.digest);
    await store.tag("m:v2", "prod", { expect: v1.digest });
    expect((await store.resolve("m:prod")).digest).toBe(v2.digest);
  });

  it("a tampered registry blob fails the fetch naming the file and leaves the destination as it was", async () => {
    const { dir, src } = await source();
    const store = open(`oci://${registry.host}/tamper`, dir);
    const v = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
    const hex = v.files.find((f) => f.title === "weights.bin")!.digest.slice(7);
    const data = join(registry.storageDir, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
    const bytes = await readFile(data);
    bytes[10] = 0;
    await writeFile(data, bytes);
    const out = join(dir, "out");
    await writeTree(out, { "weights.bin": "old" });
    const error = await store.fetch("m:v1", out, { replace: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/file weights\.bin: content does not match its digest/);
    expect(await readTree(out)).toEqual({ "weights.bin": "old" });
    expect((await readdir(dir)).filter((n) => n.includes("llmops-"))).toEqual([]);
  });
});

describe("registry auth", () => {
  it("basic auth (htpasswd): works with credentials, fails with a one-line ExternalError without", async () => {
    const registry = await startRegistry({ auth: "basic" });
    try {
      const { dir, src } = await source();
      const store = open(`oci://${registry.host}/p`, dir, { auth: { username: registry.username!, password: registry.password! } });
      const v = await store.version({ path: src, name: "m", kind: "dataset", created: CREATED });
      expect((await store.fetch("m:v1", join(dir, "out"))).digest).toBe(v.digest);
      const raw = skopeoInspectRaw(registry, "p/m:v1") as { artifactType: string };
      expect(raw.artifactType).toBe("application/vnd.llmops.dataset.v1+json");
      const anonymous = await open(`oci://${registry.host}/p`, dir)
        .resolve("m:v1")
        .catch((e: unknown) => e);
      expect(anonymous).toBeInstanceOf(ExternalError);
      expect((anonymous as Error).message).toMatch(/requires credentials/);
      const wrong = await open(`oci://${registry.host}/p`, dir, { auth: { username: "llmops", password: "nope" } })
        .resolve("m:v1")
        .catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(ExternalError);
      expect((wrong as Error).message).toMatch(/HTTP 401/);
      expect((wrong as Error).message).not.toContain("nope");
    } finally {
      await registry.close();
    }
  });

  it("bearer tokens: answers the WWW-Authenticate challenge at the token endpoint Distribution trusts", async () => {
    const registry = await startRegistry({ auth: "bearer" });
    try {
      const { dir, src } = await source();
      const store = open(`oci://${registry.host}/b`, dir, { auth: { token: registry.password!, username: registry.username! } });
      const v = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
      expect((await store.fetch("m:v1", join(dir, "out"))).digest).toBe(v.digest);
      const scopes = registry.tokenServer!.requests.flatMap((r) => r.scopes);
      expect(scopes).toContain("repository:b/m:pull,push");
      expect(registry.tokenServer!.requests.every((r) => r.authorized)).toBe(true);
      const denied = await open(`oci://${registry.host}/b`, dir, { auth: { token: "wrong" } })
        .resolve("m:v1")
        .catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(ExternalError);
      expect((denied as Error).message).toMatch(/token endpoint refused \(401\)/);
    } finally {
      await registry.close();
    }
  });
});

describe("registry faults (fault-injecting proxy in front of Distribution)", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it("retries 5xx, waiting as long as Retry-After asks on uploads and downloads (gaps measured at the proxy)", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { dir, src } = await source();
      // The client's own backoff is 10 ms here, so a retry a second later can only come from Retry-After.
      proxy.failNext("PUT", /\/blobs\/uploads\//, { kind: "status", status: 503, retryAfter: "1" }, 1);
      proxy.failNext("PUT", /\/manifests\//, { kind: "status", status: 500 }, 1);
      const store = open(`oci://${proxy.host}/r`, dir);
      const v = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
      expect(proxy.requests.filter((r) => r.status >= 500)).toHaveLength(2);
      const weights = v.files.find((f) => f.title === "weights.bin")!.digest;
      proxy.failNext("GET", new RegExp(`/blobs/${weights}$`), { kind: "status", status: 503, retryAfter: "1" }, 1);
      expect((await store.fetch("m:v1", join(dir, "out"))).digest).toBe(v.digest);
      expect(await readTree(join(dir, "out"))).toEqual(await readTree(src));
      // RFC 9110 §10.2.3: Retry-After "1" asks for one second; the gap runs from the refused request to the next same request.
      // Files go up concurrently, so the retry is recognised by the blob digest it names.
      const gapAfter = (method: string, path: RegExp) => {
        const refused = proxy.requests.find((r) => r.method === method && path.test(r.path) && r.status === 503)!;
        const blob = /sha256(?::|%3A)([a-f0-9]{64})/i.exec(refused.path)![1]!;
        const retried = proxy.requests.find((r) => r.method === method && r.at > refused.at && r.path.includes(blob));
        expect(retried).toBeDefined();
        return retried!.at - refused.at;
      };
      expect(gapAfter("PUT", /\/blobs\/uploads\//)).toBeGreaterThanOrEqual(950);
      expect(gapAfter("GET", /\/blobs\/sha256:/)).toBeGreaterThanOrEqual(950);
    } finally {
      await proxy.close();
    }
  });

  it("restarts an upload whose connection is reset mid-push", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { dir, src } = await source();
      proxy.failNext("PUT", /\/blobs\/uploads\//, { kind: "reset", afterBytes: 50_000 }, 1);
      const store = open(`oci://${proxy.host}/reset`, dir);
      const v = await store.version({ path: src, name: "m", kind: "model", created: CREATED });
      expect(proxy.requests.some((r) => r.status === 0)).toBe(true);
      expect(v.uploadedBytes).toBe(200_006);
      const out = join(dir, "out");
      await store.fetch("m:v1", out);
      expect(await readTree(out)).toEqual(await readTree(src));
    } finally {
      await proxy.close();
    }
  });

  it("gives up after bounded retries with exit 3 and leaves no tag pointing at an incomplete manifest", async () => {
    const proxy = await startFaultProxy(registry.url);
    try {
      const { dir, src } = await source();
      proxy.failNext("PUT", /\/blobs\/uploads\//, { kind: "reset", afterBytes: 10_000 }, 100);
      const store = open(`oci://${proxy.host}/broken`, dir, { retries: 2 });
      const error = await store.version({ path: src, name: "m", kind: "model", created: CREATED }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExternalError);
      expect((error as ExternalError).exitCode).toBe(3);
      expect((error as Error).message).not.toContain("\n");
      expect(proxy.requests.filter((r) => r.method === "PUT" && r.path.includes("/manifests/"))).toEqual([]);
      const direct = open(`oci://${registry.host}/broken`, dir);
      expect(await direct.transport.listTags("broken/m")).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

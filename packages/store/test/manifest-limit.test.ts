import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { InputError, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  LayoutTransport,
  MANIFEST_SIZE_LIMIT,
  ManifestTooLargeError,
  OCI_INDEX,
  OCI_MANIFEST,
  openStore,
  RegistryTransport,
} from "../src/index.ts";
import { tempDir } from "./helpers.ts";

// The OCI distribution spec: "Registries SHOULD accept manifests of at least 4 MiB" (4,194,304 bytes).
const LIMIT = 4 * 1024 * 1024;
const LIMIT_TEXT = "over the 4194304-byte (4 MiB) manifest size limit; refusing to read it";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A registry that answers every manifest GET with `handler`, and records how each answer ended. */
async function hostile(handler: (res: ServerResponse, req: IncomingMessage) => void): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === "/v2/") return void res.writeHead(200).end("{}");
    handler(res, req);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function transport(host: string): RegistryTransport {
  return new RegistryTransport({ host, secure: false, logger: silentLogger, retries: 0 });
}

async function refused(promise: Promise<unknown>): Promise<ManifestTooLargeError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestTooLargeError);
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).not.toContain("\n");
  return error as ManifestTooLargeError;
}

/** Writes `total` bytes of JSON-ish filler in 64 KiB chunks, honouring backpressure; resolves true when all were written. */
async function stream(res: ServerResponse, total: number): Promise<boolean> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  while (sent < total) {
    if (res.destroyed) return false;
    const ok = res.write(chunk);
    sent += chunk.length;
    if (!ok) {
      const [event] = await Promise.race([once(res, "drain").then(() => ["drain"]), once(res, "close").then(() => ["close"])]);
      if (event === "close") return false;
    }
  }
  res.end();
  return true;
}

describe("registry manifests are read up to 4 MiB", () => {
  it("is the limit the distribution spec guarantees", () => {
    expect(MANIFEST_SIZE_LIMIT).toBe(LIMIT);
  });

  it("refuses a Content-Length over the limit without reading the body", async () => {
    // The body stops after 1 KiB and the connection closes: a client that started reading it would
    // fail with a broken body instead, so only a refusal on the header passes.
    const host = await hostile((res) => {
      res.writeHead(200, { "content-type": OCI_MANIFEST, "content-length": String(LIMIT + 1) });
      res.write(Buffer.alloc(1024, 0x20));
      res.socket?.end();
    });
    const error = await refused(transport(host).getManifest("team/m", "v1"));
    expect(error.message).toBe(`registry oci://${host}: manifest team/m:v1: Content-Length ${LIMIT + 1}, ${LIMIT_TEXT}`);
    expect(error.limit).toBe(LIMIT);
  });

  it("refuses a full body over the limit that states its length, through the store, naming the ref", async () => {
    const host = await hostile((res) => {
      res.writeHead(200, { "content-type": OCI_MANIFEST, "content-length": String(LIMIT + 1) });
      void stream(res, LIMIT + 1);
    });
    const store = openStore(`oci://${host}/acme`, { logger: silentLogger, env: {}, retries: 0 });
    const error = await refused(store.resolve("team/m:v1"));
    expect(error.message).toBe(`registry oci://${host}: manifest acme/team/m:v1: Content-Length ${LIMIT + 1}, ${LIMIT_TEXT}`);
  });

  it("stops reading a chunked body as soon as it passes the limit", async () => {
    let finished: Promise<boolean> | undefined;
    const host = await hostile((res) => {
      res.writeHead(200, { "content-type": OCI_MANIFEST }); // no Content-Length: chunked
      finished = stream(res, 256 * 1024 * 1024);
    });
    const error = await refused(transport(host).getManifest("team/m", "v1"));
    expect(error.message).toBe(`registry oci://${host}: manifest team/m:v1: more than ${LIMIT} bytes sent, ${LIMIT_TEXT}`);
    // The server never got to send the 256 MiB: the client hung up.
    expect(await finished).toBe(false);
  });

  it("reads a manifest of exactly the limit", async () => {
    const body = Buffer.alloc(LIMIT, 0x20);
    const host = await hostile((res) => {
      res.writeHead(200, { "content-type": OCI_MANIFEST });
      res.end(body);
    });
    const got = await transport(host).getManifest("team/m", "v1");
    expect(got?.bytes.length).toBe(LIMIT);
  });

  it("caps the Referrers API answer (an image index) the same way", async () => {
    let finished: Promise<boolean> | undefined;
    const host = await hostile((res) => {
      res.writeHead(200, { "content-type": OCI_INDEX });
      finished = stream(res, 256 * 1024 * 1024);
    });
    const subject = `sha256:${"a".repeat(64)}`;
    const error = await refused(transport(host).referrers("team/m", subject));
    expect(error.message).toBe(`registry oci://${host}: referrers of team/m@${subject}: more than ${LIMIT} bytes sent, ${LIMIT_TEXT}`);
    expect(await finished).toBe(false);
  });
});

describe("layout manifests are read up to 4 MiB", () => {
  /** A layout whose index.json tags `m:big` with a manifest blob of `size` bytes, recorded as `recorded`. */
  async function layoutWith(size: number, recorded = size) {
    const dir = await tempDir();
    const bytes = Buffer.alloc(size, 0x20);
    const hex = createHash("sha256").update(bytes).digest("hex");
    await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
    await writeFile(join(dir, "blobs", "sha256", hex), bytes);
    await writeFile(join(dir, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    const entry = {
      mediaType: OCI_MANIFEST,
      digest: `sha256:${hex}`,
      size: recorded,
      annotations: { "org.opencontainers.image.ref.name": "m:big" },
    };
    await writeFile(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [entry] }));
    return { dir, digest: `sha256:${hex}` };
  }

  it("refuses a manifest whose recorded size is over the limit, naming the ref", async () => {
    const { dir, digest } = await layoutWith(LIMIT + 1);
    const error = await refused(new LayoutTransport(dir).getManifest("m", "big"));
    expect(error.message).toBe(`store ${dir}: manifest m:big (${digest}): size ${LIMIT + 1} in index.json, ${LIMIT_TEXT}`);
    const store = openStore(dir, { logger: silentLogger, env: {}, cacheDir: join(dir, "..", "cache") });
    await refused(store.fetch("m:big", join(dir, "..", "out")));
  });

  it("refuses a blob over the limit whose index.json entry understates it", async () => {
    const { dir, digest } = await layoutWith(LIMIT + 1, 512);
    const error = await refused(new LayoutTransport(dir).getManifest("m", digest));
    expect(error.message).toBe(`store ${dir}: manifest m@${digest}: blob larger than ${LIMIT} bytes, ${LIMIT_TEXT}`);
  });
});

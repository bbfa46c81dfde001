import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ExternalError, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { startTokenServer } from "../../../test/src/registry/token-server.ts";
import { InsecureTokenRealmError } from "../src/errors.ts";
import { RegistryTransport, registryAuthFromEnv } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

// Origins per RFC 6454: scheme, host and port; two servers on 127.0.0.1 with different ports are
// different origins, so each one here stands for another host.

interface Seen {
  server: string;
  method: string;
  path: string;
  authorization: string | undefined;
}

const USER = "llmops";
const PASSWORD = "s3cret-registry-password";
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
const BLOB = Buffer.from("blob bytes served by the storage origin");
const DIGEST = "sha256:0c3a7ab2b4b0e8c2f9f1b3b8f4c6fa3c0f8a9c1d7e2b6a5d4c3b2a1f0e9d8c7b";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(name: string, seen: Seen[], handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    seen.push({ server: name, method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization });
    req.resume();
    req.on("end", () => handler(req, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A registry origin that wants Basic credentials, and a storage origin it sends clients to. */
async function origins() {
  const seen: Seen[] = [];
  let registry = "";
  const storage = await serve("storage", seen, (req, res) => {
    const path = req.url ?? "";
    if (path === "/blob") res.writeHead(200, { "content-length": String(BLOB.length) }).end(BLOB);
    else if (path === "/bounce") res.writeHead(307, { location: `${registry}/v2/r/blobs/back-home` }).end();
    else if (path === "/challenge") res.writeHead(401, { "www-authenticate": `Bearer realm="${thief}/token",service="x"` }).end();
    else if (path.startsWith("/upload/") && req.method === "PUT") res.writeHead(201).end();
    else if (path.startsWith("/v2/_catalog")) res.writeHead(200, { "content-type": "application/json" }).end('{"repositories":["b"]}');
    else res.writeHead(404).end();
  });
  const thief = await serve("thief", seen, (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end('{"token":"stolen"}');
  });
  registry = await serve("registry", seen, (req, res) => {
    const path = req.url ?? "";
    // A public blob: the first challenge the client meets comes from where it is redirected.
    if (path === "/v2/r/blobs/sha256:challenge") {
      res.writeHead(307, { location: `${storage}/challenge` }).end();
      return;
    }
    if (req.headers.authorization !== BASIC) {
      res.writeHead(401, { "www-authenticate": 'Basic realm="registry"' }).end();
      return;
    }
    if (path === `/v2/r/blobs/${DIGEST}` && req.method === "GET") res.writeHead(307, { location: `${storage}/blob` }).end();
    else if (path === `/v2/r/blobs/${DIGEST}`) res.writeHead(404).end();
    else if (path === "/v2/r/blobs/sha256:bounce") res.writeHead(307, { location: `${storage}/bounce` }).end();
    else if (path === "/v2/r/blobs/back-home") res.writeHead(200).end("home");
    else if (path === "/v2/r/blobs/uploads/") res.writeHead(202, { location: `${storage}/upload/1` }).end();
    else if (path.startsWith("/v2/_catalog"))
      res
        .writeHead(200, { "content-type": "application/json", link: `<${storage}/v2/_catalog?last=a&n=1>; rel="next"` })
        .end('{"repositories":["a"]}');
    else res.writeHead(404).end();
  });
  const transport = new RegistryTransport({
    host: new URL(registry).host,
    secure: false,
    auth: { username: USER, password: PASSWORD },
    logger: silentLogger,
    retries: 0,
  });
  const credentialsAt = (server: string) => seen.filter((s) => s.server === server && s.authorization !== undefined);
  return { seen, transport, credentialsAt };
}

describe("registry credentials stay on the registry's origin", () => {
  it("a blob redirected to another origin is fetched without the Authorization the registry got", async () => {
    const { seen, transport, credentialsAt } = await origins();
    const stream = await transport.openBlob("r", DIGEST);
    const chunks: Buffer[] = [];
    for await (const chunk of stream!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(BLOB);
    expect(seen.some((s) => s.server === "registry" && s.authorization === BASIC)).toBe(true);
    expect(seen.filter((s) => s.server === "storage").map((s) => s.path)).toEqual(["/blob"]);
    expect(credentialsAt("storage")).toEqual([]);
  });

  it("after a cross-origin redirect, a hop back to the registry's origin carries no credentials either", async () => {
    const { seen, transport } = await origins();
    const error = await transport.openBlob("r", "sha256:bounce").catch((e: unknown) => e);
    // The chain ends at the registry without credentials, so the registry refuses it (401).
    expect(error).toBeInstanceOf(ExternalError);
    const home = seen.filter((s) => s.path === "/v2/r/blobs/back-home");
    expect(home).toHaveLength(1);
    expect(home[0]!.authorization).toBeUndefined();
  });

  it("a 401 challenge from a redirect target is not answered: no credentials reach the realm it names", async () => {
    const { seen, transport, credentialsAt } = await origins();
    const error = await transport.openBlob("r", "sha256:challenge").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toMatch(/HTTP 401/);
    expect(seen.filter((s) => s.server === "thief")).toEqual([]);
    expect(credentialsAt("storage")).toEqual([]);
  });

  it("an upload Location on another origin gets the blob without the registry's credentials", async () => {
    const { seen, transport, credentialsAt } = await origins();
    await transport.putBlobBytes("r", DIGEST, BLOB);
    expect(seen.filter((s) => s.server === "storage").map((s) => `${s.method} ${s.path.split("?")[0]}`)).toEqual(["PUT /upload/1"]);
    expect(credentialsAt("storage")).toEqual([]);
    expect(seen.some((s) => s.server === "registry" && s.method === "POST" && s.authorization === BASIC)).toBe(true);
  });

  it("a Link to the next page on another origin is followed without credentials", async () => {
    const { seen, transport, credentialsAt } = await origins();
    expect(await transport.listRepositories()).toEqual(["a", "b"]);
    expect(seen.filter((s) => s.server === "storage").map((s) => s.path)).toEqual(["/v2/_catalog?last=a&n=1"]);
    expect(credentialsAt("storage")).toEqual([]);
  });

  it("bearer tokens from a realm on another origin go to the registry only, never to where it redirects", async () => {
    const seen: Seen[] = [];
    let storage = "";
    const realm = await serve("realm", seen, (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end('{"token":"registry-token"}');
    });
    const registry = await serve("registry", seen, (req, res) => {
      if (req.headers.authorization !== "Bearer registry-token") {
        res.writeHead(401, { "www-authenticate": `Bearer realm="${realm}/token",service="registry"` }).end();
        return;
      }
      res.writeHead(307, { location: `${storage}/blob` }).end();
    });
    storage = await serve("storage", seen, (_req, res) => {
      res.writeHead(200).end(BLOB);
    });
    const transport = new RegistryTransport({
      host: new URL(registry).host,
      secure: false,
      auth: { username: USER, password: PASSWORD },
      logger: silentLogger,
      retries: 0,
    });
    const stream = await transport.openBlob("r", DIGEST);
    for await (const _ of stream!);
    // The realm the registry names is where credentials are meant to go (the token protocol).
    expect(seen.filter((s) => s.server === "realm").map((s) => s.authorization)).toEqual([BASIC]);
    expect(seen.filter((s) => s.server === "registry").map((s) => s.authorization)).toEqual([undefined, "Bearer registry-token"]);
    expect(seen.filter((s) => s.server === "storage").map((s) => s.authorization)).toEqual([undefined]);
  });
});

describe("token realm security", () => {
  it("an https registry naming a plain-http token realm is refused before any credential is sent", async () => {
    const dir = await tempDir();
    const tokens = await startTokenServer(dir, USER, PASSWORD);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        join(dir, "tls.key"),
        "-out",
        join(dir, "tls.crt"),
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const registry = createHttpsServer(
      { key: readFileSync(join(dir, "tls.key")), cert: readFileSync(join(dir, "tls.crt")) },
      (_req, res) => {
        res.writeHead(401, { "www-authenticate": `Bearer realm="${tokens.realm}",service="${tokens.service}"` }).end();
      },
    );
    await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
    // The test's certificate is self-signed; this file runs in its own process (vitest forks).
    const previous = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
    try {
      const transport = new RegistryTransport({
        host: `127.0.0.1:${(registry.address() as AddressInfo).port}`,
        secure: true,
        auth: { username: USER, password: PASSWORD },
        logger: silentLogger,
        retries: 0,
      });
      const error = await transport.hasBlob("r", DIGEST).catch((e: unknown) => e);
      expect(tokens.requests).toEqual([]);
      expect(error).toBeInstanceOf(InsecureTokenRealmError);
      expect((error as ExternalError).exitCode).toBe(3);
      expect((error as Error).message).toMatch(/token realm http:\/\/127\.0\.0\.1:\d+ is not https/);
      expect((error as Error).message).not.toContain("\n");
      expect((error as Error).message).not.toContain(PASSWORD);
    } finally {
      if (previous === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previous;
      await new Promise((resolve) => registry.close(resolve));
      await tokens.close();
    }
  });
});

describe("default credentials from the environment", () => {
  it("offer GITHUB_TOKEN to ghcr.io only, never to another registry", () => {
    const env = { GITHUB_TOKEN: "ghs_job", GITHUB_ACTOR: "octocat" };
    expect(registryAuthFromEnv("oci://ghcr.io/octo/repo", env)).toEqual({ token: "ghs_job", username: "octocat" });
    expect(registryAuthFromEnv("oci://registry.example.com/x", env)).toBeUndefined();
    expect(registryAuthFromEnv("oci://ghcr.io.example.com/x", env)).toBeUndefined();
    expect(registryAuthFromEnv("oci://127.0.0.1:5000/x", env)).toBeUndefined();
  });
});

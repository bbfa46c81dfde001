// A stand-in for the Actions artifact service, enough for @actions/artifact's upload of one
// file: the results service's Twirp methods (CreateArtifact, FinalizeArtifact) and the blob
// storage the signed URL points to (Azure's Put Block and Put Block List, path-style on
// 127.0.0.1). What a bundled action uploads arrives here whole, so a test can read it.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface UploadedArtifact {
  id: number;
  name: string;
  /** The bytes committed to the blob (the file itself for an unzipped upload). */
  data: Buffer;
  /** What FinalizeArtifact declared. */
  size: string;
  hash: string | undefined;
  mimeType: string | undefined;
}

export interface ArtifactService {
  /** Environment a runner gives an action so @actions/artifact reaches this service. */
  env: Record<string, string>;
  artifacts: UploadedArtifact[];
  /** Answer every Twirp call with this status instead (the client retries 5xx for a minute; 4xx fail at once). */
  failWith: number | undefined;
  close(): Promise<void>;
}

const RUN_BACKEND = "9c6a8a8e-3f44-4a55-9a8c-0e3b6f1e2d11";
const JOB_BACKEND = "0d4c1b2a-8a7e-4f6d-b5c4-a3b2c1d0e9f8";

/** An unsigned JWT carrying the `Actions.Results` scope, as the runner's ACTIONS_RUNTIME_TOKEN does. */
function runtimeToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ scp: `Actions.GenericRead:x Actions.Results:${RUN_BACKEND}:${JOB_BACKEND}` })}.sig`;
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

export async function startArtifactService(): Promise<ArtifactService> {
  const pending = new Map<string, { name: string; mimeType: string | undefined; blocks: Map<string, Buffer>; data?: Buffer }>();
  const service: ArtifactService = { env: {}, artifacts: [], failWith: undefined, close: async () => {} };
  let nextId = 4100;
  const server: Server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const twirp = /^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/.exec(url.pathname);
      if (twirp && request.method === "POST") {
        const payload = JSON.parse((await body(request)).toString("utf8")) as Record<string, unknown>;
        if (service.failWith) return json(response, service.failWith, { code: "internal", msg: "the artifact service is down" });
        if (payload.workflow_run_backend_id !== RUN_BACKEND || payload.workflow_job_run_backend_id !== JOB_BACKEND)
          return json(response, 400, { code: "invalid_argument", msg: "backend ids do not match the token" });
        const name = String(payload.name);
        if (twirp[1] === "CreateArtifact") {
          const blob = randomUUID();
          pending.set(blob, { name, mimeType: payload.mime_type as string | undefined, blocks: new Map() });
          const { port } = server.address() as AddressInfo;
          return json(response, 200, { ok: true, signed_upload_url: `http://127.0.0.1:${port}/account/container/${blob}?sig=secret` });
        }
        if (twirp[1] === "FinalizeArtifact") {
          const upload = [...pending.values()].find((p) => p.name === name && p.data);
          if (!upload?.data) return json(response, 404, { code: "not_found", msg: `no upload of ${name}` });
          const id = nextId++;
          service.artifacts.push({
            id,
            name,
            data: upload.data,
            size: String(payload.size),
            hash: payload.hash as string | undefined,
            mimeType: upload.mimeType,
          });
          return json(response, 200, { ok: true, artifact_id: String(id) });
        }
        return json(response, 404, { code: "bad_route", msg: `no method ${twirp[1]}` });
      }
      const blob = /^\/account\/container\/([\w-]+)$/.exec(url.pathname);
      const upload = blob ? pending.get(blob[1] as string) : undefined;
      if (upload && request.method === "PUT" && url.searchParams.get("sig") === "secret") {
        const data = await body(request);
        const headers = { "x-ms-request-id": randomUUID(), "x-ms-version": "2025-01-05", date: new Date().toUTCString() };
        if (url.searchParams.get("comp") === "block") {
          upload.blocks.set(url.searchParams.get("blockid") ?? "", data);
          return response.writeHead(201, headers).end();
        }
        if (url.searchParams.get("comp") === "blocklist") {
          const ids = [...data.toString("utf8").matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1] as string);
          upload.data = Buffer.concat(ids.map((id) => upload.blocks.get(id) ?? Buffer.alloc(0)));
          return response.writeHead(201, { ...headers, etag: '"0x1"', "last-modified": new Date().toUTCString() }).end();
        }
        // A single Put Blob (small uploads).
        upload.data = data;
        return response.writeHead(201, { ...headers, etag: '"0x1"', "last-modified": new Date().toUTCString() }).end();
      }
      response.writeHead(404).end();
    } catch (error) {
      response.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  service.env = {
    ACTIONS_RUNTIME_TOKEN: runtimeToken(),
    ACTIONS_RESULTS_URL: `http://127.0.0.1:${port}/`,
  };
  service.close = () => new Promise((resolve) => server.close(() => resolve()));
  return service;
}

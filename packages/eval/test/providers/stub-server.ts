import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny HTTP server for provider tests that need byte-level control of the reply (chunk
 * boundaries, delays, hostile bodies). It records every request with its JSON body.
 */
export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

export type StubHandler = (request: StubRequest, res: ServerResponse) => void | Promise<void>;

export interface StubServer {
  origin: string;
  requests: StubRequest[];
  close(): Promise<void>;
}

export async function startStubServer(handler: StubHandler): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Kept as text.
      }
      const request = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      requests.push(request);
      Promise.resolve(handler(request, res)).catch((error: unknown) => {
        res.destroy(error as Error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `data: <json>\n\n` (with `event:` when given), as both APIs frame their events. */
export function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

/**
 * Writes an event stream: each part is text to write (as its bytes, optionally cut into pieces
 * of `pieceBytes`, so UTF-8 sequences and lines are split across TCP writes) or a delay in ms.
 */
export async function writeStream(
  res: ServerResponse,
  parts: (string | number)[],
  options: { pieceBytes?: number; pieceDelayMs?: number; contentType?: string } = {},
): Promise<void> {
  res.writeHead(200, { "content-type": options.contentType ?? "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
  for (const part of parts) {
    if (typeof part === "number") {
      await sleep(part);
      continue;
    }
    const bytes = Buffer.from(part, "utf8");
    const size = options.pieceBytes ?? bytes.length;
    for (let i = 0; i < bytes.length; i += size) {
      if (res.destroyed) return;
      res.write(bytes.subarray(i, i + size));
      if (options.pieceDelayMs !== undefined) await sleep(options.pieceDelayMs);
    }
  }
  res.end();
}

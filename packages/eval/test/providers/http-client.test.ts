import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { httpSend } from "../../src/providers/http-client.ts";

let server: Server | undefined;
const sockets = new Set<Socket>();

async function serve(handler: RequestListener): Promise<string> {
  server = createServer(handler);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const send = (url: string, init: Partial<Parameters<typeof httpSend>[1]> = {}) =>
  httpSend(url, { method: "POST", headers: {}, body: "{}", signal: new AbortController().signal, ...init });

describe("httpSend", () => {
  it("sends method, headers and body with a Content-Length, and returns status, headers and text", async () => {
    let seen: { method?: string; headers?: Record<string, unknown>; body?: string } = {};
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        seen = { method: req.method, headers: req.headers, body };
        res.writeHead(201, { "x-answer": "42", "content-type": "text/plain; charset=utf-8" });
        res.end("héllo");
      });
    });
    const response = await send(`${url}/path?q=1`, { headers: { "x-custom": "yes" }, body: '{"é":1}' });
    expect(response).toEqual({ status: 201, headers: expect.objectContaining({ "x-answer": "42" }), text: "héllo" });
    expect(seen.method).toBe("POST");
    expect(seen.body).toBe('{"é":1}');
    expect(seen.headers).toMatchObject({ "x-custom": "yes", "content-length": String(Buffer.byteLength('{"é":1}')) });
  });

  it("decompresses gzip and brotli bodies", async () => {
    const url = await serve((req, res) => {
      const encoding = req.url === "/gzip" ? "gzip" : "br";
      const text = JSON.stringify({ encoding, filler: "x".repeat(5000) });
      res.writeHead(200, { "content-encoding": encoding });
      res.end(encoding === "gzip" ? gzipSync(text) : brotliCompressSync(text));
    });
    for (const encoding of ["gzip", "br"]) {
      const response = await send(`${url}/${encoding}`);
      expect(JSON.parse(response.text)).toEqual({ encoding, filler: "x".repeat(5000) });
    }
  });

  it("reuses one kept-alive connection for sequential requests", async () => {
    let connections = 0;
    const url = await serve((_req, res) => res.end("ok"));
    server!.on("connection", () => connections++);
    for (let i = 0; i < 3; i++) expect((await send(url)).text).toBe("ok");
    expect(connections).toBe(1);
  });

  it("rejects when the signal aborts after the server started answering", async () => {
    let started!: () => void;
    const answering = new Promise<void>((resolve) => (started = resolve));
    const url = await serve((_req, res) => {
      res.writeHead(200);
      res.write("partial", () => started());
    });
    const controller = new AbortController();
    const pending = send(url, { signal: controller.signal });
    await answering;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "ABORT_ERR" });
  });

  it("reports a refused connection with its code and an invalid URL without sending", async () => {
    const url = await serve((_req, res) => res.end());
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    await expect(send(url)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await expect(send("not a url")).rejects.toMatchObject({ code: "ERR_INVALID_URL" });
    await expect(send("ftp://127.0.0.1/")).rejects.toThrow(/unsupported protocol/);
  });
});

describe("httpSend redirects", () => {
  it("follows a 307 with the same request and a 303 as a GET without body, as fetch does", async () => {
    const seen: { url?: string; method?: string; body: string; auth?: string }[] = [];
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        seen.push({ url: req.url, method: req.method, body, auth: req.headers.authorization });
        if (req.url === "/a") return void res.writeHead(307, { location: "/b" }).end();
        if (req.url === "/b") return void res.writeHead(303, { location: "/c" }).end();
        res.end("done");
      });
    });
    const response = await send(`${url}/a`, { body: '{"x":1}', headers: { authorization: "Bearer k" } });
    expect(response.text).toBe("done");
    expect(seen).toEqual([
      { url: "/a", method: "POST", body: '{"x":1}', auth: "Bearer k" },
      { url: "/b", method: "POST", body: '{"x":1}', auth: "Bearer k" },
      { url: "/c", method: "GET", body: "", auth: "Bearer k" },
    ]);
  });

  it("drops every configured header but accept and content-type when a redirect leaves the origin", async () => {
    // Two servers on two ports of 127.0.0.1 are two origins; the second records what reaches it.
    let received: { method?: string; body?: string; headers?: Record<string, unknown> } = {};
    const other = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received = { method: req.method, body, headers: { ...req.headers } };
        res.end("second");
      });
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const url = await serve((_req, res) => res.writeHead(307, { location: `${otherUrl}/next` }).end());
      const headers = {
        authorization: "Bearer a-secret",
        "x-goog-api-key": "g-secret",
        "x-custom": "{{env.TOKEN}} rendered as c-secret",
        "x-trace": "t-1",
        cookie: "session=s-secret",
        accept: "application/json",
        "content-type": "application/json",
      };
      const response = await send(url, { headers, body: '{"q":1}' });
      expect(response.text).toBe("second");
      expect(received.method).toBe("POST");
      expect(received.body).toBe('{"q":1}');
      const names = Object.keys(received.headers!).sort();
      expect(names).toEqual(["accept", "connection", "content-length", "content-type", "host"]);
      expect(received.headers).toMatchObject({ accept: "application/json", "content-type": "application/json" });
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("drops credentials when a redirect leaves the origin, and stops after 20 redirects", async () => {
    const other = createServer((req, res) =>
      res.end(JSON.stringify({ auth: req.headers.authorization ?? null, key: req.headers["x-api-key"] ?? null })),
    );
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const url = await serve((req, res) => {
        if (req.url === "/away") return void res.writeHead(308, { location: `${otherUrl}/x` }).end();
        res.writeHead(302, { location: "/loop" }).end();
      });
      const away = await send(`${url}/away`, { headers: { authorization: "Bearer k", "x-api-key": "k2" } });
      expect(JSON.parse(away.text)).toEqual({ auth: null, key: null });
      await expect(send(`${url}/loop`)).rejects.toMatchObject({ code: "ERR_TOO_MANY_REDIRECTS" });
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";

export type Fault =
  /** Answered by the proxy itself (any method, GET included); the registry never sees the request. */
  | { kind: "status"; status: number; retryAfter?: string }
  /**
   * The client's connection drops after `afterBytes` bytes of its request body, before anything
   * reaches the registry (as behind a front proxy that buffers request bodies, nginx's default).
   */
  | { kind: "reset"; afterBytes?: number }
  /**
   * Forwarded; the connection closes after `afterBytes` bytes of the response body, short of its
   * Content-Length. By default the client gets exactly those bytes, then the close; with `rst` the
   * close is a TCP reset, on which the client's kernel also drops whatever the client had not read yet.
   */
  | { kind: "reset-response"; afterBytes: number; rst?: boolean }
  /** Forwarded without its Range header: a server that ignores Range and answers 200 with everything. */
  | { kind: "ignore-range" };

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The status sent; 0 when the request was cut by a `reset` fault. */
  status: number;
  /** Arrival time at the proxy (performance.now(), ms): gaps between requests show backoff. */
  at: number;
  /** The request's Range header, if any (before an `ignore-range` fault removed it). */
  range?: string;
  /** The fault applied to this request, if any. */
  fault?: Fault["kind"];
}

export interface FaultProxy {
  url: string;
  host: string;
  requests: ProxiedRequest[];
  /**
   * Bytes on the wire between clients and the proxy, headers included: `received` from clients
   * (uploads), `sent` to clients (downloads). Counted per connection, so bytes written just before
   * a reset count even if the client never read them.
   */
  wire(): { received: number; sent: number };
  /**
   * The next `times` requests matching method and path get `fault`, once `skip` matching requests
   * (counted from now, whatever happened to them) have passed. When several rules are due, the
   * earliest added applies and the others wait for the next request.
   */
  failNext(method: string, path: RegExp, fault: Fault, times?: number, skip?: number): void;
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of a real registry that injects 5xx answers, Retry-After, connection
 * resets on either side and Range-ignoring answers, and counts the bytes on the wire. With
 * `referrers: true` it also adds the OCI 1.1 Referrers API the registry behind it lacks
 * (Distribution 2.8): it answers `GET /v2/<repo>/referrers/<digest>` from the subjects of
 * manifests PUT through it and sets `OCI-Subject` on those PUTs, as a 1.1 registry does.
 */
export async function startFaultProxy(target: string, options: { referrers?: boolean } = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const referrers = new Map<string, object[]>();
  const rules: { method: string; path: RegExp; fault: Fault; left: number; skip: number }[] = [];
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const closed = { received: 0, sent: 0 };

  const record = (req: IncomingMessage, path: string, at: number, status: number, fault?: Fault["kind"]) => {
    const entry: ProxiedRequest = { method: req.method ?? "", path, status, at };
    if (typeof req.headers.range === "string") entry.range = req.headers.range;
    if (fault) entry.fault = fault;
    requests.push(entry);
  };

  const serveReferrers = (req: IncomingMessage, res: ServerResponse, path: string, at: number): boolean => {
    const m = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})(\?.*)?$/.exec(path);
    if (!m || req.method !== "GET") return false;
    record(req, path, at, 200);
    const manifests = referrers.get(`${m[1]}|${m[2]}`) ?? [];
    res.writeHead(200, { "content-type": "application/vnd.oci.image.index.v1+json" });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests }));
    return true;
  };

  // Every rule counts its own skips over all matching requests; the first rule due applies.
  const takeFault = (method: string, path: string): Fault | undefined => {
    let due: (typeof rules)[number] | undefined;
    for (const rule of rules) {
      if (rule.left <= 0 || rule.method !== method || !rule.path.test(path)) continue;
      if (rule.skip > 0) rule.skip--;
      else due ??= rule;
    }
    if (!due) return undefined;
    due.left--;
    return due.fault;
  };

  const server = createServer((req, res) => {
    const at = performance.now();
    const path = req.url ?? "/";
    const fault = takeFault(req.method ?? "", path);
    if (fault?.kind === "status") {
      record(req, path, at, fault.status, fault.kind);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
      req.resume();
      res.writeHead(fault.status, headers).end(JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: "injected fault" }] }));
      return;
    }
    if (fault?.kind === "reset") {
      record(req, path, at, 0, fault.kind);
      const limit = fault.afterBytes ?? 0;
      if (limit === 0) {
        req.socket.destroy();
        return;
      }
      let seen = 0;
      req.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= limit) req.socket.destroy();
      });
      req.on("end", () => req.socket.destroy());
      return;
    }
    if (options.referrers && serveReferrers(req, res, path, at)) return;
    const manifestPut = options.referrers && req.method === "PUT" ? /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(path) : null;
    const body: Buffer[] = [];
    if (manifestPut) req.on("data", (c: Buffer) => body.push(c));
    const headers = { ...req.headers, host: upstream.host };
    if (fault?.kind === "ignore-range") delete headers.range;
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (upstreamRes) => {
      record(req, path, at, upstreamRes.statusCode ?? 0, fault?.kind);
      const headers = { ...upstreamRes.headers };
      // Upload locations name the registry; point them back at the proxy.
      if (typeof headers.location === "string") headers.location = headers.location.replace(upstream.origin, `http://${req.headers.host}`);
      if (manifestPut && upstreamRes.statusCode === 201) {
        const bytes = Buffer.concat(body);
        const manifest = JSON.parse(bytes.toString("utf8")) as {
          subject?: { digest: string };
          artifactType?: string;
          annotations?: object;
          mediaType?: string;
        };
        if (manifest.subject) {
          const key = `${manifestPut[1]}|${manifest.subject.digest}`;
          const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
          const list = referrers.get(key) ?? [];
          if (!list.some((d) => (d as { digest: string }).digest === digest))
            list.push({
              mediaType: manifest.mediaType,
              digest,
              size: bytes.length,
              artifactType: manifest.artifactType,
              annotations: manifest.annotations ?? {},
            });
          referrers.set(key, list);
          headers["oci-subject"] = manifest.subject.digest;
        }
      }
      res.writeHead(upstreamRes.statusCode ?? 502, headers);
      if (fault?.kind === "reset-response") {
        cutAfter(upstreamRes, res, fault.afterBytes, fault.rst ?? false);
        return;
      }
      upstreamRes.pipe(res);
    });
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      closed.received += socket.bytesRead;
      closed.sent += socket.bytesWritten;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    wire() {
      let { received, sent } = closed;
      for (const socket of sockets) {
        received += socket.bytesRead;
        sent += socket.bytesWritten;
      }
      return { received, sent };
    },
    failNext(method, path, fault, times = 1, skip = 0) {
      rules.push({ method, path, fault, left: times, skip });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Relays `limit` body bytes, then closes (or resets) the client's connection and drops the registry's. */
function cutAfter(from: IncomingMessage, to: ServerResponse, limit: number, rst: boolean): void {
  let left = limit;
  const cut = () => {
    from.destroy();
    if (rst) to.socket?.resetAndDestroy();
    else to.socket?.end();
  };
  if (left <= 0) {
    cut();
    return;
  }
  from.on("data", (chunk: Buffer) => {
    if (left <= 0) return;
    if (chunk.length < left) {
      left -= chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once("drain", () => from.resume());
      }
      return;
    }
    const last = chunk.subarray(0, left);
    left = 0;
    from.pause();
    // Reset only once the last bytes are handed to the kernel, so the cut lands at `limit`.
    to.write(last, cut);
  });
  from.on("end", () => {
    if (left > 0) to.end();
  });
}

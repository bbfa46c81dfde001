import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Fault = { kind: "status"; status: number; retryAfter?: string } | { kind: "reset"; afterBytes?: number };

export interface FaultProxy {
  url: string;
  host: string;
  /** Every request seen: method, path and the status sent (0 for a reset). */
  requests: { method: string; path: string; status: number }[];
  /** The next `times` requests matching method and path get `fault` instead of the registry's answer. */
  failNext(method: string, path: RegExp, fault: Fault, times?: number): void;
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of a real registry that injects 5xx answers, Retry-After and connection
 * resets. With `referrers: true` it also adds the OCI 1.1 Referrers API the registry behind it
 * lacks (Distribution 2.8): it answers `GET /v2/<repo>/referrers/<digest>` from the subjects of
 * manifests PUT through it and sets `OCI-Subject` on those PUTs, as a 1.1 registry does.
 */
export async function startFaultProxy(target: string, options: { referrers?: boolean } = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const referrers = new Map<string, object[]>();
  const serveReferrers = (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    const m = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})(\?.*)?$/.exec(path);
    if (!m || req.method !== "GET") return false;
    requests.push({ method: "GET", path, status: 200 });
    const manifests = referrers.get(`${m[1]}|${m[2]}`) ?? [];
    res.writeHead(200, { "content-type": "application/vnd.oci.image.index.v1+json" });
    res.end(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests }));
    return true;
  };
  const rules: { method: string; path: RegExp; fault: Fault; left: number }[] = [];
  const requests: FaultProxy["requests"] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? "/";
    const rule = rules.find((r) => r.left > 0 && r.method === req.method && r.path.test(path));
    if (rule) {
      rule.left--;
      if (rule.fault.kind === "status") {
        requests.push({ method: req.method ?? "", path, status: rule.fault.status });
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (rule.fault.retryAfter !== undefined) headers["retry-after"] = rule.fault.retryAfter;
        req.resume();
        res.writeHead(rule.fault.status, headers).end(JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: "injected fault" }] }));
        return;
      }
      requests.push({ method: req.method ?? "", path, status: 0 });
      const limit = rule.fault.afterBytes ?? 0;
      let seen = 0;
      if (limit === 0) {
        req.socket.destroy();
        return;
      }
      req.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= limit) req.socket.destroy();
      });
      req.on("end", () => req.socket.destroy());
      return;
    }
    if (options.referrers && serveReferrers(req, res, path)) return;
    const manifestPut = options.referrers && req.method === "PUT" ? /^\/v2\/(.+)\/manifests\/[^/]+$/.exec(path) : null;
    const body: Buffer[] = [];
    if (manifestPut) req.on("data", (c: Buffer) => body.push(c));
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: upstream.host } },
      (upstreamRes) => {
        requests.push({ method: req.method ?? "", path, status: upstreamRes.statusCode ?? 0 });
        const headers = { ...upstreamRes.headers };
        // Upload locations name the registry; point them back at the proxy.
        if (typeof headers.location === "string")
          headers.location = headers.location.replace(upstream.origin, `http://${req.headers.host}`);
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
        upstreamRes.pipe(res);
      },
    );
    forward.on("error", () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    failNext(method, path, fault, times = 1) {
      rules.push({ method, path, fault, left: times });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { requireProgram } from "./prerequisites.ts";
import { ended, freePort, readLog } from "./processes.ts";

/**
 * A real HAProxy (Debian's `haproxy`, run in the foreground with `-db`) on 127.0.0.1, standing in
 * for a production load balancer in canary tests:
 *
 * - `url`: a frontend on a free port proxying to backend `model` (`balance roundrobin`, weighted)
 *   with the given servers;
 * - `socket`: the runtime API, `stats socket <dir>/admin.sock mode 600 level admin`, and
 *   `userSocket` the same at `level user` (which HAProxy refuses changes through);
 * - `metricsUrl`: HAProxy's built-in Prometheus exporter (`use-service prometheus-exporter`) on a
 *   second frontend, `metricsTarget` its `host:port` for a Prometheus scrape config.
 *
 * Nothing listens anywhere but 127.0.0.1. `stop()` ends HAProxy and removes its directory;
 * `kill()` ends it as a crash would, leaving the stale socket file behind.
 */

export interface HaproxyServerOptions {
  /** The server's name in the backend (what the runtime API and the exporter call it). */
  name: string;
  /** `host:port` of the HTTP server behind it. */
  address: string;
  /** Initial weight (0–256); default 100 for the first server, 0 for the others (an empty canary slot). */
  weight?: number;
}

export interface HaproxyOptions {
  servers: HaproxyServerOptions[];
  /** The backend's name; default `model`. */
  backend?: string;
}

export interface TestHaproxy {
  /** `http://127.0.0.1:<port>`: the frontend clients send requests to. */
  url: string;
  /** `http://127.0.0.1:<port>/metrics`: the Prometheus exporter. */
  metricsUrl: string;
  /** `127.0.0.1:<port>` of the exporter, for a scrape config. */
  metricsTarget: string;
  /** The runtime API's unix socket at `level admin`. */
  socket: string;
  /** The runtime API at `level user` (read-only). */
  userSocket: string;
  backend: string;
  /** Temp dir holding the config, the sockets and HAProxy's log. */
  dir: string;
  /** HAProxy's stderr so far (alerts and warnings). */
  log(): string;
  /** Ends HAProxy with SIGKILL, leaving its socket files (so a client meets "connection refused"). */
  kill(): Promise<void>;
  /** Ends HAProxy and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const NAME = /^[A-Za-z0-9._:-]+$/;
const ADDRESS = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function renderConfig(options: Required<HaproxyOptions>, dir: string, frontendPort: number, metricsPort: number): string {
  const servers = options.servers.map(
    (server, index) => `  server ${server.name} ${server.address} weight ${server.weight ?? (index === 0 ? 100 : 0)}`,
  );
  return [
    "global",
    // One thread is plenty for a test and keeps the process small.
    "  nbthread 1",
    `  stats socket ${join(dir, "admin.sock")} mode 600 level admin`,
    `  stats socket ${join(dir, "user.sock")} mode 600 level user`,
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  timeout http-keep-alive 30s",
    // A server closing an idle kept-alive connection just as HAProxy reuses it must not surface as
    // a 502 the test would count as the server's: retry on the same server, never redispatch.
    "  retries 3",
    "  retry-on conn-failure empty-response",
    `frontend llmops_test_frontend`,
    `  bind 127.0.0.1:${frontendPort}`,
    `  default_backend ${options.backend}`,
    `frontend llmops_test_metrics`,
    `  bind 127.0.0.1:${metricsPort}`,
    "  http-request use-service prometheus-exporter if { path /metrics }",
    "  http-request return status 404",
    `backend ${options.backend}`,
    "  balance roundrobin",
    ...servers,
    "",
  ].join("\n");
}

/** Starts HAProxy in front of `options.servers`; see the module comment. */
export async function startHaproxy(options: HaproxyOptions): Promise<TestHaproxy> {
  const backend = options.backend ?? "model";
  if (!NAME.test(backend)) throw new Error(`startHaproxy: backend "${backend}" is not a valid HAProxy name`);
  if (options.servers.length === 0) throw new Error("startHaproxy: expected at least one server");
  for (const server of options.servers) {
    if (!NAME.test(server.name)) throw new Error(`startHaproxy: server name "${server.name}" is not a valid HAProxy name`);
    if (!ADDRESS.test(server.address)) throw new Error(`startHaproxy: server ${server.name}: expected host:port, got "${server.address}"`);
    const weight = server.weight;
    if (weight !== undefined && !(Number.isInteger(weight) && weight >= 0 && weight <= 256))
      throw new Error(`startHaproxy: server ${server.name}: weight must be an integer 0–256`);
  }
  const haproxyBin = requireProgram("haproxy");
  const dir = await mkdtemp(join(tmpdir(), "llmops-haproxy-"));
  const configPath = join(dir, "haproxy.cfg");
  // A file, not a pipe: a test blocking its event loop must not stall HAProxy on a full pipe.
  const logPath = join(dir, "haproxy.log");
  let child: ChildProcess | undefined;
  let frontendPort = 0;
  let metricsPort = 0;
  try {
    // Another process may take a free port between the probe and HAProxy's bind: try again then.
    for (let attempt = 0; attempt < 5 && !child; attempt++) {
      frontendPort = await freePort();
      metricsPort = await freePort();
      if (metricsPort === frontendPort) continue;
      await writeFile(configPath, renderConfig({ backend, servers: options.servers }, dir, frontendPort, metricsPort));
      const log = openSync(logPath, "a");
      const started = spawn(haproxyBin, ["-f", configPath, "-db"], { stdio: ["ignore", log, log] });
      closeSync(log);
      if (await waitReady(`http://127.0.0.1:${metricsPort}/metrics`, join(dir, "admin.sock"), started)) child = started;
      else await ended(started);
    }
    if (!child) throw new Error(`haproxy did not start: ${readLog(logPath).slice(-1000)}`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const running = child;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${frontendPort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    metricsTarget: `127.0.0.1:${metricsPort}`,
    socket: join(dir, "admin.sock"),
    userSocket: join(dir, "user.sock"),
    backend,
    dir,
    log: () => readLog(logPath),
    async kill() {
      await ended(running, "SIGKILL");
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await ended(running);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitReady(metricsUrl: string, socket: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (existsSync(socket) && (await answers(metricsUrl)) && (await socketAnswers(socket))) return true;
    await sleep(25);
  }
  return false;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.setTimeout(1000, () => socket.destroy());
    let text = "";
    socket.on("connect", () => socket.write("show info\n"));
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    socket.on("error", () => resolve(false));
    socket.on("close", () => resolve(text.includes("Name: HAProxy")));
  });
}

import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HaproxyRouterConfig, haproxyRouterSchema, type RecordingLogger, recordingLogger } from "@llmops/core";
import { startHaproxy, type TestHaproxy } from "@llmops/test/haproxy";
import { generateLoad, type NamedServer, startNamedServer } from "@llmops/test/load-generator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RolloutVersions, type Router, type RouterContext, RouterError, type RouterReading } from "../../src/canary/router.ts";
import { createHaproxyRouter } from "../../src/canary/routers/haproxy.ts";

const versions: RolloutVersions = {
  stable: { name: "team/sentiment", digest: `sha256:${"a".repeat(64)}`, version: "v1" },
  candidate: { name: "team/sentiment", digest: `sha256:${"b".repeat(64)}`, version: "v2" },
};

let blue: NamedServer;
let green: NamedServer;
let haproxy: TestHaproxy;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "llmops-haproxy-router-"));
  blue = await startNamedServer({ name: "blue" });
  green = await startNamedServer({ name: "green" });
  haproxy = await startHaproxy({
    servers: [
      { name: "blue", address: blue.address, weight: 100 },
      { name: "green", address: green.address, weight: 0 },
    ],
  });
});

afterAll(async () => {
  // Each one even when another fails, so no process outlives the file.
  await Promise.allSettled([haproxy?.stop(), blue?.close(), green?.close(), rm(scratch, { recursive: true, force: true })]);
});

function context(configDir = haproxy.dir): RouterContext & { logger: RecordingLogger } {
  return { environment: "production", rolloutId: randomUUID(), configDir, env: {}, logger: recordingLogger(), github: {} };
}

/** The router over the test HAProxy; the socket is given relative to configDir (haproxy.dir). */
function router(overrides: Partial<Record<keyof HaproxyRouterConfig, unknown>> = {}) {
  return createHaproxyRouter(
    haproxyRouterSchema.parse({ type: "haproxy", socket: "admin.sock", backend: "model", stable: "blue", canary: "green", ...overrides }),
  );
}

/** The weights HAProxy's Prometheus exporter reports: a read path independent of the runtime API. */
async function exportedWeights(): Promise<Record<string, number>> {
  const text = await (await fetch(haproxy.metricsUrl)).text();
  const weights: Record<string, number> = {};
  for (const match of text.matchAll(/^haproxy_server_uweight\{proxy="model",server="([^"]+)"\} (\d+)$/gm))
    weights[match[1]!] = Number(match[2]);
  return weights;
}

/** Wilson score interval for successes/n at the normal quantile z (3.2905: two-sided 99.9 %). */
function wilson(successes: number, n: number, z = 3.2905): [number, number] {
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [centre - half, centre + half];
}

/** A reading through `read()`, which this router always has. */
async function readBack(r: Router): Promise<RouterReading> {
  const reading = await r.read(versions, context());
  if (!reading) throw new Error("the haproxy router returned no reading");
  return reading;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error(`expected a rejection, got ${String(outcome)}`);
  return outcome;
}

describe("haproxy router against a real HAProxy", () => {
  it("sets the weights, reads them back, and HAProxy's own exporter agrees", async () => {
    const r = router();
    const reading = await r.setCanaryPercent(25, versions, context());
    expect(reading).toMatchObject({
      canaryPercent: 25,
      details: { backend: "model", weights: { blue: 75, green: 25 } },
      summary: "haproxy model: blue 75 / green 25",
    });
    expect(await exportedWeights()).toEqual({ blue: 75, green: 25 });
    const again = await readBack(r);
    expect(again).toMatchObject({ canaryPercent: 25, details: { weights: { blue: 75, green: 25 } } });
    expect(r.variantNames).toEqual({ stable: "blue", canary: "green" });
  });

  it("is safe to repeat: the same percent changes nothing and says so", async () => {
    const r = router();
    await r.setCanaryPercent(40, versions, context());
    const ctx = context();
    const reading = await r.setCanaryPercent(40, versions, ctx);
    expect(reading.canaryPercent).toBe(40);
    expect(ctx.logger.lines.map((l) => l.message)).toContain("haproxy model: blue 60 / green 40 (unchanged)");
  });

  it("sends each step's share of live traffic to the canary, and counts what each server served", async () => {
    const r = router();
    const requests = 2000;
    for (const percent of [5, 25, 50, 100]) {
      const before = await r.setCanaryPercent(percent, versions, context());
      const load = await generateLoad({ url: haproxy.url, requests, concurrency: 16 });
      expect(load.byStatus).toEqual({ "200": requests });
      const canary = load.byBackend.green?.total ?? 0;
      const stable = load.byBackend.blue?.total ?? 0;
      expect(canary + stable).toBe(requests);
      const [low, high] = wilson(canary, requests);
      expect(percent / 100, `${percent} %: ${canary} of ${requests} went to green`).toBeGreaterThanOrEqual(low);
      expect(percent / 100, `${percent} %: ${canary} of ${requests} went to green`).toBeLessThanOrEqual(high);
      if (percent === 100) expect(stable).toBe(0);
      // HAProxy's per-server request counters moved by exactly what the load generator saw.
      const after = await readBack(r);
      expect(after.requests!.canary - before.requests!.canary).toBe(canary);
      expect(after.requests!.stable - before.requests!.stable).toBe(stable);
    }
  });

  it("at 0 % sends the canary nothing", async () => {
    const r = router();
    const before = await r.setCanaryPercent(0, versions, context());
    expect(before).toMatchObject({ canaryPercent: 0, details: { weights: { blue: 100, green: 0 } } });
    const load = await generateLoad({ url: haproxy.url, requests: 500, concurrency: 8 });
    expect(load.byBackend).toEqual({ blue: { total: 500, byStatus: { "200": 500 } } });
    const after = await readBack(r);
    expect(after.requests!.canary).toBe(before.requests!.canary);
  });

  it("refuses a percent that is not a whole number 0–100", async () => {
    for (const percent of [-1, 12.5, 101, Number.NaN]) {
      const error = await rejection(router().setCanaryPercent(percent, versions, context()));
      expect(error).toBeInstanceOf(RouterError);
      expect(error.message).toMatch(/expected a whole percent 0–100/);
    }
  });
});

describe("haproxy router errors", () => {
  it("names the socket and what HAProxy must be configured with when the socket does not exist", async () => {
    const error = await rejection(router({ socket: "gone/admin.sock" }).read(versions, context()));
    expect(error).toBeInstanceOf(RouterError);
    expect(error.message).toBe(
      `router haproxy: runtime API socket ${join(haproxy.dir, "gone/admin.sock")}: no such file; ` +
        `expected HAProxy's \`stats socket ${join(haproxy.dir, "gone/admin.sock")} level admin\``,
    );
  });

  it("says connection refused when HAProxy died and left its socket file", async () => {
    const dead = await startHaproxy({
      servers: [
        { name: "blue", address: blue.address },
        { name: "green", address: green.address },
      ],
    });
    try {
      await dead.kill();
      const error = await rejection(router({ socket: dead.socket }).read(versions, context()));
      expect(error).toBeInstanceOf(RouterError);
      expect(error.message).toContain(`runtime API socket ${dead.socket}: connection refused; is HAProxy running?`);
    } finally {
      await dead.stop();
    }
  });

  it("surfaces HAProxy's refusal when the socket is not level admin, and changes nothing", async () => {
    const r = router();
    await r.setCanaryPercent(10, versions, context());
    const error = await rejection(router({ socket: haproxy.userSocket }).setCanaryPercent(50, versions, context()));
    expect(error).toBeInstanceOf(RouterError);
    expect(error.message).toBe(
      'router haproxy: HAProxy refused "set server model/green weight 50": Permission denied; the socket needs `level admin`',
    );
    expect(await exportedWeights()).toEqual({ blue: 90, green: 10 });
  });

  it("names an unknown server with the backend's servers, and an unknown backend", async () => {
    const server = await rejection(router({ canary: "purple" }).setCanaryPercent(5, versions, context()));
    expect(server).toBeInstanceOf(RouterError);
    expect(server.message).toBe('router haproxy: backend model has no server "purple" (its servers: blue, green)');
    const backend = await rejection(router({ backend: "models" }).read(versions, context()));
    expect(backend).toBeInstanceOf(RouterError);
    expect(backend.message).toBe(`router haproxy: no backend "models": HAProxy says "Can't find backend."`);
  });

  it("never sends a name that could smuggle a second command, even past the schema", async () => {
    await router().setCanaryPercent(20, versions, context());
    for (const canary of ["green;shutdown sessions server model/blue", "green\nset server model/blue weight 0", "green weight 0 #"]) {
      const config = {
        type: "haproxy",
        socket: "admin.sock",
        backend: "model",
        stable: "blue",
        canary,
        timeoutMs: 1000,
      } as HaproxyRouterConfig;
      expect(() => createHaproxyRouter(config)).toThrow(RouterError);
      expect(() => createHaproxyRouter(config)).toThrow(/refusing to send/);
    }
    expect(await exportedWeights()).toEqual({ blue: 80, green: 20 });
  });

  it("gives up after timeoutMs when the socket accepts but never answers", async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
    });
    const path = join(scratch, "silent.sock");
    await new Promise<void>((resolve) => silent.listen(path, resolve));
    try {
      const error = await rejection(router({ socket: path, timeoutMs: 200 }).read(versions, context()));
      expect(error).toBeInstanceOf(RouterError);
      expect(error.message).toBe(`router haproxy: runtime API socket ${path}: no answer to "show servers state model" within 200 ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("stops at once when the rollout's signal aborts", async () => {
    const controller = new AbortController();
    controller.abort(new Error("interrupted"));
    const error = await rejection(router().read(versions, { ...context(), signal: controller.signal }));
    expect(error).toBeInstanceOf(RouterError);
    expect(error.message).toMatch(/aborted before "show servers state model"/);
  });
});

describe("haproxy router command order", () => {
  /**
   * A runtime API that records commands in order: the real HAProxy cannot show the order, and the
   * order is what keeps traffic off a slot that should get none. It answers in HAProxy 2.6's formats.
   */
  async function recordingRuntime(initial: Record<string, number>) {
    const weights = { ...initial };
    const commands: string[] = [];
    const server = createServer((socket) => {
      let buffer = "";
      socket.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("utf8");
        if (!buffer.endsWith("\n")) return;
        const line = buffer.trim();
        commands.push(line);
        let answer = "\n";
        const set = /^set server model\/(\w+) weight (\d+)$/.exec(line);
        if (set) weights[set[1]!] = Number(set[2]);
        else if (line === "show servers state model") {
          const rows = Object.entries(weights).map(
            ([name, w], i) => `4 model ${i + 1} ${name} 127.0.0.1 2 0 ${w} ${w} 1 1 0 2 0 0 0 0 - 80 - 0 0 - - 0`,
          );
          answer = `1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n${rows.join("\n")}\n\n`;
        } else if (line === "show stat model 4 -1") {
          answer = `# pxname,svname,qcur,stot,weight,\n${Object.entries(weights)
            .map(([name, w]) => `model,${name},0,7,${w},`)
            .join("\n")}\n\n`;
        }
        socket.end(answer);
      });
    });
    const path = join(scratch, `runtime-${randomUUID()}.sock`);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return { path, commands, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it("raises a weight before lowering the other, in both directions", async () => {
    const runtime = await recordingRuntime({ blue: 95, green: 5 });
    try {
      const r = router({ socket: runtime.path });
      await r.setCanaryPercent(25, versions, context());
      await r.setCanaryPercent(0, versions, context());
      expect(runtime.commands.filter((c) => c.startsWith("set "))).toEqual([
        "set server model/green weight 25",
        "set server model/blue weight 75",
        "set server model/blue weight 100",
        "set server model/green weight 0",
      ]);
    } finally {
      await runtime.close();
    }
  });
});

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type RecordingLogger, recordingLogger, webhookRouterSchema } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { type RouterContext, RouterError } from "../../src/canary/router.ts";
import { createWebhookRouter } from "../../src/canary/routers/webhook.ts";
import type { TargetVersion } from "../../src/target.ts";
import { rejection } from "../targets/helpers.ts";

const SECRET = "whsec-router-0123456789";
const TOKEN = "tok-router-path-secret";
const stable: TargetVersion = { name: "team/sentiment", digest: "sha256:" + "a".repeat(64), version: "v1" };
const candidate: TargetVersion = { name: "team/sentiment", digest: "sha256:" + "b".repeat(64) };

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The receiver's own check of X-Llmops-Signature-256 with SECRET (null when unsigned). */
  signatureValid: boolean | null;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A receiver that checks the HMAC itself and answers from a script of statuses (then 200). */
async function receiver(replies: { status: number; body?: string; headers?: Record<string, string> }[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers["x-llmops-signature-256"];
      let signatureValid: boolean | null = null;
      if (typeof header === "string") {
        const want = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(raw).digest("hex")}`);
        const got = Buffer.from(header);
        signatureValid = got.length === want.length && timingSafeEqual(got, want);
      }
      received.push({ path: req.url ?? "", headers: req.headers, body: raw.toString("utf8"), signatureValid });
      const reply = replies.shift() ?? { status: 200 };
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body ?? "");
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function router(config: Record<string, unknown>) {
  return createWebhookRouter(webhookRouterSchema.parse({ type: "webhook", ...config }), { baseDelayMs: 5, random: () => 0.5 });
}

const env = { HOOK_SECRET: SECRET, HOOK_TOKEN: TOKEN, MESH_AUTH: "Bearer mesh-credential" };
const ctx = (): RouterContext & { logger: RecordingLogger } => ({
  environment: "production",
  rolloutId: "rollout-7",
  configDir: "/",
  env,
  logger: recordingLogger(),
  github: {},
});

describe("webhook router", () => {
  it("posts a signed traffic event the receiver can verify, keyed by rollout and percent; it cannot be read back", async () => {
    const { url, received } = await receiver();
    const r = router({ url: `${url}/mesh/{{env.HOOK_TOKEN}}`, secretEnv: "HOOK_SECRET", headers: { Authorization: "{{env.MESH_AUTH}}" } });
    expect(r.type).toBe("webhook");
    expect(r.variantNames).toEqual({ stable: "stable", canary: "canary" });
    const reading = await r.setCanaryPercent(25, { stable, candidate }, ctx());
    expect(reading).toEqual({
      canaryPercent: 25,
      details: { origin: url, status: 200, attempts: 1, idempotencyKey: "rollout-7-traffic-25" },
      summary: `webhook ${url} (HTTP 200): 75 stable / 25 canary`,
    });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.signatureValid).toBe(true);
    expect(request!.path).toBe(`/mesh/${TOKEN}`);
    expect(request!.headers["idempotency-key"]).toBe("rollout-7-traffic-25");
    expect(request!.headers.authorization).toBe("Bearer mesh-credential");
    expect(request!.headers["content-type"]).toBe("application/json");
    expect(request!.body).toBe(
      JSON.stringify({
        event: "llmops.traffic",
        environment: "production",
        rolloutId: "rollout-7",
        canaryPercent: 25,
        stable: { name: "team/sentiment", digest: stable.digest, version: "v1" },
        candidate: { name: "team/sentiment", digest: candidate.digest, version: null },
      }),
    );
    expect(await r.read({ stable, candidate }, ctx())).toBeUndefined();
  });

  it("a repeated step sends the same bytes under the same key; another percent gets its own key; no stable is null", async () => {
    const { url, received } = await receiver();
    const r = router({ url, secretEnv: "HOOK_SECRET" });
    await r.setCanaryPercent(5, { stable, candidate }, ctx());
    await r.setCanaryPercent(5, { stable, candidate }, ctx());
    await r.setCanaryPercent(0, { stable: null, candidate }, ctx());
    expect(received.map((q) => q.headers["idempotency-key"])).toEqual([
      "rollout-7-traffic-5",
      "rollout-7-traffic-5",
      "rollout-7-traffic-0",
    ]);
    expect(received[0]!.body).toBe(received[1]!.body);
    expect(JSON.parse(received[2]!.body)).toMatchObject({ canaryPercent: 0, stable: null });
    expect(received.every((q) => q.signatureValid)).toBe(true);
  });

  it("retries 503 and 429 with the same signed body and key, then succeeds", async () => {
    const { url, received } = await receiver([{ status: 503 }, { status: 429, headers: { "Retry-After": "0" } }]);
    const c = ctx();
    const reading = await router({ url, secretEnv: "HOOK_SECRET", retries: 2 }).setCanaryPercent(50, { stable, candidate }, c);
    expect(reading.details).toMatchObject({ attempts: 3, status: 200 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((q) => q.body)).size).toBe(1);
    expect(new Set(received.map((q) => q.headers["idempotency-key"])).size).toBe(1);
    expect(received.every((q) => q.signatureValid)).toBe(true);
    expect(c.logger.lines.filter((l) => l.level === "warn").map((l) => l.message)).toEqual([
      `webhook: POST ${url}: HTTP 503; retrying in 4 ms (attempt 2 of 3)`,
      `webhook: POST ${url}: HTTP 429; retrying in 0 ms (attempt 3 of 3)`,
    ]);
  });

  it("gives up after its retries with one RouterError naming the origin; the secret, the token path and header values appear nowhere", async () => {
    const echo = { status: 502, body: `upstream said ${SECRET} for /mesh/${TOKEN} with Bearer mesh-credential` };
    const { url, received } = await receiver([echo, echo, echo]);
    const c = ctx();
    const r = router({
      url: `${url}/mesh/{{env.HOOK_TOKEN}}`,
      secretEnv: "HOOK_SECRET",
      retries: 2,
      headers: { Authorization: "{{env.MESH_AUTH}}" },
    });
    const error = await rejection(r.setCanaryPercent(5, { stable, candidate }, c));
    expect(received).toHaveLength(3);
    expect(error).toBeInstanceOf(RouterError);
    expect(error.message).toBe(`router webhook: POST ${url} failed after 3 attempts: HTTP 502: upstream said *** for *** with ***`);
    const everything = [error.message, ...c.logger.lines.map((l) => l.message)].join("\n");
    for (const secret of [SECRET, TOKEN, "mesh-credential"]) expect(everything).not.toContain(secret);
  });

  it("does not retry a refusal, and refuses a missing secret and a bad percentage before sending", async () => {
    const { url, received } = await receiver([{ status: 401, body: "bad signature" }]);
    const refused = await rejection(router({ url, retries: 3 }).setCanaryPercent(5, { stable, candidate }, ctx()));
    expect(refused.message).toBe(`router webhook: POST ${url} was refused: HTTP 401: bad signature`);
    expect(received).toHaveLength(1);

    const unset = await rejection(router({ url, secretEnv: "NOPE_SECRET" }).setCanaryPercent(5, { stable, candidate }, ctx()));
    expect(unset.message).toBe(
      "router webhook: secretEnv NOPE_SECRET is not set; expected the HMAC key in it (or remove secretEnv to send unsigned events)",
    );
    const fraction = await rejection(router({ url }).setCanaryPercent(2.5, { stable, candidate }, ctx()));
    expect(fraction.message).toBe("router webhook: canaryPercent must be an integer from 0 to 100, got 2.5");
    expect(received).toHaveLength(1);
    expect(() => router({ url: "https://mesh.example/{{digest}}" })).toThrow(
      "router webhook: url: {{digest}} is not available here; expected {{env.NAME}}",
    );
  });
});
